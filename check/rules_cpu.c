/* CPU rules: identity, the virtualization extension, and the features the
 * default VM needs. Each x86 requirement is a row; a flag is judged from
 * CPUID (what the silicon or hypervisor offers) and from /proc/cpuinfo
 * (what the kernel left visible), so a flag the firmware or kernel hides is
 * told apart from one the CPU lacks. */
#include <string.h>

#include "cpu.h"
#include "rules.h"

enum vendor_mask {
	VM_INTEL = 1 << VENDOR_INTEL,
	VM_AMD = 1 << VENDOR_AMD,
	VM_HYGON = 1 << VENDOR_HYGON,
	VM_ZHAOXIN = 1 << VENDOR_ZHAOXIN,
	VM_CENTAUR = 1 << VENDOR_CENTAUR,
	VM_ANY = ~0,
};

/* The virtualization extension, per vendor: flag, name, firmware switch. */
static const struct virt_row {
	unsigned vendors;
	// cppcheck-suppress unusedStructMember ; read through row->flag (cppcheck misses it)
	const char *flag;
	const char *name;
	const char *firmware_switch;
} virt_rows[] = {
    {VM_INTEL, "vmx", "Intel VT-x", "Intel Virtualization Technology (VT-x)"},
    {VM_ZHAOXIN | VM_CENTAUR, "vmx", "VT-x (VMX)", "VMX / Virtualization Technology"},
    {VM_AMD | VM_HYGON, "svm", "AMD-V", "SVM Mode (AMD-V)"},
};

/* Further x86 features the default VM needs. */
static const struct feature_row {
	const char *id;
	const char *flag;
	const char *what;
	const char *why;
} x86_feature_rows[] = {
    {"cpu.lm", "lm", "64-bit long mode (lm)", "the guest kernel is 64-bit"},
    {"cpu.sse4_1", "sse4_1", "SSE4.1 (sse4_1)",
     "Kata's default guest kernel and QEMU CPU model need SSE4.1"},
};

static void rule_vendor(const struct host_facts *f, struct report *r)
{
	const struct cpu_facts *c = &f->cpu;
	struct report_item *it;

	if (c->vendor == VENDOR_UNKNOWN) {
		it = report_add(r, "cpu.vendor", GROUP_CPU, LEVEL_WARN, "CPU vendor",
				"the CPU vendor could not be determined");
		report_item_detail(it, "CPUID: %s; /proc/cpuinfo: %s",
				   c->cpuid_source != SRC_NONE ? "no vendor leaf" : c->cpuid_error,
				   c->cpuinfo_errno ? "unreadable" : "no vendor field");
		report_item_remedy(it, "check that /proc is mounted in the host root");
		return;
	}
	if (c->vendor == VENDOR_OTHER) {
		const char *disp = cpu_vendor_display(c->vendor_id);
		it = report_add(r, "cpu.vendor", GROUP_CPU, LEVEL_WARN, "CPU vendor",
				"unlisted vendor %s ('%s'): judged by CPUID feature bits alone",
				disp ? disp : "", c->vendor_id);
		report_item_remedy(it, "none needed if the checks below pass; report the vendor "
				       "string so it can be added to kata-check's tables");
		return;
	}
	it = report_add(r, "cpu.vendor", GROUP_CPU, LEVEL_PASS, "CPU vendor", "%s%s%s%s",
			vendor_name(c->vendor), c->model_name[0] ? " (" : "", c->model_name,
			c->model_name[0] ? ")" : "");
	if (c->has_family)
		report_item_detail(it, "vendor id %s, family %u, model %u, stepping %u",
				   c->vendor_id, c->family, c->model, c->stepping);
	else if (c->vendor_id[0])
		report_item_detail(it, "vendor id %s", c->vendor_id);
}

static void rule_sources(const struct host_facts *f, struct report *r)
{
	const struct cpu_facts *c = &f->cpu;
	struct report_item *it;

	if (c->cpuinfo_errno || !c->cpuinfo_parsed) {
		it = report_add(r, "cpu.cpuinfo", GROUP_CPU, LEVEL_WARN, "/proc/cpuinfo", "%s",
				c->cpuinfo_errno ? "cannot be read" : "lists no processor");
		if (c->cpuinfo_errno)
			report_item_detail(it, "/proc/cpuinfo: %s", strerror(c->cpuinfo_errno));
		report_item_remedy(it, c->cpuid_source != SRC_NONE
					   ? "CPU features are judged from CPUID alone; mount "
					     "/proc in the host root to cross-check"
					   : "mount /proc in the host root (a DaemonSet needs the "
					     "node's /proc under --host-root)");
	}
	if (c->arch == ARCH_X86_64 && c->cpuid_source == SRC_NONE) {
		it = report_add(r, "cpu.cpuid", GROUP_CPU, LEVEL_WARN, "CPUID", "unavailable: %s",
				c->cpuid_error);
		report_item_remedy(it, "CPU features are judged from /proc/cpuinfo alone; fix or "
				       "remove the recording to use CPUID");
	}
}

