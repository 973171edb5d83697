/* Rules from facts built in code: each test changes one fact of a ready
 * node and checks the verdict, the reason and the remedy. */
#include "test.h"
#include "xalloc.h"

#include <errno.h>

static void ready_node_is_capable(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	fb_evaluate(f, &r);
	for (size_t i = 0; i < r.n; i++)
		if (r.items[i].level == LEVEL_FAIL || r.items[i].level == LEVEL_WARN)
			fail_msg("%s: %s %s", r.items[i].id, level_name(r.items[i].level),
				 r.items[i].summary);
	assert_true(report_capable(&r, true));
	assert_level(&r, "cpu.virt", LEVEL_PASS);
	assert_level(&r, "kvm.guest", LEVEL_PASS);
	assert_contains(fb_item(&r, "kvm.guest")->summary, "kvm_intel");
	assert_level(&r, "modules.vfio", LEVEL_SKIP); /* no IOMMU: passthrough not needed */
	report_free(&r);
	fb_free(f);
}

static void vmx_hidden_by_firmware(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	free(f->cpu.cpuinfo_flags);
	f->cpu.cpuinfo_flags = xstrdup("fpu lm sse4_1");
	fb_module(f, "kvm_intel", MOD_AVAILABLE);
	fb_device(f, "/dev/kvm", false, 0, 0);
	memset(&f->kvm, 0, sizeof(f->kvm));
	fb_evaluate(f, &r);
	assert_level(&r, "cpu.virt", LEVEL_FAIL);
	assert_contains(fb_item(&r, "cpu.virt")->summary, "disabled in the firmware");
	assert_contains(fb_item(&r, "cpu.virt")->remedy, "BIOS");
	assert_false(report_capable(&r, false));
	report_free(&r);
	fb_free(f);
}

static void vm_without_nested(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	fb_cpuid(f, 1, 0x000506f0, 0, (1u << 19) | (1u << 31), 0);
	f->cpu.hypervisor_bit = true;
	str_copy(f->cpu.hypervisor_name, sizeof(f->cpu.hypervisor_name), "KVM");
	free(f->cpu.cpuinfo_flags);
	f->cpu.cpuinfo_flags = xstrdup("fpu lm sse4_1 hypervisor");
	fb_module(f, "kvm", MOD_AVAILABLE);
	fb_module(f, "kvm_intel", MOD_AVAILABLE);
	fb_device(f, "/dev/kvm", false, 0, 0);
	memset(&f->kvm, 0, sizeof(f->kvm));
	fb_evaluate(f, &r);
	assert_level(&r, "cpu.virt", LEVEL_FAIL);
	assert_contains(fb_item(&r, "cpu.virt")->summary, "nested virtualization is off");
	/* loading kvm_intel would fail: no fix is offered for it or for kvm */
	assert_int_equal(fb_item(&r, "modules.kvm_intel")->fix, FIX_NONE);
	assert_int_equal(fb_item(&r, "modules.kvm")->fix, FIX_NONE);
	assert_int_equal(fb_item(&r, "kvm.device")->fix, FIX_NONE);
	report_free(&r);
	fb_free(f);
}

static void pvm_host(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	fb_cpuid(f, 1, 0x00a10f11, 0, (1u << 19) | (1u << 31), 0);
	f->cpu.hypervisor_bit = true;
	free(f->cpu.cpuinfo_flags);
	f->cpu.cpuinfo_flags = xstrdup("fpu lm sse4_1 hypervisor");
	fb_module(f, "kvm", MOD_BUILTIN);
	fb_module(f, "kvm_intel", MOD_ABSENT);
	fb_module(f, "kvm_pvm", MOD_BUILTIN);
	fb_evaluate(f, &r);
	/* KVM works without the flag: the CPU row warns, it does not fail */
	assert_level(&r, "cpu.virt", LEVEL_WARN);
	assert_contains(fb_item(&r, "cpu.virt")->summary, "kvm_pvm");
	assert_level(&r, "kvm.smoke", LEVEL_PASS);
	assert_level(&r, "kvm.guest", LEVEL_FAIL);
	assert_contains(fb_item(&r, "kvm.guest")->summary, "kvm_pvm");
	assert_contains(fb_item(&r, "kvm.guest")->remedy, "tcg");
	assert_level(&r, "modules.kvm_intel", LEVEL_WARN);
	assert_false(report_capable(&r, false));
	report_free(&r);
	fb_free(f);
}

