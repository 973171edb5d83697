/* Configuration adaptation (see adapt.h). What the runtime would otherwise
 * fail on at start - a vsock channel without /dev/vhost-vsock, vhost-net
 * without /dev/vhost-net, more vCPUs than KVM allows - is turned off or
 * clamped here, each change recorded with the report item behind it. */
#include "adapt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "rules.h"
#include "strutil.h"
#include "xalloc.h"

static void change(struct adapt_result *out, const char *key, const char *from, const char *to,
		   const struct report_item *item, const char *reason)
{
	if (out->n >= ADAPTATIONS_MAX)
		return;
	struct adaptation *a = &out->changes[out->n++];
	str_copy(a->key, sizeof(a->key), key);
	a->from = xstrdup(from);
	a->to = xstrdup(to);
	a->reason = xstrdup(reason);
	str_copy(a->item, sizeof(a->item), item ? item->id : "");
}

void adapt_result_free(struct adapt_result *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->changes[i].from);
		free(a->changes[i].to);
		free(a->changes[i].reason);
	}
	memset(a, 0, sizeof(*a));
}

bool adapt_kvm_usable(const struct report *r, const struct report_item **why)
{
	const struct report_item *guest = report_find(r, "kvm.guest");

	if (why)
		*why = NULL;
	if (guest && guest->raw_level == LEVEL_PASS)
		return true;
	/* the first KVM item that failed says more than "could not be exercised" */
	for (size_t i = 0; i < r->n && why; i++)
		if (r->items[i].group == GROUP_KVM && r->items[i].raw_level == LEVEL_FAIL) {
			*why = &r->items[i];
			return false;
		}
	if (why)
		*why = guest;
	return false;
}

static const struct report_item *node_item(const struct report *r, const char *id)
{
	const struct report_item *it = report_find(r, id);
	return it && it->raw_level != LEVEL_PASS ? it : NULL;
}

/* vCPUs and memory: no more than the host (and KVM) can give a VM. */
static int adapt_sizes(struct qemu_config *h, const struct host_facts *f, const struct report *r,
		       struct adapt_result *out, struct kc_error *err)
{
	char a[32], b[32];
	unsigned cpus = f->res.cpus_online ? f->res.cpus_online : f->cpu.cpuinfo_processors;
	if (cpus && h->default_vcpus > 0 && (unsigned)h->default_vcpus > cpus) {
		snprintf(a, sizeof(a), "%d", h->default_vcpus);
		snprintf(b, sizeof(b), "%u", cpus);
		h->default_vcpus = (int32_t)cpus;
		change(out, "hypervisor.qemu.default_vcpus", a, b, report_find(r, "resources.cpus"),
		       "no more vCPUs than the host has CPUs");
	}
	long kvm_max = facts_kvm_cap(&f->kvm, "max-vcpus");
	if (!strcmp(out->accel, "kvm") && kvm_max > 0 &&
	    h->default_maxvcpus > (unsigned long)kvm_max) {
		snprintf(a, sizeof(a), "%u", h->default_maxvcpus);
		snprintf(b, sizeof(b), "%ld", kvm_max);
		h->default_maxvcpus = (uint32_t)kvm_max;
		change(out, "hypervisor.qemu.default_maxvcpus", a, b, report_find(r, "kvm.caps"),
		       "KVM's maximum vCPUs per VM");
	}
	struct memory_budget mem;
	rules_memory_budget(&f->res, !strcmp(out->accel, "tcg"), &mem);
	if (mem.known && mem.fit_mib < GUEST_MIN_MIB)
		return kc_error_set(err, 0,
				    "no VM fits in this host's %llu MiB of memory (report item "
				    "resources.memory): a guest needs %d MiB, QEMU about %llu MiB, "
				    "and the host keeps %llu MiB",
				    (unsigned long long)mem.total_mib, GUEST_MIN_MIB,
				    (unsigned long long)mem.overhead_mib,
				    (unsigned long long)mem.reserve_mib);
	if (mem.known && h->default_memory > mem.fit_mib) {
		snprintf(a, sizeof(a), "%u", h->default_memory);
		snprintf(b, sizeof(b), "%llu", (unsigned long long)mem.fit_mib);
		h->default_memory = (uint32_t)mem.fit_mib;
		_cleanup_free_ char *because = xasprintf(
		    "what fits in %llu MiB with about %llu MiB for QEMU and %llu MiB kept "
		    "for the host",
		    (unsigned long long)mem.total_mib, (unsigned long long)mem.overhead_mib,
		    (unsigned long long)mem.reserve_mib);
		change(out, "hypervisor.qemu.default_memory", a, b,
		       report_find(r, "resources.memory"), because);
	}
	return 0;
}

