/* Kernel module rules: one row per module the runtime needs, with the level
 * its absence deserves and why it matters. Passthrough modules only count
 * where the host has an IOMMU to pass devices through. */
#include <string.h>

#include "cpu.h"
#include "devices.h"
#include "rules.h"
#include "strbuf.h"
#include "strutil.h"

enum need {
	NEED_REQUIRED,	  /* FAIL when missing */
	NEED_RECOMMENDED, /* WARN when missing: the runtime adapts */
	NEED_PASSTHROUGH, /* only for VFIO device passthrough */
	NEED_VENDOR,	  /* the KVM vendor module matching this CPU */
};

static const struct module_row {
	const char *module;
	const char *what;
	enum need need;
	const char *why;
} module_rows[] = {
    {"kvm", "Kernel-based Virtual Machine (kvm)", NEED_REQUIRED,
     "QEMU needs KVM for hardware virtualization"},
    {"kvm_intel", "Intel KVM (kvm_intel)", NEED_VENDOR, "KVM's backend for Intel VT-x"},
    {"kvm_amd", "AMD KVM (kvm_amd)", NEED_VENDOR, "KVM's backend for AMD-V"},
    {"kvm_hv", "KVM-HV for POWER (kvm_hv)", NEED_VENDOR, "KVM's hypervisor-mode backend"},
    {"vhost", "host kernel accelerator for virtio (vhost)", NEED_RECOMMENDED,
     "without it virtio devices are served by QEMU in user space (slower)"},
    {"vhost_net", "host kernel accelerator for virtio network (vhost_net)", NEED_RECOMMENDED,
     "without it the VM's network runs through QEMU (kata-runtime then sets disable_vhost_net)"},
    {"vhost_vsock", "host support for virtio-vsock (vhost_vsock)", NEED_RECOMMENDED,
     "without it the agent channel falls back to virtio-serial"},
    {"tun", "TUN/TAP network devices (tun)", NEED_REQUIRED,
     "the VM is attached to the pod's network through a tap device"},
    {"vfio", "VFIO (vfio)", NEED_PASSTHROUGH, "needed to pass PCI devices to a VM"},
    {"vfio_pci", "VFIO PCI driver (vfio_pci)", NEED_PASSTHROUGH,
     "needed to pass PCI devices to a VM"},
    {"vfio_iommu_type1", "VFIO IOMMU backend (vfio_iommu_type1)", NEED_PASSTHROUGH,
     "needed to pass PCI devices to a VM"},
};

/* A module whose device node is served by the running kernel is present
 * even when nothing else can say so (a built-in module without parameters
 * leaves no /sys/module entry). */
static const struct device_fact *served_node(const struct host_facts *f, const char *module)
{
	for (int i = 0; i < n_device_specs; i++) {
		if (strcmp(device_specs[i].module, module))
			continue;
		const struct device_fact *d = facts_device(f, device_specs[i].path);
		if (d && d->present && d->is_char && d->kernel_has_device == 1)
			return d;
	}
	return NULL;
}

/* How much a missing module matters for this row; false when what the row
 * needs settles the item on its own (reported, or not to be reported). */
static bool module_need(const struct host_facts *f, const struct module_row *row,
			const struct module_facts *m, const char *id, struct report *r,
			enum level *missing)
{
	const char *provider = rules_kvm_provider(f);
	*missing = LEVEL_FAIL;
	switch (row->need) {
	case NEED_REQUIRED: *missing = LEVEL_FAIL; break;
	case NEED_RECOMMENDED: *missing = LEVEL_WARN; break;
	case NEED_PASSTHROUGH:
		if (!rules_iommu_enabled(f) && !module_present(m)) {
			report_add(r, id, GROUP_MODULES, LEVEL_SKIP, row->what,
				   "not needed: this host has no enabled IOMMU for passthrough");
			return false;
		}
		*missing = LEVEL_WARN;
		break;
	case NEED_VENDOR: {
		const char *vendor = rules_vendor_kvm_module(f);
		if (!vendor || strcmp(vendor, row->module)) {
			/* the other vendor's module: report it only when it is what runs */
			if (!module_present(m))
				return false;
			report_add(r, id, GROUP_MODULES, LEVEL_PASS, row->what, "%s",
				   module_state_name(m->state));
			return false;
		}
		if (provider && !strcmp(provider, "kvm_pvm") && !module_present(m)) {
			struct report_item *it =
			    report_add(r, id, GROUP_MODULES, LEVEL_WARN, row->what,
				       "%s (%s); KVM is provided by kvm_pvm instead",
				       module_state_name(m->state), m->evidence);
			report_item_remedy(it, "see 'KVM can boot the default guest'");
			return false;
		}
		*missing = LEVEL_FAIL;
		enum virt_block block = rules_virt_block(f, NULL, 0);
		if (m->state == MOD_AVAILABLE && block != VIRT_AVAILABLE) {
			/* loading it would fail: no plan, the CPU check says why */
			struct report_item *it = report_add(
			    r, id, GROUP_MODULES, LEVEL_FAIL, row->what,
			    "available but cannot load: %s%s",
			    block == VIRT_FIRMWARE ? "the firmware disables hardware virtualization"
						   : "the CPU does not offer ",
			    block == VIRT_FIRMWARE ? "" : rules_virt_flag(f));
			report_item_detail(it, "%s", m->evidence);
			report_item_remedy(it, "see the hardware virtualization check");
			return false;
		}
		break;
	}
	}
	return true;
}