static void create_vm_ebusy(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	f->kvm.create_vm_errno = EBUSY;
	f->kvm.smoke = SMOKE_NOT_RUN;
	fb_evaluate(f, &r);
	assert_level(&r, "kvm.create_vm", LEVEL_FAIL);
	assert_contains(fb_item(&r, "kvm.create_vm")->summary, "another hypervisor");
	assert_contains(fb_item(&r, "kvm.create_vm")->remedy, "VirtualBox");
	/* the rows after it stay, skipped with the reason */
	assert_level(&r, "kvm.smoke", LEVEL_SKIP);
	assert_contains(fb_item(&r, "kvm.smoke")->summary, "an earlier KVM check failed");
	report_free(&r);
	fb_free(f);
}

static void non_root_without_access(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	f->euid = 1000;
	f->kvm.open_errno = EACCES;
	f->kvm.api_version = -1;
	f->kvm.create_vm_probed = false;
	f->kvm.smoke = SMOKE_NOT_RUN;
	fb_evaluate(f, &r);
	assert_level(&r, "kvm.access", LEVEL_WARN);
	assert_contains(fb_item(&r, "kvm.access")->remedy, "usermod -aG kvm");
	assert_level(&r, "kvm.api", LEVEL_SKIP);
	assert_contains(fb_item(&r, "kvm.api")->summary, "may not open /dev/kvm");
	assert_level(&r, "kvm.guest", LEVEL_SKIP);
	assert_true(report_capable(&r, false));
	assert_false(report_capable(&r, true));
	report_free(&r);
	fb_free(f);
}

static void root_refused_is_a_failure(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	f->kvm.open_errno = EPERM;
	fb_evaluate(f, &r);
	assert_level(&r, "kvm.access", LEVEL_FAIL);
	assert_contains(fb_item(&r, "kvm.access")->remedy, "device cgroup");
	report_free(&r);
	fb_free(f);
}

static void missing_capability(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	f->kvm.caps[2].value = 0; /* ioeventfd */
	fb_evaluate(f, &r);
	assert_level(&r, "kvm.caps", LEVEL_FAIL);
	assert_contains(fb_item(&r, "kvm.caps")->summary, "ioeventfd");
	report_free(&r);
	fb_free(f);
}

static void smoke_guest_failure(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	f->kvm.smoke = SMOKE_FAILED;
	str_copy(f->kvm.smoke_detail, sizeof(f->kvm.smoke_detail),
		 "the guest did not stop within 1000 ms");
	fb_evaluate(f, &r);
	assert_level(&r, "kvm.smoke", LEVEL_FAIL);
	assert_contains(fb_item(&r, "kvm.smoke")->summary, "did not stop");
	assert_level(&r, "kvm.guest", LEVEL_SKIP);
	report_free(&r);
	fb_free(f);
}

static void module_available_offers_fix(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	fb_module(f, "vhost_net", MOD_AVAILABLE);
	fb_device(f, "/dev/vhost-net", false, 0, 0);
	fb_evaluate(f, &r);
	const struct report_item *it = fb_item(&r, "modules.vhost_net");
	assert_int_equal(it->level, LEVEL_WARN);
	assert_int_equal(it->fix, FIX_LOAD_MODULE);
	assert_string_equal(it->fix_arg, "vhost_net");
	it = fb_item(&r, "devices.vhost-net");
	assert_int_equal(it->level, LEVEL_WARN);
	assert_int_equal(it->fix, FIX_LOAD_MODULE);
	assert_true(report_capable(&r, false));
	assert_false(report_capable(&r, true));
	report_free(&r);
	fb_free(f);
}

static void blacklisted_module(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	fb_module(f, "vhost_vsock", MOD_AVAILABLE)->blacklisted = true;
	fb_device(f, "/dev/vhost-vsock", false, 0, 0);
	fb_evaluate(f, &r);
	assert_contains(fb_item(&r, "modules.vhost_vsock")->summary, "blacklisted");
	assert_contains(fb_item(&r, "modules.vhost_vsock")->remedy, "blacklist");
	report_free(&r);
	fb_free(f);
}