static void rule_hypervisor(const struct host_facts *f, struct report *r)
{
	const struct cpu_facts *c = &f->cpu;

	if (c->arch != ARCH_X86_64)
		return;
	if (!c->hypervisor_bit) {
		report_add(r, "cpu.hypervisor", GROUP_CPU, LEVEL_PASS,
			   "whether the host is a virtual machine",
			   "bare metal (no hypervisor bit in CPUID)");
		return;
	}
	struct report_item *it = report_add(
	    r, "cpu.hypervisor", GROUP_CPU, LEVEL_PASS, "whether the host is a virtual machine",
	    "running inside a VM (%s): containers will run as nested VMs",
	    c->hypervisor_name[0] ? c->hypervisor_name : "hypervisor not identified");
	if (c->hypervisor_id[0])
		report_item_detail(it, "hypervisor signature '%s'", c->hypervisor_id);
}

static const struct virt_row *virt_row_for(const struct host_facts *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(virt_rows); i++)
		if (virt_rows[i].vendors & (1u << f->cpu.vendor))
			return &virt_rows[i];
	return NULL;
}

static void rule_virt(const struct host_facts *f, struct report *r)
{
	const struct cpu_facts *c = &f->cpu;
	const char *flag = rules_virt_flag(f);
	const struct virt_row *row = virt_row_for(f);
	char what[96];
	const char *name = row ? row->name : (!strcmp(flag, "svm") ? "AMD-V" : "VT-x");
	const char *fw = row ? row->firmware_switch : "the virtualization extension";
	enum tri in_cpuid = cpu_flag_in_cpuid(c, flag), in_info = cpu_flag_in_cpuinfo(c, flag);
	const char *provider = rules_kvm_provider(f);
	/* a user who may not open /dev/kvm cannot test it: a loaded KVM backend
	 * then counts as it would for root, so the verdict does not depend on
	 * who asks */
	bool untested = rules_kvm_untested_as_user(f) && provider;
	bool kvm_ok = rules_kvm_runs_guests(f) || untested;
	struct report_item *it;

	snprintf(what, sizeof(what), "hardware virtualization (%s, %s)", name, flag);
	char why[200];
	if (rules_virt_block(f, why, sizeof(why)) == VIRT_FIRMWARE) {
		it = report_add(r, "cpu.virt", GROUP_CPU, LEVEL_FAIL, what,
				"%s is disabled in the firmware", name);
		report_item_detail(it, "%s", why);
		report_item_remedy(it,
				   "enable \"%s\" in the BIOS/UEFI setup, then power the machine "
				   "off and on (a reboot is not always enough); loading %s fails "
				   "until then",
				   fw, rules_vendor_kvm_module(f));
		return;
	}
	if (in_cpuid == TRI_YES && in_info != TRI_NO) {
		report_add(r, "cpu.virt", GROUP_CPU, LEVEL_PASS, what, "%s is present", flag);
		return;
	}
	if (in_cpuid == TRI_YES && in_info == TRI_NO) {
		/* KVM runs all the same (a lock the kernel misread, or a hypervisor's) */
		report_add(r, "cpu.virt", GROUP_CPU, LEVEL_PASS, what,
			   "%s is in CPUID but hidden from /proc/cpuinfo; KVM runs guests", flag);
		return;
	}
	if (in_cpuid == TRI_UNKNOWN && in_info == TRI_YES) {
		report_add(r, "cpu.virt", GROUP_CPU, LEVEL_PASS, what,
			   "%s is listed in /proc/cpuinfo (CPUID unavailable)", flag);
		return;
	}
	if (in_cpuid == TRI_UNKNOWN && in_info == TRI_UNKNOWN) {
		it = report_add(r, "cpu.virt", GROUP_CPU, kvm_ok ? LEVEL_WARN : LEVEL_FAIL, what,
				"neither CPUID nor /proc/cpuinfo could be read");
		report_item_remedy(it, "mount /proc in the host root");
		return;
	}
	/* the flag is missing */
	if (kvm_ok) {
		it = report_add(r, "cpu.virt", GROUP_CPU, LEVEL_WARN, what,
				untested ? "%s is not offered, yet KVM is provided here%s%s"
					 : "%s is not offered, yet KVM runs guests here%s%s",
				flag, provider ? " through " : "", provider ? provider : "");
		report_item_detail(
		    it,
		    "kata-check judges KVM by using it (see the KVM checks), not by the CPU flag");
		report_item_remedy(
		    it, "none for the flag; see the KVM checks for what this KVM can run");
		return;
	}
	if (c->hypervisor_bit) {
		it = report_add(r, "cpu.virt", GROUP_CPU, LEVEL_FAIL, what,
				"%s is not exposed to this VM by its hypervisor (%s): nested "
				"virtualization is off",
				flag, c->hypervisor_name[0] ? c->hypervisor_name : "unidentified");
		report_item_remedy(it,
				   "on the machine that runs this VM, enable nested virtualization "
				   "(kvm_intel/kvm_amd nested=1) and give the VM a CPU model that "
				   "includes %s (e.g. QEMU -cpu host); or use a bare-metal node",
				   flag);
		return;
	}
	it = report_add(r, "cpu.virt", GROUP_CPU, LEVEL_FAIL, what, "this CPU has no %s (%s)", name,
			flag);
	report_item_remedy(
	    it, "Kata Containers needs a CPU with hardware virtualization; use another node");
}

