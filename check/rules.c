/* Rules entry point and judgements shared between groups. */
#include "rules.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cpu.h"
#include "firmware.h"

void rules_input_defaults(struct rules_input *in, const struct host_facts *f)
{
	memset(in, 0, sizeof(*in));
	in->facts = f;
	in->want_vcpus = DEFAULT_VCPUS;
	in->want_memory_mib = DEFAULT_MEMORY_MIB;
	in->accel = "kvm";
}

void rules_input_from_config(struct rules_input *in, const struct config_state *cs)
{
	in->config = cs;
	if (!cs || !cs->loaded || !cs->values_ok)
		return;
	if (cs->cfg.hypervisor.default_vcpus > 0)
		in->want_vcpus = (unsigned)cs->cfg.hypervisor.default_vcpus;
	in->want_memory_mib = cs->cfg.hypervisor.default_memory;
	in->accel = cs->cfg.hypervisor.accel;
}

void rules_evaluate(const struct rules_input *in, struct report *r)
{
	rules_cpu(in, r);
	rules_kvm(in, r);
	rules_modules(in, r);
	rules_devices(in, r);
	rules_iommu(in, r);
	rules_resources(in, r);
	rules_confidential(in, r);
	rules_config(in, r);
	rules_factory(in, r);
	rules_apply_accel(in, r);
}

const char *rules_virt_flag(const struct host_facts *f)
{
	const struct cpu_facts *c = &f->cpu;

	if (c->arch != ARCH_X86_64)
		return NULL;
	switch (c->vendor) {
	case VENDOR_INTEL:
	case VENDOR_ZHAOXIN:
	case VENDOR_CENTAUR: return "vmx";
	case VENDOR_AMD:
	case VENDOR_HYGON: return "svm";
	default:
		/* an unlisted vendor: whichever the CPU reports */
		if (cpu_flag_in_cpuid(c, "svm") == TRI_YES ||
		    cpu_flag_in_cpuinfo(c, "svm") == TRI_YES)
			return "svm";
		return "vmx";
	}
}

const char *rules_vendor_kvm_module(const struct host_facts *f)
{
	switch (f->cpu.arch) {
	case ARCH_X86_64: {
		const char *flag = rules_virt_flag(f);
		return flag && !strcmp(flag, "svm") ? "kvm_amd" : "kvm_intel";
	}
	case ARCH_PPC64LE: return "kvm_hv";
	default: return NULL;
	}
}

const char *rules_kvm_provider(const struct host_facts *f)
{
	const char *vendor = rules_vendor_kvm_module(f);

	if (vendor && module_present(facts_module(f, vendor)))
		return vendor;
	if (f->cpu.arch == ARCH_X86_64) {
		/* the other x86 vendor module (an unlisted vendor may use either) */
		const char *other = vendor && !strcmp(vendor, "kvm_amd") ? "kvm_intel" : "kvm_amd";
		if (module_present(facts_module(f, other)))
			return other;
		if (module_present(facts_module(f, "kvm_pvm")))
			return "kvm_pvm";
	}
	return NULL;
}

bool rules_kvm_runs_guests(const struct host_facts *f)
{
	return kvm_runs_guests(&f->kvm);
}

bool rules_iommu_enabled(const struct host_facts *f)
{
	return f->iommu.ngroups > 0;
}

enum virt_block rules_virt_block(const struct host_facts *f, char *why, size_t len)
{
	const struct cpu_facts *c = &f->cpu;
	const struct firmware_facts *fw = &f->firmware;
	const char *flag = rules_virt_flag(f);
	char scratch[8];