static void tun_absent_fails(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	struct module_facts *m = fb_module(f, "tun", MOD_ABSENT);
	m->kconfig_value = 'n';
	fb_device(f, "/dev/net/tun", false, 0, 0);
	fb_evaluate(f, &r);
	assert_level(&r, "modules.tun", LEVEL_FAIL);
	assert_contains(fb_item(&r, "modules.tun")->remedy, "CONFIG_tun");
	assert_level(&r, "devices.tun", LEVEL_FAIL);
	report_free(&r);
	fb_free(f);
}

static void unknown_module_with_served_node_passes(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	fb_module(f, "tun", MOD_UNKNOWN);
	fb_evaluate(f, &r);
	assert_level(&r, "modules.tun", LEVEL_PASS);
	assert_contains(fb_item(&r, "modules.tun")->summary, "/dev/net/tun");
	report_free(&r);
	fb_free(f);
}

static void unrestricted_guest(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	str_copy(f->modules.mods[1].params[0].value, sizeof(f->modules.mods[1].params[0].value),
		 "N");
	fb_evaluate(f, &r);
	assert_level(&r, "modules.kvm_intel.unrestricted_guest", LEVEL_FAIL);
	report_free(&r);

	f->cpu.hypervisor_bit = true;
	fb_evaluate(f, &r);
	assert_level(&r, "modules.kvm_intel.unrestricted_guest", LEVEL_WARN);
	report_free(&r);

	str_copy(f->modules.mods[1].params[0].value, sizeof(f->modules.mods[1].params[0].value),
		 "maybe");
	fb_evaluate(f, &r);
	assert_level(&r, "modules.kvm_intel.unrestricted_guest", LEVEL_WARN);
	assert_contains(fb_item(&r, "modules.kvm_intel.unrestricted_guest")->summary,
			"unrecognised value 'maybe'");
	report_free(&r);
	fb_free(f);
}

static void unknown_vendor_is_a_warning(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	f->cpu.vendor = VENDOR_OTHER;
	str_copy(f->cpu.vendor_id, sizeof(f->cpu.vendor_id), "NewVendorCPU");
	fb_evaluate(f, &r);
	assert_level(&r, "cpu.vendor", LEVEL_WARN);
	assert_contains(fb_item(&r, "cpu.vendor")->summary, "NewVendorCPU");
	assert_level(&r, "cpu.virt", LEVEL_PASS); /* judged by the vmx bit */
	assert_true(report_capable(&r, false));
	report_free(&r);
	fb_free(f);
}

static void hygon_uses_amd_rules(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	f->cpu.vendor = VENDOR_HYGON;
	fb_cpuid(f, 1, 0x00900f02, 0, 1u << 19, 0);
	fb_cpuid(f, 0x80000001, 0, 0, 1u << 2, 1u << 29);
	free(f->cpu.cpuinfo_flags);
	f->cpu.cpuinfo_flags = xstrdup("fpu lm svm sse4_1");
	fb_module(f, "kvm_intel", MOD_AVAILABLE);
	fb_module(f, "kvm_amd", MOD_LOADED);
	fb_evaluate(f, &r);
	assert_string_equal(rules_vendor_kvm_module(f), "kvm_amd");
	assert_level(&r, "cpu.virt", LEVEL_PASS);
	assert_contains(fb_item(&r, "cpu.virt")->what, "svm");
	assert_level(&r, "modules.kvm_amd", LEVEL_PASS);
	assert_null(report_find(&r, "modules.kvm_intel"));
	assert_true(report_capable(&r, true));
	report_free(&r);
	fb_free(f);
}

static void missing_cpuinfo(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	f->cpu.cpuinfo_errno = ENOENT;
	f->cpu.cpuinfo_parsed = false;
	free(f->cpu.cpuinfo_flags);
	f->cpu.cpuinfo_flags = NULL;
	fb_evaluate(f, &r);
	assert_level(&r, "cpu.cpuinfo", LEVEL_WARN);
	assert_level(&r, "cpu.virt", LEVEL_PASS); /* CPUID alone */
	report_free(&r);

	f->cpu.cpuid_source = SRC_NONE;
	str_copy(f->cpu.cpuid_error, sizeof(f->cpu.cpuid_error), "line 1: garbage");
	fb_evaluate(f, &r);
	assert_level(&r, "cpu.cpuid", LEVEL_WARN);
	assert_contains(fb_item(&r, "cpu.cpuid")->summary, "line 1");
	assert_level(&r, "cpu.virt", LEVEL_WARN); /* no source, but KVM runs */
	report_free(&r);
	fb_free(f);
}

