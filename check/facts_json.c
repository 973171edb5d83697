/* struct host_facts as JSON, field for field, for `kata-check --json`. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cpu.h"
#include "recorded.h"
#include "strutil.h"
#include "render.h"
#include "strbuf.h"
#include "xalloc.h"

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static json_t *tri_json(enum tri t)
{
	return t == TRI_UNKNOWN ? json_null() : json_boolean(t == TRI_YES);
}

static json_t *cpu_json(const struct cpu_facts *c)
{
	static const char *const flags[] = {"vmx", "svm", "lm", "sse4_1", "hypervisor", "nx"};
	json_t *o = json_object(), *fl = json_object(), *cpuid = json_object();

	json_object_set_new(o, "arch",
			    json_string(c->arch_name[0] ? c->arch_name : arch_name(c->arch)));
	json_object_set_new(o, "vendor", json_string(vendor_name(c->vendor)));
	json_object_set_new(o, "vendor_id", str_or_null(c->vendor_id));
	json_object_set_new(o, "model_name", str_or_null(c->model_name));
	if (c->has_family) {
		json_object_set_new(o, "family", json_integer(c->family));
		json_object_set_new(o, "model", json_integer(c->model));
		json_object_set_new(o, "stepping", json_integer(c->stepping));
	}
	json_object_set_new(o, "hypervisor", json_boolean(c->hypervisor_bit));
	json_object_set_new(o, "hypervisor_id", str_or_null(c->hypervisor_id));
	json_object_set_new(o, "hypervisor_name", str_or_null(c->hypervisor_name));
	json_object_set_new(cpuid, "source", json_string(source_name(c->cpuid_source)));
	json_object_set_new(cpuid, "error",
			    str_or_null(c->cpuid_source == SRC_NONE ? c->cpuid_error : NULL));
	json_object_set_new(o, "cpuid", cpuid);
	if (c->arch == ARCH_X86_64)
		for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
			json_t *fo = json_object();
			json_object_set_new(fo, "cpuid", tri_json(cpu_flag_in_cpuid(c, flags[i])));
			json_object_set_new(fo, "cpuinfo",
					    tri_json(cpu_flag_in_cpuinfo(c, flags[i])));
			json_object_set_new(fl, flags[i], fo);
		}
	json_object_set_new(o, "flags", fl);
	json_object_set_new(o, "cpuinfo_error",
			    c->cpuinfo_errno ? json_string(errno_name(c->cpuinfo_errno))
					     : json_null());
	json_object_set_new(o, "processors", json_integer(c->cpuinfo_processors));
	if (c->cpu_implementer[0])
		json_object_set_new(o, "implementer", json_string(c->cpu_implementer));
	if (c->cpu_part[0])
		json_object_set_new(o, "part", json_string(c->cpu_part));
	if (c->ppc_platform[0])
		json_object_set_new(o, "platform", json_string(c->ppc_platform));
	return o;
}

static json_t *modules_json(const struct modules_facts *mf)
{
	json_t *o = json_object(), *mods = json_object();
	const char ms[2] = {mf->modules_support, 0};

	json_object_set_new(o, "release", str_or_null(mf->release));
	json_object_set_new(o, "modules_dir", json_string(mf->modules_dir));
	json_object_set_new(o, "modules_dir_present", json_boolean(mf->modules_dir_present));
	json_object_set_new(o, "database_error", str_or_null(mf->kmod_error));
	json_object_set_new(o, "kernel_config", str_or_null(mf->kernel_config));
	json_object_set_new(o, "module_support",
			    mf->modules_support ? json_boolean(ms[0] == 'y') : json_null());
	for (int i = 0; i < mf->n; i++) {
		const struct module_facts *m = &mf->mods[i];
		json_t *mo = json_object(), *params = json_object();
		char kv[2] = {m->kconfig_value, 0};

		json_object_set_new(mo, "state", json_string(module_state_name(m->state)));
		json_object_set_new(mo, "evidence", json_string(m->evidence));
		json_object_set_new(mo, "path", str_or_null(m->path));
		json_object_set_new(mo, "kconfig", json_string(m->kconfig));
		json_object_set_new(mo, "kconfig_value", str_or_null(kv));
		json_object_set_new(mo, "unindexed", json_boolean(m->unindexed));
		json_object_set_new(mo, "blacklisted", json_boolean(m->blacklisted));
		json_object_set_new(mo, "options", str_or_null(m->options));
		json_object_set_new(mo, "refcnt",
				    m->refcnt >= 0 ? json_integer(m->refcnt) : json_null());
		for (int k = 0; k < m->nparams; k++)
			json_object_set_new(params, m->params[k].name,
					    m->params[k].read_errno
						? json_null()
						: json_string(m->params[k].value));
		json_object_set_new(mo, "parameters", params);
		json_object_set_new(mods, m->name, mo);
	}
	json_object_set_new(o, "modules", mods);
	return o;
}

static json_t *kvm_json(const struct kvm_facts *k)
{
	json_t *o = json_object(), *caps = json_object();

	json_object_set_new(o, "source", json_string(source_name(k->source)));
	json_object_set_new(o, "recording_error", str_or_null(k->record_error));
	json_object_set_new(o, "open",
			    k->attempted ? json_string(errno_name(k->open_errno)) : json_null());
	json_object_set_new(o, "api_version",
			    k->api_version >= 0 ? json_integer(k->api_version) : json_null());
	json_object_set_new(o, "create_vm",
			    k->create_vm_probed ? json_string(errno_name(k->create_vm_errno))
						: json_null());
	for (int i = 0; i < k->ncaps; i++)
		json_object_set_new(caps, k->caps[i].name,
				    k->caps[i].value >= 0 ? json_integer(k->caps[i].value)
							  : json_null());
	json_object_set_new(o, "capabilities", caps);
	json_object_set_new(o, "smoke", json_string(smoke_result_name(k->smoke)));
	json_object_set_new(o, "smoke_detail", str_or_null(k->smoke_detail));
	return o;
}

static json_t *devices_json(const struct devices_facts *df)
{
	json_t *o = json_object(), *nodes = json_object();

	json_object_set_new(o, "source", json_string(source_name(df->source)));
	json_object_set_new(o, "recording_error", str_or_null(df->record_error));
	json_object_set_new(o, "udev_running", json_boolean(df->udev_running));
	for (int i = 0; i < df->n; i++) {
		const struct device_fact *d = &df->devs[i];
		json_t *no = json_object();

		json_object_set_new(no, "present", json_boolean(d->present));
		if (d->present) {
			char buf[16];
			json_object_set_new(no, "type", json_string(d->is_char ? "char" : "other"));
			snprintf(buf, sizeof(buf), "%u:%u", d->major, d->minor);
			json_object_set_new(no, "number", json_string(buf));
			snprintf(buf, sizeof(buf), "%04o", (unsigned)d->mode);
			json_object_set_new(no, "mode", json_string(buf));
			json_object_set_new(no, "owner", json_string(d->owner));
			json_object_set_new(no, "group", json_string(d->group));
			if (d->access >= 0) {
				snprintf(buf, sizeof(buf), "%s%s", d->access & R_OK ? "r" : "",
					 d->access & W_OK ? "w" : "");
				json_object_set_new(no, "access", json_string(buf));
			}
			json_object_set_new(no, "kernel_has_device",
					    d->kernel_has_device < 0
						? json_null()
						: json_boolean(d->kernel_has_device));
			json_object_set_new(no, "sysfs", str_or_null(d->sysfs_class));
			if (d->udev_known)
				json_object_set_new(no, "udev_initialized",
						    json_boolean(d->udev_initialized));
		} else {
			json_object_set_new(no, "error", json_string(errno_name(d->stat_errno)));
		}
		json_object_set_new(nodes, d->path, no);
	}
	json_object_set_new(o, "nodes", nodes);
	return o;
}

static json_t *iommu_json(const struct iommu_facts *i)
{
	json_t *o = json_object(), *acpi = json_object(), *devs = json_array();

	json_object_set_new(acpi, "DMAR", json_boolean(i->acpi_dmar));
	json_object_set_new(acpi, "IVRS", json_boolean(i->acpi_ivrs));
	json_object_set_new(acpi, "IORT", json_boolean(i->acpi_iort));
	json_object_set_new(o, "acpi_tables", acpi);
	json_object_set_new(o, "units", str_or_null(i->units));
	json_object_set_new(o, "groups", i->ngroups >= 0 ? json_integer(i->ngroups) : json_null());
	json_object_set_new(o, "kernel_parameters", str_or_null(i->cmdline_iommu));
	json_object_set_new(o, "pci_error", str_or_null(i->pci_scanned ? NULL : i->pci_error));
	for (int k = 0; k < i->ndevs; k++) {
		const struct pci_device_fact *d = &i->devs[k];
		json_t *dev = json_object();
		char buf[16];

		json_object_set_new(dev, "address", json_string(d->bdf));
		snprintf(buf, sizeof(buf), "%04x", d->vendor);
		json_object_set_new(dev, "vendor", json_string(buf));
		snprintf(buf, sizeof(buf), "%04x", d->device);
		json_object_set_new(dev, "device", json_string(buf));
		snprintf(buf, sizeof(buf), "%04x", d->class);
		json_object_set_new(dev, "class", json_string(buf));
		json_object_set_new(dev, "driver", str_or_null(d->driver));
		json_object_set_new(dev, "iommu_group",
				    d->iommu_group >= 0 ? json_integer(d->iommu_group)
							: json_null());
		json_object_set_new(dev, "mmio32", json_integer((json_int_t)d->mmio32));
		json_object_set_new(dev, "mmio64", json_integer((json_int_t)d->mmio64));
		json_array_append_new(devs, dev);
	}
	json_object_set_new(o, "pci_devices", devs);
	return o;
}

/* "a b c" as ["a", "b", "c"] */
static json_t *words_json(const char *s)
{
	json_t *a = json_array();
	_cleanup_free_ char *copy = xstrdup(s);
	char *save = NULL;
	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		json_array_append_new(a, json_string(w));
	return a;
}

