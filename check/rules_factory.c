/* The VM factory on this host (kata-runtime(8), VM FACTORY): whether a
 * template can serve it, and how many VMs vm_cache_number = "auto" keeps
 * ready. kata-check reports it, kata-setup writes it, and the runtime and
 * the cache's daemon decide with the same functions. */
#include <stdio.h>
#include <string.h>

#include "config_validate.h"
#include "rules.h"

/* "auto"'s ceiling: past it a burst is better served by the template */
#define VM_CACHE_AUTO_MAX 8

const char *rules_template_memory(const struct resource_facts *res, bool tcg,
				  unsigned default_memory, char *buf, size_t size)
{
	struct memory_budget b;
	rules_memory_budget(res, tcg, &b);
	if (!b.known)
		return NULL; /* unknown: the template is tried, and its build says */
	/* the template's memory file (on tmpfs, up to the VM's size) beside a
	 * VM of that size */
	uint64_t need = 2ULL * default_memory;
	if (b.fit_mib < need) {
		snprintf(buf, size,
			 "the host's memory (%llu MiB, %llu MiB of it for VMs) cannot hold a "
			 "template's memory file of %u MiB beside a VM of that size",
			 (unsigned long long)b.total_mib, (unsigned long long)b.fit_mib,
			 default_memory);
		return buf;
	}
	if (b.available_mib < need + b.overhead_mib) {
		snprintf(buf, size,
			 "%llu MiB of memory is available now, less than a template's memory "
			 "file of %u MiB, a VM of that size and QEMU's %llu MiB",
			 (unsigned long long)b.available_mib, default_memory,
			 (unsigned long long)b.overhead_mib);
		return buf;
	}
	return NULL;
}

unsigned rules_vm_cache_size(const struct resource_facts *res, bool tcg, unsigned default_memory,
			     char *why, size_t size)
{
	struct memory_budget b;
	rules_memory_budget(res, tcg, &b);
	unsigned cpus = res->cpus_online ? res->cpus_online : 1;
	if (!b.known || !default_memory) {
		snprintf(why, size, "the host's memory is unknown");
		return 0;
	}
	/* a quarter of what VMs may use, in VMs of the default size: the rest
	 * stays for the pods the cache's VMs become */
	uint64_t by_memory = b.fit_mib / 4 / default_memory;
	/* one per CPU: refilling costs a boot's CPU, and an idle VM a little */
	unsigned n = cpus;
	if (by_memory < n)
		n = (unsigned)by_memory;
	if (n > VM_CACHE_AUTO_MAX)
		n = VM_CACHE_AUTO_MAX;
	snprintf(why, size,
		 "%u VM%s here: one per CPU (%u), in at most a quarter of the %llu MiB for VMs "
		 "(%llu VM%s of %u MiB), at most %d",
		 n, n == 1 ? "" : "s", cpus, (unsigned long long)b.fit_mib,
		 (unsigned long long)by_memory, by_memory == 1 ? "" : "s", default_memory,
		 VM_CACHE_AUTO_MAX);
	return n;
}

const char *rules_factory_blocker(const struct host_facts *f, const struct kc_config *c, char *buf,
				  size_t size)
{
	const char *no = config_template_blocker(c);
	if (no)
		return no;
	return rules_template_memory(&f->res, rules_runs_tcg(f, c->hypervisor.accel),
				     c->hypervisor.default_memory, buf, size);
}

void rules_factory(const struct rules_input *in, struct report *r)
{
	const struct config_state *cs = in->config;
	if (!cs || !cs->loaded || !cs->values_ok)
		return;
	const struct kc_config *c = &cs->cfg;
	const struct factory_config *fc = &c->factory;
	char buf[512], size_why[256];
	if (!fc->enable_template && !fc->vm_cache_number) {
		report_add(r, "config.factory", GROUP_CONFIG, LEVEL_PASS, "VM factory",
			   "off: every VM boots (enable_template = false, vm_cache_number = 0)");
		return;
	}
	unsigned n = fc->vm_cache_number;
	bool fixed = n && n != VM_CACHE_AUTO;
	const char *cfg_no = config_template_blocker(c);
	if (cfg_no && n) {
		n = 0; /* what no template serves, no cache serves */
		snprintf(size_why, sizeof(size_why), "none for this configuration: %s", cfg_no);
	} else if (n == VM_CACHE_AUTO) {
		n = rules_vm_cache_size(&in->facts->res,
					rules_runs_tcg(in->facts, c->hypervisor.accel),
					c->hypervisor.default_memory, size_why, sizeof(size_why));
	} else {
		snprintf(size_why, sizeof(size_why), "%u VM(s), as configured", n);
	}
	const char *no =
	    fc->enable_template ? rules_factory_blocker(in->facts, c, buf, sizeof(buf)) : NULL;
	struct report_item *it;
	const char *cache = !fc->vm_cache_number ? ""
			    : n			 ? "; a VM cache hands them out ready"
			    : fixed
				? "; no VM cache: vm_cache_number is set, but factory init refuses "
				  "this configuration"
				: "; no VM cache (vm_cache_number = \"auto\" keeps none here)";
	if (no || (fixed && !n)) {
		it = report_add(
		    r, "config.factory", GROUP_CONFIG, LEVEL_WARN, "VM factory", "%s%s%s",
		    no ? "enable_template is set, but VMs boot: " : "",
		    no ? no : (fc->enable_template ? "VMs start from a template" : "VMs boot"),
		    cache);
		report_item_remedy(it, "creates boot either way: set enable_template = false and "
				       "vm_cache_number = 0, or change what keeps the factory out");
	} else {
		it = report_add(r, "config.factory", GROUP_CONFIG, LEVEL_PASS, "VM factory", "%s%s",
				fc->enable_template ? "VMs start from a template" : "VMs boot",
				cache);
	}
	if (fc->vm_cache_number)
		report_item_detail(it,
				   "vm_cache_number%s: %s; served by the kata-vmcache service or "
				   "`kata-runtime factory init`, at %s",
				   fc->vm_cache_number == VM_CACHE_AUTO ? " = \"auto\"" : "",
				   size_why, fc->vm_cache_endpoint);
}