static void iommu_rules(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	struct pci_device_fact devs[] = {
	    {"0000:00:1c.0", 0x8086, 0xa110, 0x0604, "pcieport", 5},
	    {"0000:01:00.0", 0x10de, 0x1eb8, 0x0302, "vfio-pci", 5},
	    {"0000:01:00.1", 0x10de, 0x10f8, 0x0403, "", 5},
	    {"0000:02:00.0", 0x8086, 0x1521, 0x0200, "vfio-pci", 6},
	    {"0000:02:00.1", 0x8086, 0x1521, 0x0200, "igb", 6},
	};
	f->iommu.acpi_dmar = true;
	f->iommu.ngroups = 0;
	str_copy(f->iommu.cmdline_iommu, sizeof(f->iommu.cmdline_iommu), "intel_iommu=off");
	fb_evaluate(f, &r);
	assert_level(&r, "iommu.enabled", LEVEL_WARN);
	assert_contains(fb_item(&r, "iommu.enabled")->remedy, "intel_iommu=off");
	report_free(&r);

	f->iommu.ngroups = 7;
	f->iommu.pci_scanned = true;
	f->iommu.devs = xmalloc(sizeof(devs));
	memcpy(f->iommu.devs, devs, sizeof(devs));
	f->iommu.ndevs = 5;
	fb_evaluate(f, &r);
	assert_level(&r, "iommu.enabled", LEVEL_PASS);
	/* a bridge on pcieport and a driverless function do not block */
	assert_level(&r, "iommu.vfio.0000:01:00.0", LEVEL_PASS);
	assert_level(&r, "iommu.vfio.0000:02:00.0", LEVEL_WARN);
	assert_contains(fb_item(&r, "iommu.vfio.0000:02:00.0")->summary,
			"0000:02:00.1 is bound to igb");
	assert_string_equal(fb_item(&r, "iommu.vfio.0000:02:00.0")->fix_arg, "0000:02:00.1");
	/* with an IOMMU, missing VFIO modules are worth a warning */
	assert_level(&r, "modules.vfio", LEVEL_WARN);
	report_free(&r);
	fb_free(f);
}

static void resources(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	f->res.mem_available_kib = 1024 * 1024;
	f->res.cgroup = CGROUP_NONE;
	str_copy(f->res.kernel_release, sizeof(f->res.kernel_release), "4.9.0-8-amd64");
	fb_evaluate(f, &r);
	assert_level(&r, "resources.memory", LEVEL_WARN);
	assert_contains(fb_item(&r, "resources.memory")->summary, "1024 MiB available");
	assert_level(&r, "resources.cgroups", LEVEL_WARN);
	assert_level(&r, "resources.kernel", LEVEL_WARN);
	report_free(&r);
	fb_free(f);
}

/* vm_cache_number = "auto": one VM per CPU, in a quarter of the memory
 * for VMs, at most 8; and the memory a template needs beside a VM. */
static void factory_sizing(void **state)
{
	(void)state;
	static const struct {
		unsigned cpus;
		uint64_t mem_gib;
		unsigned want;
	} cases[] = {
	    {2, 24, 2},	  /* CPUs */
	    {16, 128, 8}, /* the ceiling */
	    {64, 32, 3},  /* memory: a quarter of ~29.5 GiB in 2 GiB VMs */
	    {4, 4, 0},	  /* no room for one */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct host_facts *f = fb_intel_ready();
		char why[256], buf[256];
		f->res.cpus_online = cases[i].cpus;
		f->res.mem_total_kib = f->res.mem_available_kib = cases[i].mem_gib << 20;
		unsigned n = rules_vm_cache_size(&f->res, true, 2048, why, sizeof(why));
		assert_int_equal(n, cases[i].want);
		assert_non_null(strstr(why, "VM"));
		/* a template beside a VM: 2 x 2048 MiB and QEMU's share */
		const char *no = rules_template_memory(&f->res, true, 2048, buf, sizeof(buf));
		if (cases[i].mem_gib >= 8)
			assert_null(no);
		else
			assert_non_null(
			    strstr(no, "cannot hold a template's memory file of 2048 MiB"));
		fb_free(f);
	}
}