static json_t *resources_json(const struct resource_facts *r)
{
	json_t *o = json_object(), *mem = json_object(), *os = json_object();

	json_object_set_new(o, "cpus_online",
			    r->cpus_online ? json_integer(r->cpus_online) : json_null());
	if (r->mem_known) {
		json_object_set_new(mem, "total_kib", json_integer((json_int_t)r->mem_total_kib));
		json_object_set_new(mem, "available_kib",
				    json_integer((json_int_t)r->mem_available_kib));
		json_object_set_new(mem, "hugepages_total",
				    json_integer((json_int_t)r->hugepages_total));
		json_object_set_new(mem, "hugepages_free",
				    json_integer((json_int_t)r->hugepages_free));
		json_object_set_new(mem, "hugepage_size_kib",
				    json_integer((json_int_t)r->hugepage_size_kib));
		json_object_set_new(mem, "swap_total_kib",
				    json_integer((json_int_t)r->swap_total_kib));
		json_object_set_new(mem, "swap_free_kib",
				    json_integer((json_int_t)r->swap_free_kib));
		json_object_set_new(mem, "commit_limit_kib",
				    json_integer((json_int_t)r->commit_limit_kib));
		json_object_set_new(mem, "committed_kib",
				    json_integer((json_int_t)r->committed_kib));
	}
	json_object_set_new(mem, "overcommit",
			    r->overcommit >= 0 ? json_integer(r->overcommit) : json_null());
	json_object_set_new(o, "memory", mem);
	json_object_set_new(o, "cgroup", json_string(cgroup_layout_name(r->cgroup)));
	json_t *cg = json_object();
	json_object_set_new(cg, "available", words_json(r->cgroup_available));
	json_object_set_new(cg, "subtree",
			    r->cgroup_subtree_known ? words_json(r->cgroup_subtree) : json_null());
	json_object_set_new(cg, "disabled", words_json(r->cgroup_disabled));
	json_object_set_new(o, "cgroup_controllers", cg);
	json_object_set_new(o, "kernel_release", str_or_null(r->kernel_release));
	json_object_set_new(o, "kernel_version", str_or_null(r->kernel_version));
	json_object_set_new(os, "id", str_or_null(r->distro_id));
	json_object_set_new(os, "version_id", str_or_null(r->distro_version));
	json_object_set_new(os, "pretty_name", str_or_null(r->distro_name));
	json_object_set_new(os, "name", str_or_null(r->os_name));
	json_object_set_new(o, "os", os);
	return o;
}