/* The module's state against what the row needs: present, or what to do. */
static void report_module_state(const struct host_facts *f, const struct module_row *row,
				const struct module_facts *m, const char *id, enum level missing,
				struct report *r)
{
	struct report_item *it;

	if (m->state == MOD_LOADED || m->state == MOD_BUILTIN) {
		it = report_add(r, id, GROUP_MODULES, LEVEL_PASS, row->what, "%s",
				m->state == MOD_LOADED ? "loaded" : "built into the kernel");
		report_item_detail(it, "%s", m->evidence);
		return;
	}
	const struct device_fact *node = served_node(f, row->module);
	if (node) {
		it = report_add(r, id, GROUP_MODULES, LEVEL_PASS, row->what,
				"present: the kernel serves %s", node->path);
		report_item_detail(it, "%s", m->evidence);
		return;
	}
	enum virt_block block = rules_virt_block(f, NULL, 0);
	if (m->state == MOD_AVAILABLE && !strcmp(row->module, "kvm") && block != VIRT_AVAILABLE) {
		it = report_add(r, id, GROUP_MODULES, missing, row->what,
				"available, but useless here: %s cannot load (%s)",
				rules_vendor_kvm_module(f),
				block == VIRT_FIRMWARE ? "the firmware disables it"
						       : "the CPU does not offer it");
		report_item_detail(it, "%s", m->evidence);
		report_item_remedy(it, "see the hardware virtualization check");
		return;
	}
	if (m->state == MOD_AVAILABLE && m->unindexed) {
		it = report_add(r, id, GROUP_MODULES, missing, row->what,
				"installed, but missing from the module database: modprobe cannot "
				"find it");
		report_item_detail(it, "%s; %s", m->evidence, row->why);
		report_item_remedy(it,
				   "run `depmod -a %s` (not run since the module was "
				   "installed), then `kata-setup`",
				   f->modules.release);
		return;
	}
	if (m->state == MOD_AVAILABLE) {
		it = report_add(r, id, GROUP_MODULES, missing, row->what,
				"available but not loaded%s",
				m->blacklisted ? ", and blacklisted" : "");
		report_item_detail(it, "%s; %s", m->evidence, row->why);
		if (m->blacklisted)
			report_item_remedy(it,
					   "remove the blacklist (or `install %s /bin/true`) entry "
					   "for %s from modprobe.d, then run `kata-setup`",
					   row->module, row->module);
		else
			report_item_remedy(it, "run `kata-setup` (or `modprobe %s`)", row->module);
		report_item_fix(it, FIX_LOAD_MODULE, row->module);
		return;
	}
	if (m->state == MOD_UNKNOWN) {
		it = report_add(r, id, GROUP_MODULES, LEVEL_WARN, row->what,
				"cannot tell whether it is available: %s", m->evidence);
		report_item_detail(it, "%s", row->why);
		report_item_remedy(it,
				   "give kata-check the host's /lib/modules or its kernel config "
				   "(/boot/config-<release> or /proc/config.gz)");
		return;
	}
	it = report_add(r, id, GROUP_MODULES, missing, row->what, "not available: %s", m->evidence);
	report_item_detail(it, "%s", row->why);
	if (m->kconfig_value == 'm' || (m->evidence[0] && strstr(m->evidence, "is missing")))
		report_item_remedy(it,
				   "install the kernel's extra modules package (the one that "
				   "ships %s.ko for %s)",
				   row->module, f->modules.release);
	else if (f->modules.modules_support == 'n')
		report_item_remedy(it,
				   "this kernel has no module support and was built without "
				   "%s; boot a kernel built with %s=y or =m",
				   m->kconfig, m->kconfig);
	else
		report_item_remedy(it, "boot a kernel built with %s (=m or =y)", m->kconfig);
}