	if (!why) {
		why = scratch;
		len = sizeof(scratch);
	}
	why[0] = '\0';
	/* KVM at work, or kvm_pvm (which needs no VMX/SVM), settles it */
	if (!flag || rules_kvm_runs_guests(f) || module_present(facts_module(f, "kvm_pvm")))
		return VIRT_AVAILABLE;
	bool amd = !strcmp(flag, "svm");
	if (!amd && fw->feature_control_known && (fw->feature_control & FEATURE_CONTROL_LOCKED) &&
	    !(fw->feature_control & FEATURE_CONTROL_VMX_OUTSIDE)) {
		snprintf(why, len,
			 "IA32_FEATURE_CONTROL (MSR 0x3a) is 0x%llx: locked, with VMX outside SMX "
			 "off",
			 (unsigned long long)fw->feature_control);
		return VIRT_FIRMWARE;
	}
	if (amd && fw->vm_cr_known && (fw->vm_cr & VM_CR_SVMDIS)) {
		snprintf(why, len, "VM_CR (MSR 0xc0010114) is 0x%llx: SVMDIS is set",
			 (unsigned long long)fw->vm_cr);
		return VIRT_FIRMWARE;
	}
	enum tri in_cpuid = cpu_flag_in_cpuid(c, flag), in_info = cpu_flag_in_cpuinfo(c, flag);
	if (fw->virt_disabled[0] && in_cpuid != TRI_NO) {
		snprintf(why, len, "the kernel log says \"%s\"", fw->virt_disabled);
		return VIRT_FIRMWARE;
	}
	if (in_cpuid == TRI_YES && in_info == TRI_NO) {
		snprintf(why, len,
			 "%s is in CPUID but the kernel hides it from /proc/cpuinfo, as it does "
			 "when the firmware locks the extension off",
			 flag);
		return VIRT_FIRMWARE;
	}
	if (in_cpuid != TRI_YES && in_info != TRI_YES) {
		snprintf(why, len, "the CPU does not offer %s", flag);
		return VIRT_NO_FLAG;
	}
	return VIRT_AVAILABLE;
}

bool rules_kernel_before(const struct host_facts *f, unsigned major, unsigned minor)
{
	unsigned a, b;
	if (sscanf(f->res.kernel_release, "%u.%u", &a, &b) != 2)
		return false;
	return a < major || (a == major && b < minor);
}

const char *rules_vsock_conflict(const struct host_facts *f)
{
	static const char *const transports[] = {"vmw_vsock_vmci_transport", "hv_sock"};

	/* Linux 5.5 lets a guest transport and vhost_vsock live side by side */
	if (module_present(facts_module(f, "vhost_vsock")) || !rules_kernel_before(f, 5, 5))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(transports); i++)
		if (module_present(facts_module(f, transports[i])))
			return transports[i];
	return NULL;
}

bool rules_runs_tcg(const struct host_facts *f, const char *accel)
{
	return accel &&
	       (!strcmp(accel, "tcg") || (!strcmp(accel, "auto") && !rules_kvm_runs_guests(f)));
}

void rules_memory_budget(const struct resource_facts *res, bool tcg, struct memory_budget *b)
{
	memset(b, 0, sizeof(*b));
	if (!res->mem_known || !res->mem_total_kib)
		return;
	b->known = true;
	b->total_mib = res->mem_total_kib / 1024;
	b->available_mib =
	    (res->mem_available_kib ? res->mem_available_kib : res->mem_total_kib) / 1024;
	b->overhead_mib = tcg ? QEMU_OVERHEAD_TCG_MIB : QEMU_OVERHEAD_KVM_MIB;
	b->reserve_mib =
	    HOST_RESERVE_MIN_MIB +
	    (b->total_mib > HOST_RESERVE_MIN_MIB ? (b->total_mib - HOST_RESERVE_MIN_MIB) / 16 : 0);
	uint64_t need = b->overhead_mib + b->reserve_mib;
	b->fit_mib = b->total_mib > need ? b->total_mib - need : 0;
	if (res->overcommit == 2 && res->commit_limit_kib) {
		/* strict accounting: QEMU's whole guest mapping must be committable */
		b->strict_commit = true;
		uint64_t room = res->commit_limit_kib > res->committed_kib
				    ? (res->commit_limit_kib - res->committed_kib) / 1024
				    : 0;
		b->commit_room_mib = room;
		uint64_t fit = room > b->overhead_mib ? room - b->overhead_mib : 0;
		if (fit < b->fit_mib)
			b->fit_mib = fit;
	}
	b->fit_mib &= ~(uint64_t)31; /* whole 32 MiB steps, as memory hot-plug wants */
}

bool rules_kvm_untested_as_user(const struct host_facts *f)
{
	const struct kvm_facts *k = &f->kvm;
	return f->euid != 0 && k->attempted && (k->open_errno == EACCES || k->open_errno == EPERM);
}
