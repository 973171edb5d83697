/* Common includes for cmocka tests, and helpers to build host facts in
 * code so rules can be tested without any host. */
#ifndef KC_TEST_H
#define KC_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "facts.h"
#include "report.h"
#include "rules.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

static inline void fb_cpuid(struct host_facts *f, uint32_t leaf, uint32_t a, uint32_t b, uint32_t c,
			    uint32_t d)
{
	struct cpu_facts *cpu = &f->cpu;
	for (int i = 0; i < cpu->ncpuid; i++)
		if (cpu->cpuid[i].leaf == leaf) {
			cpu->cpuid[i] = (struct cpuid_leaf){leaf, 0, a, b, c, d};
			return;
		}
	cpu->cpuid[cpu->ncpuid++] = (struct cpuid_leaf){leaf, 0, a, b, c, d};
}

static inline struct module_facts *fb_module(struct host_facts *f, const char *name,
					     enum module_state state)
{
	struct module_facts *m = (struct module_facts *)facts_module(f, name);
	if (!m) {
		m = &f->modules.mods[f->modules.n++];
		memset(m, 0, sizeof(*m));
		str_copy(m->name, sizeof(m->name), name);
		snprintf(m->kconfig, sizeof(m->kconfig), "CONFIG_%s", name);
		m->refcnt = -1;
	}
	m->state = state;
	snprintf(m->evidence, sizeof(m->evidence), "test: %s", module_state_name(state));
	return m;
}

static inline void fb_param(struct host_facts *f, const char *module, const char *param,
			    const char *value)
{
	struct module_facts *m = (struct module_facts *)facts_module(f, module);
	struct module_param_fact *p = &m->params[m->nparams++];
	str_copy(p->name, sizeof(p->name), param);
	str_copy(p->value, sizeof(p->value), value);
}

static inline struct device_fact *fb_device(struct host_facts *f, const char *path, bool present,
					    unsigned major, unsigned minor)
{
	struct device_fact *d = (struct device_fact *)facts_device(f, path);
	if (!d) {
		d = &f->devices.devs[f->devices.n++];
		memset(d, 0, sizeof(*d));
		d->path = path;
	}
	d->present = present;
	d->stat_errno = present ? 0 : 2 /* ENOENT */;
	d->is_char = present;
	d->major = major;
	d->minor = minor;
	d->mode = 0660;
	str_copy(d->owner, sizeof(d->owner), "root");
	str_copy(d->group, sizeof(d->group), "kvm");
	d->access = present ? (R_OK | W_OK) : -1;
	d->kernel_has_device = present ? 1 : -1;
	return d;
}

static inline void fb_kvm_ok(struct host_facts *f)
{
	static const char *const caps[] = {"irqchip",  "user-memory", "ioeventfd",  "irqfd",
					   "nr-vcpus", "max-vcpus",   "nr-memslots"};
	struct kvm_facts *k = &f->kvm;
	k->source = SRC_LIVE;
	k->attempted = true;
	k->open_errno = 0;
	k->api_version = 12;
	k->create_vm_probed = true;
	k->create_vm_errno = 0;
	k->ncaps = 0;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		k->caps[k->ncaps++] =
		    (struct kvm_cap_fact){caps[i], strcmp(caps[i], "max-vcpus") ? 64 : 1024};
	k->smoke = SMOKE_OK;
	str_copy(k->smoke_detail, sizeof(k->smoke_detail), "test");
}

/* An Intel bare-metal node ready for Kata: every rule should pass. */
static inline struct host_facts *fb_intel_ready(void)
{
	struct host_facts *f = xcalloc(1, sizeof(*f));
	f->live = true;
	f->euid = 0;
	f->cpu.arch = ARCH_X86_64;
	str_copy(f->cpu.arch_name, sizeof(f->cpu.arch_name), "x86_64");
	f->cpu.cpuid_source = SRC_RECORDED;
	fb_cpuid(f, 0, 0x16, 0x756e6547, 0x6c65746e, 0x49656e69); /* GenuineIntel */
	fb_cpuid(f, 1, 0x000606a6, 0, (1u << 5) | (1u << 19), 0);
	fb_cpuid(f, 0x80000000, 0x80000008, 0, 0, 0);
	fb_cpuid(f, 0x80000001, 0, 0, 0, 1u << 29);
	f->cpu.vendor = VENDOR_INTEL;
	str_copy(f->cpu.vendor_id, sizeof(f->cpu.vendor_id), "GenuineIntel");
	str_copy(f->cpu.model_name, sizeof(f->cpu.model_name), "Test Xeon");
	f->cpu.cpuinfo_parsed = true;
	f->cpu.cpuinfo_processors = 8;
	f->cpu.cpuinfo_flags = xstrdup("fpu lm vmx sse4_1 sse4_2");
	for (const char *const *m = (const char *const[]){"kvm", "kvm_intel", "vhost", "vhost_net",
							  "vhost_vsock", "vsock", "tun", NULL};
	     *m; m++)
		fb_module(f, *m, MOD_LOADED);
	fb_module(f, "kvm_amd", MOD_AVAILABLE);
	fb_module(f, "kvm_pvm", MOD_ABSENT);
	fb_module(f, "vfio", MOD_AVAILABLE);
	fb_module(f, "vfio_pci", MOD_AVAILABLE);
	fb_module(f, "vfio_iommu_type1", MOD_AVAILABLE);
	fb_param(f, "kvm_intel", "unrestricted_guest", "Y");
	f->devices.source = SRC_LIVE;
	fb_device(f, "/dev/kvm", true, 10, 232);
	fb_device(f, "/dev/vhost-net", true, 10, 238);
	fb_device(f, "/dev/vhost-vsock", true, 10, 241);
	fb_device(f, "/dev/net/tun", true, 10, 200);
	fb_device(f, "/dev/vfio/vfio", false, 0, 0);
	fb_kvm_ok(f);
	f->iommu.ngroups = -1;
	f->res.cpus_online = 8;
	f->res.mem_known = true;
	f->res.mem_total_kib = 64 * 1024 * 1024;
	f->res.mem_available_kib = 60 * 1024 * 1024;
	f->res.cgroup = CGROUP_V2;
	str_copy(f->res.cgroup_available, sizeof(f->res.cgroup_available),
		 "cpuset cpu io memory hugetlb pids");
	str_copy(f->res.cgroup_subtree, sizeof(f->res.cgroup_subtree), "cpuset cpu io memory pids");
	f->res.cgroup_subtree_known = true;
	str_copy(f->res.kernel_release, sizeof(f->res.kernel_release), "6.1.0-13-amd64");
	return f;
}

static inline void fb_free(struct host_facts *f)
{
	host_facts_free(f);
	free(f);
}

/* Evaluate all rules with default inputs. */
static inline void fb_evaluate(const struct host_facts *f, struct report *r)
{
	struct rules_input in;
	rules_input_defaults(&in, f);
	memset(r, 0, sizeof(*r));
	rules_evaluate(&in, r);
}

static inline const struct report_item *fb_item(const struct report *r, const char *id)
{
	const struct report_item *it = report_find(r, id);
	if (!it)
		fail_msg("no report item '%s'", id);
	return it;
}

#define assert_level(r, id, lvl)                                                                   \
	assert_string_equal(level_name(fb_item(r, id)->level), level_name(lvl))
#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		const char *h_ = (hay);                                                            \
		if (!h_ || !strstr(h_, (needle)))                                                  \
			fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", (needle));      \
	} while (0)

#endif
