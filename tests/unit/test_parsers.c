/* Parsers of host text formats: CPUID dumps, /proc/cpuinfo for each
 * architecture, kernel config, recordings, meminfo, CPU lists, and the
 * strict number and key=value helpers. */
#include "test.h"

#include <errno.h>
#include <sys/stat.h>
#include <zlib.h>

#include "cpu.h"
#include "devices.h"
#include "firmware.h"
#include "hostroot.h"
#include "kconfig.h"
#include "kvm.h"
#include "recorded.h"
#include "resources.h"

static const char intel_dump[] =
    "CPU:\n"
    "   0x00000000 0x00: eax=0x0000001b ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n"
    "   0x00000001 0x00: eax=0x000606a6 ebx=0x00100800 ecx=0x7ffafbbf edx=0xbfebfbff\n"
    "   0x00000004 0x01: eax=0x1c004122 ebx=0x01c0003f ecx=0x0000003f edx=0x00000000\n"
    "   0x80000000 0x00: eax=0x80000008 ebx=0x00000000 ecx=0x00000000 edx=0x00000000\n"
    "   0x80000001 0x00: eax=0x00000000 ebx=0x00000000 ecx=0x00000121 edx=0x2c100800\n"
    "   0x80000002 0x00: eax=0x65746e49 ebx=0x2952286c ecx=0x6f655820 edx=0x2952286e\n"
    "   0x80000003 0x00: eax=0x6c6f4720 ebx=0x33362064 ecx=0x43203833 edx=0x40205550\n"
    "   0x80000004 0x00: eax=0x302e3220 ebx=0x7a484730 ecx=0x00000000 edx=0x00000000\n"
    "CPU 1:\n"
    "   0x00000000 0x00: eax=0x00000000 ebx=0x00000000 ecx=0x00000000 edx=0x00000000\n";

static void cpuid_dump_intel(void **state)
{
	(void)state;
	struct cpu_facts c = {0};
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(cpuid_parse_dump(intel_dump, &c, &err), 0);
	c.arch = ARCH_X86_64;
	c.cpuid_source = SRC_RECORDED;
	cpu_decode_cpuid(&c);
	assert_string_equal(c.vendor_id, "GenuineIntel");
	assert_int_equal(c.vendor, VENDOR_INTEL);
	assert_int_equal(c.family, 6);
	assert_int_equal(c.model, 106); /* extended model 6, model 0xa */
	assert_int_equal(c.stepping, 6);
	assert_string_equal(c.model_name, "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz");
	assert_false(c.hypervisor_bit);
	assert_int_equal(cpu_flag_in_cpuid(&c, "vmx"), TRI_YES);
	assert_int_equal(cpu_flag_in_cpuid(&c, "sse4_1"), TRI_YES);
	assert_int_equal(cpu_flag_in_cpuid(&c, "lm"), TRI_YES);
	assert_int_equal(cpu_flag_in_cpuid(&c, "svm"), TRI_NO);
	assert_int_equal(cpu_flag_in_cpuid(&c, "no-such-flag"), TRI_UNKNOWN);
	/* the second CPU's zero leaf was ignored */
	assert_non_null(facts_cpuid(&c, 0, 0));
	assert_int_equal(facts_cpuid(&c, 0, 0)->eax, 0x1b);
	/* subleaves other than 0 are not kept */
	assert_null(facts_cpuid(&c, 4, 1));
}