static void rule_feature(const struct host_facts *f, const struct feature_row *row,
			 struct report *r)
{
	const struct cpu_facts *c = &f->cpu;
	enum tri in_cpuid = cpu_flag_in_cpuid(c, row->flag),
		 in_info = cpu_flag_in_cpuinfo(c, row->flag);
	struct report_item *it;

	if (in_cpuid == TRI_YES || (in_cpuid == TRI_UNKNOWN && in_info == TRI_YES)) {
		if (in_info == TRI_NO) {
			it = report_add(r, row->id, GROUP_CPU, LEVEL_WARN, row->what,
					"%s is in CPUID but hidden from /proc/cpuinfo", row->flag);
			report_item_remedy(
			    it, "check the kernel command line for clearcpuid= or similar");
			return;
		}
		report_add(r, row->id, GROUP_CPU, LEVEL_PASS, row->what, "%s is present",
			   row->flag);
		return;
	}
	if (in_cpuid == TRI_UNKNOWN && in_info == TRI_UNKNOWN) {
		it = report_add(r, row->id, GROUP_CPU, LEVEL_WARN, row->what,
				"cannot tell: neither CPUID nor /proc/cpuinfo could be read");
		report_item_remedy(it, "mount /proc in the host root");
		return;
	}
	it = report_add(r, row->id, GROUP_CPU, LEVEL_FAIL, row->what, "%s is missing: %s",
			row->flag, row->why);
	report_item_remedy(it,
			   c->hypervisor_bit
			       ? "give this VM a CPU model that includes %s (e.g. QEMU -cpu host)"
			       : "this CPU cannot run the default guest; use another node%s",
			   c->hypervisor_bit ? row->flag : "");
}

static void rules_x86(const struct host_facts *f, struct report *r)
{
	rule_hypervisor(f, r);
	rule_virt(f, r);
	for (size_t i = 0; i < ARRAY_SIZE(x86_feature_rows); i++)
		rule_feature(f, &x86_feature_rows[i], r);
}

static void rules_ppc64le(const struct host_facts *f, struct report *r)
{
	const struct cpu_facts *c = &f->cpu;
	struct report_item *it;

	if (!strcmp(c->ppc_platform, "PowerNV")) {
		report_add(r, "cpu.platform", GROUP_CPU, LEVEL_PASS, "POWER platform",
			   "PowerNV (bare metal): KVM-HV is possible");
		return;
	}
	if (!c->ppc_platform[0]) {
		it = report_add(r, "cpu.platform", GROUP_CPU, LEVEL_WARN, "POWER platform",
				"/proc/cpuinfo names no platform");
		report_item_remedy(it, "check that /proc is mounted in the host root");
		return;
	}
	it = report_add(r, "cpu.platform", GROUP_CPU, LEVEL_FAIL, "POWER platform",
			"%s: running in a logical partition, where KVM-HV is not available",
			c->ppc_platform);
	report_item_remedy(it, "run on a bare-metal (PowerNV) POWER8 or later system");
}

static void rules_s390x(const struct host_facts *f, struct report *r)
{
	const struct cpu_facts *c = &f->cpu;
	enum tri sie = cpu_flag_in_cpuinfo(c, "sie");
	struct report_item *it;

	if (sie == TRI_YES) {
		report_add(r, "cpu.sie", GROUP_CPU, LEVEL_PASS,
			   "Start Interpretive Execution (sie)", "sie is present");
		return;
	}
	it = report_add(r, "cpu.sie", GROUP_CPU, LEVEL_FAIL, "Start Interpretive Execution (sie)",
			"%s",
			sie == TRI_NO ? "sie is missing: this LPAR or z/VM guest cannot run KVM"
				      : "cannot tell: /proc/cpuinfo unreadable");
	report_item_remedy(it, "run in an LPAR, or a z/VM guest with SIE available");
}

void rules_cpu(const struct rules_input *in, struct report *r)
{
	const struct host_facts *f = in->facts;

	rule_sources(f, r);
	rule_vendor(f, r);
	switch (f->cpu.arch) {
	case ARCH_X86_64: rules_x86(f, r); break;
	case ARCH_PPC64LE: rules_ppc64le(f, r); break;
	case ARCH_S390X: rules_s390x(f, r); break;
	case ARCH_ARM64:
		/* arm64 has no CPU flag for EL2: KVM's own checks decide */
		break;
	default: {
		struct report_item *it = report_add(
		    r, "cpu.arch", GROUP_CPU, LEVEL_FAIL, "CPU architecture", "%s is not supported",
		    f->cpu.arch_name[0] ? f->cpu.arch_name : "unknown");
		report_item_remedy(it,
				   "Kata Containers runs on x86_64, aarch64, ppc64le and s390x");
	}
	}
}