static void other_architectures(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;
	f->cpu.arch = ARCH_ARM64;
	f->cpu.vendor = VENDOR_ARM;
	f->cpu.ncpuid = 0;
	f->cpu.cpuid_source = SRC_NONE;
	f->kvm.smoke = SMOKE_SKIPPED;
	fb_module(f, "kvm", MOD_BUILTIN);
	fb_evaluate(f, &r);
	assert_null(report_find(&r, "cpu.virt"));
	assert_null(report_find(&r, "cpu.cpuid"));
	assert_level(&r, "kvm.smoke", LEVEL_SKIP);
	assert_level(&r, "kvm.guest", LEVEL_PASS);
	assert_level(&r, "confidential.none", LEVEL_SKIP);
	assert_true(report_capable(&r, true));
	report_free(&r);

	f->cpu.arch = ARCH_PPC64LE;
	f->cpu.vendor = VENDOR_IBM;
	str_copy(f->cpu.ppc_platform, sizeof(f->cpu.ppc_platform), "pSeries");
	fb_module(f, "kvm_hv", MOD_LOADED);
	fb_evaluate(f, &r);
	assert_level(&r, "cpu.platform", LEVEL_FAIL);
	assert_contains(fb_item(&r, "cpu.platform")->summary, "logical partition");
	report_free(&r);

	f->cpu.arch = ARCH_S390X;
	free(f->cpu.cpuinfo_flags);
	f->cpu.cpuinfo_flags =
	    xstrdup("esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te vx sie");
	fb_evaluate(f, &r);
	assert_level(&r, "cpu.sie", LEVEL_PASS);
	/* Secure Execution: off without the ultravisor, with how to turn it on */
	assert_level(&r, "confidential.se", LEVEL_SKIP);
	assert_contains(fb_item(&r, "confidential.se")->remedy, "prot_virt=1");
	report_free(&r);
	f->firmware.s390_prot_virt_host = 1;
	fb_evaluate(f, &r);
	assert_level(&r, "confidential.se", LEVEL_PASS);
	report_free(&r);

	f->cpu.arch = ARCH_OTHER;
	str_copy(f->cpu.arch_name, sizeof(f->cpu.arch_name), "riscv64");
	fb_evaluate(f, &r);
	assert_level(&r, "cpu.arch", LEVEL_FAIL);
	assert_contains(fb_item(&r, "cpu.arch")->summary, "riscv64");
	report_free(&r);
	fb_free(f);
}

static void confidential_tdx(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct report r;

	/* the firmware enabled TDX, KVM does not offer it yet */
	f->firmware.log_source = SRC_RECORDED;
	str_copy(f->firmware.tdx_bios, sizeof(f->firmware.tdx_bios),
		 "virt/tdx: BIOS enabled: private KeyID range [16, 64)");
	fb_evaluate(f, &r);
	assert_level(&r, "confidential.tdx", LEVEL_SKIP);
	assert_contains(fb_item(&r, "confidential.tdx")->summary, "kvm_intel tdx is absent");
	assert_contains(fb_item(&r, "confidential.tdx")->remedy, "kvm_intel.tdx=1");
	assert_true(report_capable(&r, true));
	report_free(&r);

	fb_param(f, "kvm_intel", "tdx", "Y");
	fb_evaluate(f, &r);
	assert_level(&r, "confidential.tdx", LEVEL_PASS);
	assert_null(report_find(&r, "confidential.sev"));
	report_free(&r);
	fb_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ready_node_is_capable),
	    cmocka_unit_test(factory_sizing),
	    cmocka_unit_test(vmx_hidden_by_firmware),
	    cmocka_unit_test(vm_without_nested),
	    cmocka_unit_test(pvm_host),
	    cmocka_unit_test(create_vm_ebusy),
	    cmocka_unit_test(non_root_without_access),
	    cmocka_unit_test(root_refused_is_a_failure),
	    cmocka_unit_test(missing_capability),
	    cmocka_unit_test(smoke_guest_failure),
	    cmocka_unit_test(module_available_offers_fix),
	    cmocka_unit_test(blacklisted_module),
	    cmocka_unit_test(tun_absent_fails),
	    cmocka_unit_test(unknown_module_with_served_node_passes),
	    cmocka_unit_test(unrestricted_guest),
	    cmocka_unit_test(unknown_vendor_is_a_warning),
	    cmocka_unit_test(hygon_uses_amd_rules),
	    cmocka_unit_test(missing_cpuinfo),
	    cmocka_unit_test(iommu_rules),
	    cmocka_unit_test(resources),
	    cmocka_unit_test(other_architectures),
	    cmocka_unit_test(confidential_tdx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