static void cpuid_vendors_and_hypervisors(void **state)
{
	(void)state;
	static const struct {
		uint32_t ebx, edx, ecx;
		enum cpu_vendor vendor;
	} v[] = {
	    {0x68747541, 0x69746e65, 0x444d4163, VENDOR_AMD},	  /* AuthenticAMD */
	    {0x6f677948, 0x6e65476e, 0x656e6975, VENDOR_HYGON},	  /* HygonGenuine */
	    {0x68532020, 0x68676e61, 0x20206961, VENDOR_ZHAOXIN}, /* "  Shanghai  " */
	    {0x20414956, 0x20414956, 0x20414956, VENDOR_OTHER},	  /* "VIA VIA VIA " */
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct cpu_facts c = {0};
		c.cpuid[c.ncpuid++] = (struct cpuid_leaf){0, 0, 1, v[i].ebx, v[i].ecx, v[i].edx};
		/* AMD family 0x19 model 0x11: base family 0xf + extended 0xa */
		c.cpuid[c.ncpuid++] = (struct cpuid_leaf){1, 0, 0x00a10f11, 0, 1u << 31, 0};
		c.cpuid[c.ncpuid++] =
		    (struct cpuid_leaf){0x40000000, 0,		0x40000001,
					0x7263694d, 0x666f736f, 0x76482074}; /* "Microsoft Hv" */
		cpu_decode_cpuid(&c);
		assert_int_equal(c.vendor, v[i].vendor);
		assert_int_equal(c.family, 0x19);
		assert_int_equal(c.model, 0x11);
		assert_true(c.hypervisor_bit);
		assert_string_equal(c.hypervisor_name, "Microsoft Hyper-V");
	}
	assert_string_equal(cpu_vendor_display("VIA VIA VIA "), "VIA");
	assert_null(cpu_vendor_display("NoSuchVendor"));
}

static void cpuid_dump_errors(void **state)
{
	(void)state;
	struct cpu_facts c = {0};
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(cpuid_parse_dump("CPU:\n   0x00000000 0x00: eax=zz\n", &c, &err), -1);
	assert_non_null(strstr(kc_error_msg(&err), "line 2"));
	assert_int_equal(cpuid_parse_dump("", &c, &err), -1);
	assert_non_null(strstr(kc_error_msg(&err), "no leaf 0x00000000"));
	assert_int_equal(
	    cpuid_parse_dump("   0x00000000 0x00: eax=0x1 ebx=0x2 ecx=0x3 edx=0x4 trailing\n", &c,
			     &err),
	    -1);
}

static void cpuinfo_x86_and_flags(void **state)
{
	(void)state;
	struct cpu_facts c = {0};
	cpu_parse_cpuinfo(
	    "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
	    "model name\t: Xeon\nflags\t\t: fpu vme vmx lm sse4_1\n\n"
	    "processor\t: 1\nvendor_id\t: GenuineIntel\nflags\t\t: fpu\n",
	    &c);
	assert_true(c.cpuinfo_parsed);
	assert_int_equal(c.cpuinfo_processors, 2);
	assert_string_equal(c.vendor_id, "GenuineIntel");
	assert_string_equal(c.model_name, "Xeon");
	assert_int_equal(c.model, 85);
	assert_int_equal(cpu_flag_in_cpuinfo(&c, "vmx"), TRI_YES);
	assert_int_equal(cpu_flag_in_cpuinfo(&c, "vm"), TRI_NO); /* whole words only */
	assert_int_equal(cpu_flag_in_cpuinfo(&c, "svm"), TRI_NO);
	free(c.cpuinfo_flags);
}