/* vhost_vsock would load but fail with EBUSY: another transport owns vsock. */
static bool vsock_taken(const struct host_facts *f, const struct module_row *row, const char *id,
			struct report *r)
{
	const char *other = rules_vsock_conflict(f);
	if (strcmp(row->module, "vhost_vsock") || !other)
		return false;
	const char *who = !strcmp(other, "hv_sock") ? "a Hyper-V guest's" : "a VMware guest's";
	struct report_item *it =
	    report_add(r, id, GROUP_MODULES, LEVEL_WARN, row->what,
		       "cannot load: %s vsock transport %s owns vsock (Linux %s, before 5.5)", who,
		       other, f->res.kernel_release);
	report_item_detail(
	    it,
	    "loading vhost_vsock fails with EBUSY while %s is loaded; the agent "
	    "channel uses virtio-serial instead (kata-runtime sets use_vsock = false)",
	    other);
	report_item_remedy(it,
			   "nothing is needed: virtio-serial works. For vsock, `modprobe -r %s` "
			   "(the hypervisor's own guest channel stops) and then `modprobe "
			   "vhost_vsock`, or boot Linux 5.5 or later",
			   other);
	return true;
}

static void rule_module(const struct host_facts *f, const struct module_row *row, struct report *r)
{
	const struct module_facts *m = facts_module(f, row->module);
	enum level missing;
	char id[64];

	if (!m)
		return; /* not probed on this architecture */
	snprintf(id, sizeof(id), "modules.%s", row->module);
	if (vsock_taken(f, row, id, r))
		return;
	if (module_need(f, row, m, id, r, &missing))
		report_module_state(f, row, m, id, missing, r);
}

static void rule_param(const struct host_facts *f, struct report *r, const char *module,
		       const char *param, const char *what, const char *why)
{
	const struct module_facts *m = facts_module(f, module);
	const struct module_param_fact *p = facts_module_param(m, param);
	const char *vendor = rules_vendor_kvm_module(f);
	char id[96];
	struct report_item *it;

	if (!module_present(m) || !vendor || strcmp(vendor, module) || !p)
		return;
	snprintf(id, sizeof(id), "modules.%s.%s", module, param);
	if (p->read_errno) {
		report_add(r, id, GROUP_MODULES, LEVEL_SKIP, what,
			   "/sys/module/%s/parameters/%s unreadable: %s", module, param,
			   strerror(p->read_errno));
		return;
	}
	int b = parse_kernel_bool(p->value);
	if (b < 0) {
		it = report_add(r, id, GROUP_MODULES, LEVEL_WARN, what,
				"unrecognised value '%s' (expected Y or N)", p->value);
		report_item_remedy(it, "check /sys/module/%s/parameters/%s", module, param);
		return;
	}
	if (b) {
		report_add(r, id, GROUP_MODULES, LEVEL_PASS, what, "%s=%s", param, p->value);
		return;
	}
	/* Kata's heuristic: unrestricted_guest marks a CPU new enough (Westmere+);
	 * inside a VM the hypervisor decides, so it is only a warning there. */
	it = report_add(r, id, GROUP_MODULES, f->cpu.hypervisor_bit ? LEVEL_WARN : LEVEL_FAIL, what,
			"%s=%s: %s", param, p->value, why);
	report_item_remedy(
	    it, "%s",
	    f->cpu.hypervisor_bit
		? "expected inside some VMs; enable it on the outer hypervisor if guests fail to "
		  "boot"
		: "a CPU older than Westmere cannot run the default guest; use another node");
}

/* Module files the database does not list: depmod has not run since they
 * were installed (a kernel update that skipped it, a hand-copied .ko). */
static void rule_stale_index(const struct host_facts *f, struct report *r)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < f->modules.n; i++)
		if (f->modules.mods[i].unindexed)
			strbuf_appendf(&sb, "%s%s", sb.len ? ", " : "", f->modules.mods[i].path);
	if (!sb.len)
		return;
	struct report_item *it =
	    report_add(r, "modules.index", GROUP_MODULES, LEVEL_WARN, "module database",
		       "out of date: modules.dep does not "
		       "list installed modules");
	report_item_detail(it, "on disk but not in %s/modules.dep: %s", f->modules.modules_dir,
			   sb.s);
	report_item_remedy(it, "run `depmod -a %s`", f->modules.release);
	strbuf_release(&sb);
}

void rules_modules(const struct rules_input *in, struct report *r)
{
	const struct host_facts *f = in->facts;

	if (f->modules.kmod_error[0] && f->modules.modules_support != 'n') {
		struct report_item *it = report_add(r, "modules.index", GROUP_MODULES, LEVEL_WARN,
						    "module database", "%s", f->modules.kmod_error);
		report_item_remedy(it,
				   "install the kernel's modules (linux-image-%s) and run "
				   "`depmod -a %s`",
				   f->modules.release, f->modules.release);
	}
	rule_stale_index(f, r);
	for (size_t i = 0; i < ARRAY_SIZE(module_rows); i++)
		rule_module(f, &module_rows[i], r);
	rule_param(f, r, "kvm_intel", "unrestricted_guest", "VMX unrestricted guest (kvm_intel)",
		   "real-mode guest code needs emulation");
}
