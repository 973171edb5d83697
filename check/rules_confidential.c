/* Confidential guests: what the host offers, as virt-host-validate's
 * secure-guest checks tell it. Each item is PASS (offered and enabled) or
 * SKIP with what is missing and how to enable it: no pod needs one, so
 * nothing here makes a host less capable. */
#include <string.h>

#include "cpu.h"
#include "rules.h"
#include "strutil.h"

/* A module parameter that reads as on (Y, 1). */
static bool param_on(const struct host_facts *f, const char *module, const char *param)
{
	const struct module_facts *m = facts_module(f, module);
	const struct module_param_fact *p = facts_module_param(m, param);
	return module_present(m) && p && !p->read_errno && parse_kernel_bool(p->value) == 1;
}

static const char *param_value(const struct host_facts *f, const char *module, const char *param)
{
	const struct module_facts *m = facts_module(f, module);
	const struct module_param_fact *p = facts_module_param(m, param);
	if (!module_present(m))
		return "not loaded";
	return p && !p->read_errno ? p->value : "absent";
}

static const struct sev_row {
	const char *id, *what, *flag, *param;
	size_t log; /* offsetof(struct firmware_facts, ...) */
	const char *enable;
} sev_rows[] = {
    {"confidential.sev", "AMD SEV (encrypted guest memory)", "sev", "sev",
     offsetof(struct firmware_facts, sev),
     "enable SEV in the firmware with SEV ASIDs above 0, load ccp (for /dev/sev), and set "
     "`options kvm_amd sev=1` in modprobe.d, then reload kvm_amd"},
    {"confidential.sev_es", "AMD SEV-ES (encrypted guest registers)", "sev_es", "sev_es",
     offsetof(struct firmware_facts, sev_es),
     "give SEV-ES ASIDs in the firmware (the minimum SEV non-ES ASID above 1) and set "
     "`options kvm_amd sev_es=1`, then reload kvm_amd"},
    {"confidential.sev_snp", "AMD SEV-SNP (guest memory integrity)", "sev_snp", "sev_snp",
     offsetof(struct firmware_facts, sev_snp),
     "enable SNP and the IOMMU in the firmware, boot Linux 6.11 or later, and set "
     "`options kvm_amd sev_snp=1`, then reload kvm_amd"},
};

static void rule_sev(const struct host_facts *f, const struct sev_row *row, struct report *r)
{
	const char *log = (const char *)&f->firmware + row->log;
	enum tri cpu = cpu_flag_in_cpuid(&f->cpu, row->flag);
	if (cpu == TRI_UNKNOWN)
		cpu = cpu_flag_in_cpuinfo(&f->cpu, row->flag);
	struct report_item *it;

	if (cpu == TRI_NO) {
		report_add(r, row->id, GROUP_CONFIDENTIAL, LEVEL_SKIP, row->what,
			   "not offered: the CPU has no %s (CPUID 0x8000001f)", row->flag);
		return;
	}
	if (param_on(f, "kvm_amd", row->param)) {
		it = report_add(r, row->id, GROUP_CONFIDENTIAL, LEVEL_PASS, row->what,
				"available: kvm_amd %s=%s", row->param,
				param_value(f, "kvm_amd", row->param));
		if (*log)
			report_item_detail(it, "kernel log: %s", log);
		return;
	}
	it = report_add(r, row->id, GROUP_CONFIDENTIAL, LEVEL_SKIP, row->what,
			"%s, but KVM does not offer it: kvm_amd %s is %s",
			cpu == TRI_YES ? "the CPU has it" : "the CPU may have it", row->param,
			param_value(f, "kvm_amd", row->param));
	if (*log)
		report_item_detail(it, "kernel log: %s", log);
	report_item_remedy(it, "%s", row->enable);
}

static void rule_tdx(const struct host_facts *f, struct report *r)
{
	const struct firmware_facts *fw = &f->firmware;
	const char *what = "Intel TDX (trust domains)";
	struct report_item *it;
	bool flag = cpu_flag_in_cpuinfo(&f->cpu, "tdx_host_platform") == TRI_YES;

	if (param_on(f, "kvm_intel", "tdx")) {
		it = report_add(r, "confidential.tdx", GROUP_CONFIDENTIAL, LEVEL_PASS, what,
				"available: kvm_intel tdx=%s", param_value(f, "kvm_intel", "tdx"));
		if (fw->tdx[0])
			report_item_detail(it, "kernel log: %s", fw->tdx);
		return;
	}
	if (fw->tdx[0] || fw->tdx_bios[0] || flag) {
		it = report_add(
		    r, "confidential.tdx", GROUP_CONFIDENTIAL, LEVEL_SKIP, what,
		    "the platform has TDX, but KVM does not offer it: kvm_intel tdx is %s",
		    param_value(f, "kvm_intel", "tdx"));
		report_item_detail(it, "kernel log: %s", fw->tdx[0] ? fw->tdx : fw->tdx_bios);
		report_item_remedy(it,
				   "boot Linux 6.16 or later with `kvm_intel.tdx=1` (or "
				   "`options kvm_intel tdx=1`) and the TDX module loaded by the "
				   "firmware");
		return;
	}
	it = report_add(r, "confidential.tdx", GROUP_CONFIDENTIAL, LEVEL_SKIP, what,
			"not offered: no TDX host support %s",
			fw->log_source == SRC_NONE ? "known (the kernel log was not read)"
						   : "in the kernel log or CPU flags");
	report_item_remedy(
	    it, "TDX needs a Xeon that has it (4th generation or later) with TDX and its "
		"private KeyIDs enabled in the firmware; the kernel log then says "
		"\"virt/tdx: BIOS enabled\"");
}

static void rule_s390x(const struct host_facts *f, struct report *r)
{
	const char *what = "IBM Secure Execution";
	int on = f->firmware.s390_prot_virt_host;
	if (on == 1) {
		report_add(r, "confidential.se", GROUP_CONFIDENTIAL, LEVEL_PASS, what,
			   "available: /sys/firmware/uv/prot_virt_host is 1");
		return;
	}
	struct report_item *it = report_add(
	    r, "confidential.se", GROUP_CONFIDENTIAL, LEVEL_SKIP, what, "%s",
	    on == 0 ? "not enabled: /sys/firmware/uv/prot_virt_host is 0"
		    : "not enabled: no /sys/firmware/uv/prot_virt_host (no ultravisor support)");
	report_item_remedy(it, "on a z15 or later, boot the host with `prot_virt=1`");
}

void rules_confidential(const struct rules_input *in, struct report *r)
{
	const struct host_facts *f = in->facts;

	switch (f->cpu.arch) {
	case ARCH_X86_64:
		if (f->cpu.vendor == VENDOR_AMD) {
			for (size_t i = 0; i < ARRAY_SIZE(sev_rows); i++)
				rule_sev(f, &sev_rows[i], r);
		} else if (f->cpu.vendor == VENDOR_INTEL) {
			rule_tdx(f, r);
		} else {
			report_add(r, "confidential.none", GROUP_CONFIDENTIAL, LEVEL_SKIP,
				   "confidential guests", "no checks for %s CPUs",
				   vendor_name(f->cpu.vendor));
		}
		break;
	case ARCH_S390X: rule_s390x(f, r); break;
	default:
		report_add(r, "confidential.none", GROUP_CONFIDENTIAL, LEVEL_SKIP,
			   "confidential guests", "no checks for %s", f->cpu.arch_name);
	}
}