static void cpuinfo_other_architectures(void **state)
{
	(void)state;
	struct cpu_facts a = {0}, p = {0}, s = {0};
	cpu_parse_cpuinfo(
	    "processor\t: 0\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n",
	    &a);
	assert_string_equal(a.cpu_implementer, "0x41");
	assert_string_equal(a.cpu_part, "0xd0c");
	assert_int_equal(cpu_flag_in_cpuinfo(&a, "asimd"), TRI_YES);
	cpu_parse_cpuinfo(
	    "processor\t: 0\ncpu\t\t: POWER9 (raw), altivec supported\nplatform\t: PowerNV\n", &p);
	assert_string_equal(p.ppc_platform, "PowerNV");
	assert_string_equal(p.model_name, "POWER9 (raw), altivec supported");
	cpu_parse_cpuinfo("vendor_id       : IBM/S390\n# processors    : 4\n"
			  "features\t: esan3 zarch stfle sie\nprocessor 0: version = FF\n",
			  &s);
	assert_string_equal(s.vendor_id, "IBM/S390");
	assert_int_equal(cpu_flag_in_cpuinfo(&s, "sie"), TRI_YES);
	free(a.cpuinfo_flags);
	free(p.cpuinfo_flags);
	free(s.cpuinfo_flags);

	/* a POWER host with several CPUs names its platform after all of them */
	struct cpu_facts p8 = {0};
	cpu_parse_cpuinfo("processor\t: 0\ncpu\t\t: POWER9 (raw), altivec supported\n"
			  "clock\t\t: 2300.000000MHz\nrevision\t: 2.2 (pvr 004e 1202)\n\n"
			  "processor\t: 8\ncpu\t\t: POWER9 (raw), altivec supported\n"
			  "clock\t\t: 2300.000000MHz\nrevision\t: 2.2 (pvr 004e 1202)\n\n"
			  "timebase\t: 512000000\nplatform\t: PowerNV\nmodel\t\t: 9006-22P\n"
			  "machine\t\t: PowerNV 9006-22P\nfirmware\t: OPAL\n",
			  &p8);
	assert_string_equal(p8.ppc_platform, "PowerNV");
	assert_int_equal(p8.cpuinfo_processors, 2);
	free(p8.cpuinfo_flags);

	struct cpu_facts e = {0};
	cpu_parse_cpuinfo("\x01\x02 garbage without colons\n\n", &e);
	assert_false(e.cpuinfo_parsed);
	assert_int_equal(cpu_flag_in_cpuinfo(&e, "vmx"), TRI_UNKNOWN);
}

static void firmware_log_and_msr(void **state)
{
	(void)state;
	struct firmware_facts fw = {0};
	_cleanup_error_ struct kc_error err = {0};

	firmware_parse_log("6,1,0,-;Linux version 6.1.0\n"
			   "4,210,52171,-;x86/cpu: VMX (outside TXT) disabled by BIOS\n"
			   " SUBSYSTEM=cpu\n"
			   "[    3.1] ccp 0000:22:00.1: SEV API:1.55 build:21\n"
			   "[    3.2] SEV supported: 410 ASIDs\n"
			   "[    3.3] SEV-ES supported: 99 ASIDs\n"
			   "[    3.4] SEV-SNP supported: 99 ASIDs\n"
			   "[    3.5] virt/tdx: BIOS enabled: private KeyID range [16, 64)\n",
			   &fw);
	assert_string_equal(fw.virt_disabled, "x86/cpu: VMX (outside TXT) disabled by BIOS");
	assert_string_equal(fw.sev, "SEV supported: 410 ASIDs");
	assert_string_equal(fw.sev_es, "SEV-ES supported: 99 ASIDs");
	assert_string_equal(fw.sev_snp, "SEV-SNP supported: 99 ASIDs");
	assert_string_equal(fw.tdx_bios, "virt/tdx: BIOS enabled: private KeyID range [16, 64)");
	assert_string_equal(fw.tdx, "");

	memset(&fw, 0, sizeof(fw));
	firmware_parse_log("[ 12.4] kvm: disabled by bios\n", &fw);
	assert_string_equal(fw.virt_disabled, "kvm: disabled by bios");

	memset(&fw, 0, sizeof(fw));
	assert_int_equal(firmware_parse_msr("# rdmsr\n0x3a=0x1\n0xc0010114 = 0x18\n", &fw, &err),
			 0);
	assert_true(fw.feature_control_known && fw.vm_cr_known);
	assert_int_equal(fw.feature_control, 1);
	assert_int_equal(fw.vm_cr, 0x18);
	assert_int_equal(firmware_parse_msr("0x3a 0x1\n", &fw, &err), -1);
	assert_string_equal(kc_error_msg(&err), "line 1: expected 0xADDRESS=0xVALUE");
	assert_int_equal(firmware_parse_msr("0x3a=zz\n", &fw, &err), -1);
	assert_string_equal(kc_error_msg(&err), "line 1: bad MSR value 'zz'");
}