static json_t *msr_json(bool known, uint64_t value)
{
	char buf[24];
	if (!known)
		return json_null();
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)value);
	return json_string(buf);
}

static json_t *firmware_json(const struct firmware_facts *fw)
{
	json_t *o = json_object(), *log = json_object(), *msr = json_object();

	json_object_set_new(log, "source", json_string(source_name(fw->log_source)));
	json_object_set_new(log, "error", str_or_null(fw->log_error));
	json_object_set_new(log, "virt_disabled", str_or_null(fw->virt_disabled));
	json_object_set_new(log, "sev", str_or_null(fw->sev));
	json_object_set_new(log, "sev_es", str_or_null(fw->sev_es));
	json_object_set_new(log, "sev_snp", str_or_null(fw->sev_snp));
	json_object_set_new(log, "tdx", str_or_null(fw->tdx));
	json_object_set_new(log, "tdx_bios", str_or_null(fw->tdx_bios));
	json_object_set_new(o, "kernel_log", log);
	json_object_set_new(msr, "source", json_string(source_name(fw->msr_source)));
	json_object_set_new(msr, "error", str_or_null(fw->msr_error));
	json_object_set_new(msr, "ia32_feature_control",
			    msr_json(fw->feature_control_known, fw->feature_control));
	json_object_set_new(msr, "vm_cr", msr_json(fw->vm_cr_known, fw->vm_cr));
	json_object_set_new(o, "msr", msr);
	json_object_set_new(o, "s390_prot_virt_host",
			    fw->s390_prot_virt_host < 0 ? json_null()
							: json_boolean(fw->s390_prot_virt_host));
	return o;
}

json_t *facts_to_json(const struct host_facts *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "live", json_boolean(f->live));
	json_object_set_new(o, "uid", json_integer(f->euid));
	json_object_set_new(o, "cpu", cpu_json(&f->cpu));
	json_object_set_new(o, "modules", modules_json(&f->modules));
	json_object_set_new(o, "kvm", kvm_json(&f->kvm));
	json_object_set_new(o, "devices", devices_json(&f->devices));
	json_object_set_new(o, "iommu", iommu_json(&f->iommu));
	json_object_set_new(o, "resources", resources_json(&f->res));
	json_object_set_new(o, "firmware", firmware_json(&f->firmware));
	return o;
}
