/* Look-ups and names for struct host_facts (see facts.h). */
#include "facts.h"

#include <stdlib.h>
#include <string.h>

void host_facts_free(struct host_facts *f)
{
	free(f->cpu.cpuinfo_flags);
	f->cpu.cpuinfo_flags = NULL;
	free(f->iommu.devs);
	f->iommu.devs = NULL;
	f->iommu.ndevs = 0;
}

const struct module_facts *facts_module(const struct host_facts *f, const char *name)
{
	for (int i = 0; i < f->modules.n; i++)
		if (!strcmp(f->modules.mods[i].name, name))
			return &f->modules.mods[i];
	return NULL;
}

const struct module_param_fact *facts_module_param(const struct module_facts *m, const char *name)
{
	if (!m)
		return NULL;
	for (int i = 0; i < m->nparams; i++)
		if (!strcmp(m->params[i].name, name))
			return &m->params[i];
	return NULL;
}

const struct device_fact *facts_device(const struct host_facts *f, const char *path)
{
	for (int i = 0; i < f->devices.n; i++)
		if (!strcmp(f->devices.devs[i].path, path))
			return &f->devices.devs[i];
	return NULL;
}

const struct cpuid_leaf *facts_cpuid(const struct cpu_facts *c, uint32_t leaf, uint32_t subleaf)
{
	for (int i = 0; i < c->ncpuid; i++)
		if (c->cpuid[i].leaf == leaf && c->cpuid[i].subleaf == subleaf)
			return &c->cpuid[i];
	return NULL;
}

long facts_kvm_cap(const struct kvm_facts *k, const char *name)
{
	for (int i = 0; i < k->ncaps; i++)
		if (!strcmp(k->caps[i].name, name))
			return k->caps[i].value;
	return -1;
}

bool module_present(const struct module_facts *m)
{
	return m && (m->state == MOD_LOADED || m->state == MOD_BUILTIN);
}

const char *arch_name(enum host_arch a)
{
	switch (a) {
	case ARCH_X86_64: return "x86_64";
	case ARCH_ARM64: return "aarch64";
	case ARCH_PPC64LE: return "ppc64le";
	case ARCH_S390X: return "s390x";
	case ARCH_OTHER: return "other";
	case ARCH_UNKNOWN: break;
	}
	return "unknown";
}

const char *vendor_name(enum cpu_vendor v)
{
	switch (v) {
	case VENDOR_INTEL: return "Intel";
	case VENDOR_AMD: return "AMD";
	case VENDOR_HYGON: return "Hygon";
	case VENDOR_ZHAOXIN: return "Zhaoxin";
	case VENDOR_CENTAUR: return "Centaur";
	case VENDOR_ARM: return "Arm";
	case VENDOR_IBM: return "IBM";
	case VENDOR_OTHER: return "other";
	case VENDOR_UNKNOWN: break;
	}
	return "unknown";
}

const char *module_state_name(enum module_state s)
{
	switch (s) {
	case MOD_LOADED: return "loaded";
	case MOD_BUILTIN: return "built-in";
	case MOD_AVAILABLE: return "available";
	case MOD_ABSENT: return "absent";
	case MOD_UNKNOWN: break;
	}
	return "unknown";
}

const char *source_name(enum fact_source s)
{
	switch (s) {
	case SRC_LIVE: return "live";
	case SRC_RECORDED: return "recorded";
	case SRC_NONE: break;
	}
	return "none";
}

const char *cgroup_layout_name(enum cgroup_layout c)
{
	switch (c) {
	case CGROUP_NONE: return "none";
	case CGROUP_V1: return "v1";
	case CGROUP_HYBRID: return "hybrid";
	case CGROUP_V2: return "v2";
	case CGROUP_UNKNOWN: break;
	}
	return "unknown";
}

const char *smoke_result_name(enum smoke_result s)
{
	switch (s) {
	case SMOKE_OK: return "ok";
	case SMOKE_FAILED: return "failed";
	case SMOKE_SKIPPED: return "skipped";
	case SMOKE_NOT_RUN: break;
	}
	return "not-run";
}

bool kvm_runs_guests(const struct kvm_facts *k)
{
	if (!k->attempted || k->open_errno || k->api_version != 12 || !k->create_vm_probed ||
	    k->create_vm_errno)
		return false;
	return k->smoke == SMOKE_OK || k->smoke == SMOKE_SKIPPED;
}