static void kernel_config(void **state)
{
	(void)state;
	struct kconfig_query q[] = {{"CONFIG_KVM", 0},	   {"CONFIG_KVM_INTEL", 0},
				    {"CONFIG_VHOST", 0},   {"CONFIG_TUN", 0},
				    {"CONFIG_MODULES", 0}, {"CONFIG_NR_CPUS", 0}};
	kconfig_scan(
	    "CONFIG_KVM=y\nCONFIG_KVM_INTEL=m\n# CONFIG_VHOST is not set\nCONFIG_NR_CPUS=64\n"
	    "CONFIG_KVM_INTELX=y\n",
	    q, 6);
	assert_int_equal(q[0].value, 'y');
	assert_int_equal(q[1].value, 'm');
	assert_int_equal(q[2].value, 'n');
	assert_int_equal(q[3].value, '-'); /* absent: no line, not "is not set" */
	assert_int_equal(q[4].value, '-');
	assert_int_equal(q[5].value, 'y'); /* any value means set */
}

/* /proc/config.gz is scanned while it is inflated, 16 KB at a time: a
 * symbol split across two reads must still be found. */
static void kernel_config_gz(void **state)
{
	(void)state;
	char dir[] = "/tmp/kc-kconfig-XXXXXX", path[128], src[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/proc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/config.gz", dir);
	gzFile gz = gzopen(path, "wb");
	assert_non_null(gz);
	struct strbuf sb = STRBUF_INIT;
	strbuf_append(&sb, "CONFIG_MODULES=y\n");
	while (sb.len < 16384 - 8)
		strbuf_append(&sb, "CONFIG_FILLER_SYMBOL=y\n");
	strbuf_append(&sb, "CONFIG_VHOST_NET=m\n# CONFIG_VHOST_VSOCK is not set\n");
	for (int i = 0; i < 2000; i++)
		strbuf_append(&sb, "CONFIG_MORE_FILLER=y\n");
	strbuf_append(&sb, "CONFIG_KVM=y"); /* last line without a newline */
	gzwrite(gz, sb.s, (unsigned)sb.len);
	gzclose(gz);
	strbuf_release(&sb);

	struct host_root root;
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(host_root_open(&root, dir, &err), 0);
	struct kconfig_query q[] = {{"CONFIG_MODULES", 0},
				    {"CONFIG_VHOST_NET", 0},
				    {"CONFIG_VHOST_VSOCK", 0},
				    {"CONFIG_KVM", 0},
				    {"CONFIG_TUN", 0}};
	assert_int_equal(kconfig_lookup(&root, "6.1.0-test", q, 5, src, sizeof(src)), 0);
	assert_string_equal(src, "/proc/config.gz");
	assert_int_equal(q[0].value, 'y');
	assert_int_equal(q[1].value, 'm');
	assert_int_equal(q[2].value, 'n');
	assert_int_equal(q[3].value, 'y');
	assert_int_equal(q[4].value, '-');

	/* /boot/config-<release> wins when present; a corrupt config.gz is an error */
	FILE *f = fopen(path, "w");
	fputs("not gzip at all", f);
	fclose(f);
	assert_true(kconfig_lookup(&root, "6.1.0-test", q, 5, src, sizeof(src)) < 0 ||
		    q[0].value != 'y');
	snprintf(path, sizeof(path), "%s/boot", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/boot/config-6.1.0-test", dir);
	f = fopen(path, "w");
	fputs("CONFIG_TUN=m\n", f);
	fclose(f);
	assert_int_equal(kconfig_lookup(&root, "6.1.0-test", q, 5, src, sizeof(src)), 0);
	assert_string_equal(src, "/boot/config-6.1.0-test");
	assert_int_equal(q[4].value, 'm');
	host_root_close(&root);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void kvm_recording(void **state)
{
	(void)state;
	struct kvm_facts k = {0};
	assert_int_equal(kvm_parse_recording("# recorded\nuid=1000\nopen=EACCES\n", &k), 0);
	assert_int_equal(k.open_errno, EACCES);
	assert_int_equal(k.recorded_uid, 1000);
	assert_int_equal(k.api_version, -1);

	memset(&k, 0, sizeof(k));
	assert_int_equal(
	    kvm_parse_recording("open=ok\napi_version=12\ncreate_vm=EBUSY\ncap.irqchip=1\n"
				"smoke=failed: timed out\n",
				&k),
	    0);
	assert_int_equal(k.create_vm_errno, EBUSY);
	assert_int_equal(facts_kvm_cap(&k, "irqchip"), 1);
	assert_int_equal(facts_kvm_cap(&k, "irqfd"), -1);
	assert_int_equal(k.smoke, SMOKE_FAILED);
	assert_string_equal(k.smoke_detail, "timed out");

	const char *bad[] = {"open=EWHATEVER\n", "api_version=twelve\n", "cap.nosuch=1\n",
			     "cap.irqchip=-5\n", "smoke=maybe\n",	 "no equals sign\n",
			     "frobnicate=1\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&k, 0, sizeof(k));
		assert_int_equal(kvm_parse_recording(bad[i], &k), -1);
		assert_non_null(strstr(k.record_error, "line 1"));
	}
}

static void devices_recording(void **state)
{
	(void)state;
	struct devices_facts df = {0};
	df.devs[0] = (struct device_fact){.path = "/dev/kvm", .stat_errno = ENOENT, .access = -1};
	df.devs[1] =
	    (struct device_fact){.path = "/dev/net/tun", .stat_errno = ENOENT, .access = -1};
	df.n = 2;
	assert_int_equal(
	    devices_parse_recording("# comment\n/dev/kvm c 10:232 0660 root kvm r-\n", &df), 0);
	assert_true(df.devs[0].present);
	assert_int_equal(df.devs[0].minor, 232);
	assert_int_equal(df.devs[0].mode, 0660);
	assert_string_equal(df.devs[0].group, "kvm");
	assert_int_equal(df.devs[0].access, R_OK);
	assert_false(df.devs[1].present);

	const char *bad[] = {
	    "/dev/kvm x 10:232 0660 root kvm rw\n", "/dev/kvm c 10-232 0660 root kvm rw\n",
	    "/dev/kvm c 10:232 0999 root kvm rw\n", "/dev/kvm c 10:232 0660 root kvm rwx\n",
	    "/dev/kvm c 10:232 0660 root\n",	    "/dev/kvm c 10:232 0660 root kvm rw extra\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		df.record_error[0] = '\0';
		assert_int_equal(devices_parse_recording(bad[i], &df), -1);
		assert_non_null(strstr(df.record_error, "line 1"));
	}
}

static void errno_names(void **state)
{
	(void)state;
	assert_int_equal(errno_from_name("EBUSY"), EBUSY);
	assert_int_equal(errno_from_name("ok"), 0);
	assert_int_equal(errno_from_name("13"), 13);
	assert_int_equal(errno_from_name("ENOTANERRNO"), -1);
	assert_int_equal(errno_from_name(""), -1);
	assert_string_equal(errno_name(EACCES), "EACCES");
	assert_string_equal(errno_name(0), "ok");
}

static void meminfo_and_cpu_lists(void **state)
{
	(void)state;
	struct resource_facts r = {0};
	resources_parse_meminfo(
	    "MemTotal:  1000 kB\nMemAvailable: 500 kB\nHugePages_Total: 4\nbogus\n", &r);
	assert_true(r.mem_known);
	assert_int_equal(r.mem_total_kib, 1000);
	assert_int_equal(r.mem_available_kib, 500);
	assert_int_equal(r.hugepages_total, 4);
	struct resource_facts e = {0};
	resources_parse_meminfo("garbage\n", &e);
	assert_false(e.mem_known);

	assert_int_equal(cpu_list_count("0-3\n"), 4);
	assert_int_equal(cpu_list_count("0-3,8,10-11"), 7);
	assert_int_equal(cpu_list_count("0"), 1);
	assert_int_equal(cpu_list_count("3-1"), 0);
	assert_int_equal(cpu_list_count("x"), 0);
	assert_int_equal(cpu_list_count("0-3;5"), 0);
}

static void strict_helpers(void **state)
{
	(void)state;
	uint64_t u;
	int64_t i;
	unsigned v;
	assert_int_equal(parse_u64(" 42\n", 10, &u), 0);
	assert_int_equal(u, 42);
	assert_int_equal(parse_u64("0x10", 0, &u), 0);
	assert_int_equal(u, 16);
	assert_int_equal(parse_u64("42abc", 10, &u), -EINVAL);
	assert_int_equal(parse_u64("", 10, &u), -EINVAL);
	assert_int_equal(parse_u64("-1", 10, &u), -ERANGE);
	assert_int_equal(parse_u64("99999999999999999999", 10, &u), -ERANGE);
	assert_int_equal(parse_i64("-7", 10, &i), 0);
	assert_int_equal(i, -7);
	assert_int_equal(parse_uint("4294967296", 10, &v), -ERANGE);
	assert_int_equal(parse_kernel_bool("Y\n"), 1);
	assert_int_equal(parse_kernel_bool("0"), 0);
	assert_int_equal(parse_kernel_bool("maybe"), -EINVAL);
	assert_int_equal(parse_kernel_bool("a very long value"), -EINVAL);

	char line1[] = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"";
	char line2[] = "ID=debian";
	char line3[] = "# comment";
	char line4[] = "BAD KEY=x";
	char line5[] = "NAME=\"unterminated";
	char *k, *val;
	assert_true(parse_env_line(line1, &k, &val));
	assert_string_equal(k, "PRETTY_NAME");
	assert_string_equal(val, "Debian GNU/Linux 12 (bookworm)");
	assert_true(parse_env_line(line2, &k, &val));
	assert_string_equal(val, "debian");
	assert_false(parse_env_line(line3, &k, &val));
	assert_false(parse_env_line(line4, &k, &val));
	assert_false(parse_env_line(line5, &k, &val));

	assert_true(word_list_contains("a bb ccc", "bb"));
	assert_false(word_list_contains("a bb ccc", "b"));
	assert_false(word_list_contains(NULL, "b"));
	char buf[4];
	assert_false(str_copy(buf, sizeof(buf), "toolong"));
	assert_string_equal(buf, "too");
}

/* FNV-1a's published vectors, and the names the runtime has always made
 * (a VM directory's must not change under running sandboxes). */
static void fnv1a_names(void **state)
{
	(void)state;
	assert_int_equal(fnv1a_str(FNV1A_INIT, ""), 0xcbf29ce484222325ULL);
	assert_int_equal(fnv1a_str(FNV1A_INIT, "a"), 0xaf63dc4c8601ec8cULL);
	assert_int_equal(fnv1a_str(FNV1A_INIT, "foobar"), 0x85944171f73967e8ULL);
	assert_int_equal(fnv1a(fnv1a_str(FNV1A_INIT, "foo"), "bar", 3), 0x85944171f73967e8ULL);
	/* sandbox c1 under --root /tmp/vc/root: its VM directory's name */
	uint64_t h = fnv1a_str(fnv1a_str(fnv1a_str(FNV1A_INIT_SHORT, "/tmp/vc/root"), "/"), "c1");
	assert_int_equal(h, 0x494665484f7f9ff3ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cpuid_dump_intel),
	    cmocka_unit_test(cpuid_vendors_and_hypervisors),
	    cmocka_unit_test(cpuid_dump_errors),
	    cmocka_unit_test(cpuinfo_x86_and_flags),
	    cmocka_unit_test(cpuinfo_other_architectures),
	    cmocka_unit_test(firmware_log_and_msr),
	    cmocka_unit_test(kernel_config),
	    cmocka_unit_test(kernel_config_gz),
	    cmocka_unit_test(kvm_recording),
	    cmocka_unit_test(devices_recording),
	    cmocka_unit_test(errno_names),
	    cmocka_unit_test(meminfo_and_cpu_lists),
	    cmocka_unit_test(strict_helpers),
	    cmocka_unit_test(fnv1a_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