int config_adapt(struct kc_config *c, const struct host_facts *f, const struct report *r,
		 struct adapt_result *out, struct kc_error *err)
{
	struct qemu_config *h = &c->hypervisor;
	const struct report_item *why = NULL;

	memset(out, 0, sizeof(*out));
	/* a -sandbox this QEMU does not understand would stop it at start */
	const struct report_item *sbx = report_find(r, "config.qemu_sandbox");
	if (sbx && sbx->raw_level != LEVEL_PASS && h->seccompsandbox && *h->seccompsandbox) {
		change(out, "hypervisor.qemu.seccompsandbox", h->seccompsandbox, "", sbx,
		       sbx->summary);
		free(h->seccompsandbox);
		h->seccompsandbox = xstrdup("");
	}
	bool kvm = adapt_kvm_usable(r, &why);
	/* a user who may not open /dev/kvm judges for kata-runtime, which is root:
	 * KVM that could not be tested is not KVM that fails */
	bool untested =
	    !kvm && rules_kvm_untested_as_user(f) && !(why && why->raw_level == LEVEL_FAIL);
	if (untested)
		kvm = true;
	if (!strcmp(h->accel, "kvm")) {
		if (!kvm)
			return kc_error_set(
			    err, 0,
			    "KVM unusable: %s (report item %s); set accel = \"tcg\" in %s to run "
			    "without hardware virtualization",
			    why ? why->summary : "it could not be checked",
			    why ? why->id : "kvm.guest",
			    c->source ? c->source : "the configuration");
		str_copy(out->accel, sizeof(out->accel), "kvm");
	} else if (!strcmp(h->accel, "auto")) {
		str_copy(out->accel, sizeof(out->accel), kvm ? "kvm" : "tcg");
		_cleanup_free_ char *reason =
		    untested
			? xasprintf(
			      "KVM as root would use it; uid %u may not open /dev/kvm to test it",
			      (unsigned)f->euid)
		    : kvm ? xstrdup("KVM can run the default guest")
		    : why ? xasprintf("%s: %s", why->what, why->summary)
			  : xstrdup("KVM is unusable");
		change(out, "hypervisor.qemu.accel", "auto", out->accel,
		       kvm ? report_find(r, "kvm.guest") : why, reason);
	} else {
		str_copy(out->accel, sizeof(out->accel), "tcg");
	}

	const struct report_item *it;
	if (h->use_vsock && (it = node_item(r, "devices.vhost-vsock"))) {
		const char *conflict = rules_vsock_conflict(f);
		_cleanup_free_ char *because =
		    conflict
			? xasprintf("/dev/vhost-vsock is missing: %s owns vsock, so vhost_vsock "
				    "cannot load; the agent channel uses virtio-serial",
				    conflict)
			: xstrdup("/dev/vhost-vsock is missing: the agent channel uses "
				  "virtio-serial");
		h->use_vsock = false;
		change(out, "hypervisor.qemu.use_vsock", "true", "false",
		       conflict ? report_find(r, "modules.vhost_vsock") : it, because);
	}
	if (!h->disable_vhost_net && (it = node_item(r, "devices.vhost-net"))) {
		h->disable_vhost_net = true;
		change(out, "hypervisor.qemu.disable_vhost_net", "false", "true", it,
		       "/dev/vhost-net is missing: QEMU serves the network itself");
	}
	return adapt_sizes(h, f, r, out, err);
}
