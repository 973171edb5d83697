/* CPU probing: the CPUID instruction (or a `cpuid -r` recording under the
 * host root) and /proc/cpuinfo, for every architecture we know. */
#include "cpu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define HAVE_CPUID_INSN 1
#endif

#include "recorded.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

#define CPUINFO_MAX (4 * 1024 * 1024)

enum reg { EAX, EBX, ECX, EDX };

/* x86 features we judge, by their /proc/cpuinfo name. */
static const struct cpu_feature {
	const char *flag;
	uint32_t leaf;
	enum reg reg;
	unsigned bit;
} x86_features[] = {
    {"vmx", 0x1, ECX, 5},
    {"sse4_1", 0x1, ECX, 19},
    {"hypervisor", 0x1, ECX, 31},
    {"svm", 0x80000001, ECX, 2},
    {"lm", 0x80000001, EDX, 29},
    {"nx", 0x80000001, EDX, 20},
    /* AMD memory encryption (leaf 0x8000001f EAX) */
    {"sme", 0x8000001f, EAX, 0},
    {"sev", 0x8000001f, EAX, 1},
    {"sev_es", 0x8000001f, EAX, 3},
    {"sev_snp", 0x8000001f, EAX, 4},
};

/* Leaves worth keeping from a live CPU or a full dump. */
static bool leaf_wanted(uint32_t leaf, uint32_t subleaf)
{
	if (subleaf != 0)
		return false;
	return leaf == 0 || leaf == 1 || leaf == 7 || leaf == 0x40000000 || leaf == 0x40000001 ||
	       (leaf >= 0x80000000 && leaf <= 0x80000008) || leaf == 0x8000000a ||
	       leaf == 0x8000001f;
}

static void add_leaf(struct cpu_facts *cpu, uint32_t leaf, uint32_t sub, uint32_t a, uint32_t b,
		     uint32_t c, uint32_t d)
{
	if (cpu->ncpuid >= CPUID_LEAVES_MAX || facts_cpuid(cpu, leaf, sub))
		return;
	cpu->cpuid[cpu->ncpuid++] = (struct cpuid_leaf){leaf, sub, a, b, c, d};
}

int cpuid_parse_dump(const char *text, struct cpu_facts *cpu, struct kc_error *err)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *cursor = copy, *line;
	int lineno = 0, cpus_seen = 0;

	cpu->ncpuid = 0;
	while ((line = next_line(&cursor))) {
		unsigned leaf, sub, a, b, c, d;
		int used = 0;
		lineno++;
		char *t = str_trim(line);
		if (!*t || *t == '#')
			continue;
		if (str_startswith(t, "CPU")) {
			/* "CPU:" or "CPU 0:" headers; keep the first CPU only */
			if (++cpus_seen > 1)
				break;
			continue;
		}
		if (sscanf(t, "0x%x 0x%x: eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x%n", &leaf, &sub, &a,
			   &b, &c, &d, &used) != 6 ||
		    t[used] != '\0') {
			return kc_error_set(
			    err, 0,
			    "line %d: expected '0xLEAF 0xSUB: eax=0x.. ebx=0x.. ecx=0x.. edx=0x..'",
			    lineno);
		}
		if (leaf_wanted(leaf, sub))
			add_leaf(cpu, leaf, sub, a, b, c, d);
	}
	if (!facts_cpuid(cpu, 0, 0)) {
		return kc_error_set(err, 0, "no leaf 0x00000000 (vendor) in the dump");
	}
	return 0;
}

#ifdef HAVE_CPUID_INSN
static void cpuid_live(struct cpu_facts *cpu)
{
	unsigned a, b, c, d, max, ext_max;

	__cpuid(0, max, b, c, d);
	add_leaf(cpu, 0, 0, max, b, c, d);
	if (max >= 1) {
		__cpuid(1, a, b, c, d);
		add_leaf(cpu, 1, 0, a, b, c, d);
		if (c & (1u << 31)) {
			__cpuid(0x40000000, a, b, c, d);
			add_leaf(cpu, 0x40000000, 0, a, b, c, d);
		}
	}
	if (max >= 7) {
		__cpuid_count(7, 0, a, b, c, d);
		add_leaf(cpu, 7, 0, a, b, c, d);
	}
	__cpuid(0x80000000, ext_max, b, c, d);
	add_leaf(cpu, 0x80000000, 0, ext_max, b, c, d);
	if (ext_max >= 0x8000001f) {
		__cpuid(0x8000001f, a, b, c, d);
		add_leaf(cpu, 0x8000001f, 0, a, b, c, d);
	}
	for (uint32_t l = 0x80000001; l <= 0x8000000a && l <= ext_max; l++) {
		if (!leaf_wanted(l, 0))
			continue;
		__cpuid(l, a, b, c, d);
		add_leaf(cpu, l, 0, a, b, c, d);
	}
	cpu->cpuid_source = SRC_LIVE;
}
#endif

static const struct {
	const char *id;
	enum cpu_vendor vendor;
	const char *name;
} x86_vendors[] = {
    {"GenuineIntel", VENDOR_INTEL, "Intel"},
    {"GenuineIotel", VENDOR_INTEL, "Intel"},
    {"AuthenticAMD", VENDOR_AMD, "AMD"},
    {"HygonGenuine", VENDOR_HYGON, "Hygon"},
    {"  Shanghai  ", VENDOR_ZHAOXIN, "Zhaoxin"},
    {"CentaurHauls", VENDOR_CENTAUR, "Centaur/VIA"},
    {"VIA VIA VIA ", VENDOR_OTHER, "VIA"},
    {"CyrixInstead", VENDOR_OTHER, "Cyrix"},
    {"GenuineTMx86", VENDOR_OTHER, "Transmeta"},
    {"TransmetaCPU", VENDOR_OTHER, "Transmeta"},
    {"Geode by NSC", VENDOR_OTHER, "National Semiconductor"},
    {"NexGenDriven", VENDOR_OTHER, "NexGen"},
    {"RiseRiseRise", VENDOR_OTHER, "Rise"},
    {"SiS SiS SiS ", VENDOR_OTHER, "SiS"},
    {"UMC UMC UMC ", VENDOR_OTHER, "UMC"},
    {"Vortex86 SoC", VENDOR_OTHER, "DM&P Vortex86"},
    {"E2K MACHINE", VENDOR_OTHER, "MCST Elbrus"},
};

static const struct {
	const char *sig;
	const char *name;
} hypervisors[] = {
    {"KVMKVMKVM", "KVM"},
    {"Linux KVM Hv", "KVM (Hyper-V enlightenments)"},
    {"Microsoft Hv", "Microsoft Hyper-V"},
    {"VMwareVMware", "VMware"},
    {"XenVMMXenVMM", "Xen HVM"},
    {"TCGTCGTCGTCG", "QEMU TCG"},
    {"VBoxVBoxVBox", "VirtualBox"},
    {" lrpepyh  vr", "Parallels"},
    {"bhyve bhyve ", "bhyve"},
    {"ACRNACRNACRN", "ACRN"},
    {" QNXQVMBSQG ", "QNX hypervisor"},
    {"___ NVMM ___", "NetBSD NVMM"},
    {"OpenBSDVMM58", "OpenBSD vmm"},
    {"HAXMHAXMHAXM", "Intel HAXM"},
    {"EVMMEVMMEVMM", "Intel KGT"},
    {"Jailhouse", "Jailhouse"},
    {"UnisysSpar64", "Unisys s-Par"},
    {"SRESRESRESRE", "Lockheed Martin LMHS"},
};

const char *cpu_vendor_display(const char *vendor_id)
{
	for (size_t i = 0; i < ARRAY_SIZE(x86_vendors); i++)
		if (!strcmp(vendor_id, x86_vendors[i].id))
			return x86_vendors[i].name;
	return NULL;
}

/* CPUID strings may hold NULs and non-printing bytes; keep them printable. */
static void regs_to_string(char *out, const uint32_t *regs, int n)
{
	char raw[48];
	int len = 0;

	memcpy(raw, regs, (size_t)n * 4);
	for (int i = 0; i < n * 4; i++) {
		unsigned char ch = (unsigned char)raw[i];
		if (ch == 0)
			break;
		out[len++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	out[len] = '\0';
}

void cpu_decode_cpuid(struct cpu_facts *cpu)
{
	const struct cpuid_leaf *l0 = facts_cpuid(cpu, 0, 0), *l1 = facts_cpuid(cpu, 1, 0);

	if (!l0)
		return;
	uint32_t v[3] = {l0->ebx, l0->edx, l0->ecx};
	regs_to_string(cpu->vendor_id, v, 3);
	cpu->vendor = VENDOR_OTHER;
	for (size_t i = 0; i < ARRAY_SIZE(x86_vendors); i++)
		if (!strcmp(cpu->vendor_id, x86_vendors[i].id))
			cpu->vendor = x86_vendors[i].vendor;
	if (l1) {
		unsigned base_family = (l1->eax >> 8) & 0xf;
		unsigned base_model = (l1->eax >> 4) & 0xf;
		cpu->family =
		    base_family == 0xf ? base_family + ((l1->eax >> 20) & 0xff) : base_family;
		cpu->model = (base_family == 0x6 || base_family == 0xf)
				 ? base_model | (((l1->eax >> 16) & 0xf) << 4)
				 : base_model;
		cpu->stepping = l1->eax & 0xf;
		cpu->has_family = true;
		cpu->hypervisor_bit = (l1->ecx >> 31) & 1;
	}
	const struct cpuid_leaf *b[3] = {facts_cpuid(cpu, 0x80000002, 0),
					 facts_cpuid(cpu, 0x80000003, 0),
					 facts_cpuid(cpu, 0x80000004, 0)};
	if (b[0] && b[1] && b[2]) {
		uint32_t regs[12];
		for (int i = 0; i < 3; i++) {
			regs[i * 4 + 0] = b[i]->eax;
			regs[i * 4 + 1] = b[i]->ebx;
			regs[i * 4 + 2] = b[i]->ecx;
			regs[i * 4 + 3] = b[i]->edx;
		}
		char brand[49];
		regs_to_string(brand, regs, 12);
		str_copy(cpu->model_name, sizeof(cpu->model_name), str_trim(brand));
	}
	const struct cpuid_leaf *h = facts_cpuid(cpu, 0x40000000, 0);
	if (cpu->hypervisor_bit && h) {
		uint32_t hv[3] = {h->ebx, h->ecx, h->edx};
		regs_to_string(cpu->hypervisor_id, hv, 3);
		str_copy(cpu->hypervisor_name, sizeof(cpu->hypervisor_name),
			 "unidentified hypervisor");
		for (size_t i = 0; i < ARRAY_SIZE(hypervisors); i++)
			if (!strcmp(cpu->hypervisor_id, hypervisors[i].sig))
				str_copy(cpu->hypervisor_name, sizeof(cpu->hypervisor_name),
					 hypervisors[i].name);
	}
}

static uint32_t reg_value(const struct cpuid_leaf *l, enum reg r)
{
	switch (r) {
	case EAX: return l->eax;
	case EBX: return l->ebx;
	case ECX: return l->ecx;
	case EDX: return l->edx;
	}
	return 0;
}

enum tri cpu_flag_in_cpuid(const struct cpu_facts *cpu, const char *flag)
{
	for (size_t i = 0; i < ARRAY_SIZE(x86_features); i++) {
		const struct cpu_feature *f = &x86_features[i];
		if (strcmp(f->flag, flag))
			continue;
		if (cpu->arch != ARCH_X86_64 || cpu->cpuid_source == SRC_NONE)
			return TRI_UNKNOWN;
		const struct cpuid_leaf *l = facts_cpuid(cpu, f->leaf, 0);
		if (!l) {
			/* a leaf beyond the CPU's maximum reads as zero */
			const struct cpuid_leaf *maxl =
			    facts_cpuid(cpu, f->leaf & 0x80000000 ? 0x80000000 : 0, 0);
			return maxl && maxl->eax < f->leaf ? TRI_NO : TRI_UNKNOWN;
		}
		return (reg_value(l, f->reg) >> f->bit) & 1 ? TRI_YES : TRI_NO;
	}
	return TRI_UNKNOWN;
}

enum tri cpu_flag_in_cpuinfo(const struct cpu_facts *cpu, const char *flag)
{
	if (!cpu->cpuinfo_parsed || !cpu->cpuinfo_flags)
		return TRI_UNKNOWN;
	return word_list_contains(cpu->cpuinfo_flags, flag) ? TRI_YES : TRI_NO;
}

static const struct {
	const char *code;
	const char *name;
} arm_implementers[] = {
    {"0x41", "Arm"},	   {"0x42", "Broadcom"}, {"0x43", "Cavium"}, {"0x46", "Fujitsu"},
    {"0x48", "HiSilicon"}, {"0x4e", "NVIDIA"},	 {"0x50", "APM"},    {"0x51", "Qualcomm"},
    {"0x53", "Samsung"},   {"0x61", "Apple"},	 {"0x69", "Intel"},  {"0x6d", "Microsoft"},
    {"0xc0", "Ampere"},
};

void cpu_parse_cpuinfo(const char *text, struct cpu_facts *cpu)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *cursor = copy, *line;
	unsigned processors = 0;
	bool first_done = false;

	while ((line = next_line(&cursor))) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *key = str_trim(line), *val = str_trim(colon + 1);

		if (!strcmp(key, "processor")) {
			/* s390x lists "processor 0: version = ..." lines, x86/arm "processor : 0"
			 */
			if (processors++ > 0)
				first_done = true;
			continue;
		}
		if (str_startswith(key, "processor ")) {
			processors++;
			continue;
		}
		/* POWER lists the machine after every processor block: "timebase",
		 * "platform", "model", "machine" belong to no processor */
		if (!strcmp(key, "platform")) {
			str_copy(cpu->ppc_platform, sizeof(cpu->ppc_platform), val);
			continue;
		}
		if (first_done)
			continue;
		if (!strcmp(key, "flags") || !strcmp(key, "Features") || !strcmp(key, "features")) {
			if (!cpu->cpuinfo_flags)
				cpu->cpuinfo_flags = xstrdup(val);
		} else if (!strcmp(key, "vendor_id")) {
			if (!cpu->vendor_id[0])
				str_copy(cpu->vendor_id, sizeof(cpu->vendor_id), val);
		} else if (!strcmp(key, "model name") || !strcmp(key, "cpu")) {
			if (!cpu->model_name[0])
				str_copy(cpu->model_name, sizeof(cpu->model_name), val);
		} else if (!strcmp(key, "CPU implementer")) {
			str_copy(cpu->cpu_implementer, sizeof(cpu->cpu_implementer), val);
		} else if (!strcmp(key, "CPU part")) {
			str_copy(cpu->cpu_part, sizeof(cpu->cpu_part), val);
		} else if (!strcmp(key, "cpu MHz")) {
			double mhz = strtod(val, NULL);
			if (mhz > 0 && mhz < 100000)
				cpu->khz = (unsigned)(mhz * 1000);
		} else if (!strcmp(key, "cpu family") && !cpu->has_family) {
			parse_uint(val, 10, &cpu->family);
		} else if (!strcmp(key, "model") && !cpu->has_family) {
			parse_uint(val, 10, &cpu->model);
		} else if (!strcmp(key, "stepping") && !cpu->has_family) {
			parse_uint(val, 10, &cpu->stepping);
		} else if (!strcmp(key, "# processors")) {
			unsigned n;
			if (parse_uint(val, 10, &n) == 0)
				processors = n;
		}
	}
	cpu->cpuinfo_processors = processors;
	cpu->cpuinfo_parsed = processors > 0 || cpu->cpuinfo_flags != NULL;
}

static enum host_arch arch_from_name(const char *m)
{
	if (!strcmp(m, "x86_64"))
		return ARCH_X86_64;
	if (!strcmp(m, "aarch64") || !strcmp(m, "arm64"))
		return ARCH_ARM64;
	if (!strcmp(m, "ppc64le"))
		return ARCH_PPC64LE;
	if (!strcmp(m, "s390x"))
		return ARCH_S390X;
	return m[0] ? ARCH_OTHER : ARCH_UNKNOWN;
}

/* Without kernel.arch (Linux < 5.? or a sparse fixture) guess from cpuinfo. */
static enum host_arch arch_from_cpuinfo(const struct cpu_facts *cpu)
{
	if (cpu->cpu_implementer[0])
		return ARCH_ARM64;
	if (!strcmp(cpu->vendor_id, "IBM/S390"))
		return ARCH_S390X;
	if (str_startswith(cpu->model_name, "POWER") || cpu->ppc_platform[0])
		return ARCH_PPC64LE;
	if (cpu->cpuinfo_flags && word_list_contains(cpu->cpuinfo_flags, "fpu"))
		return ARCH_X86_64;
	return ARCH_UNKNOWN;
}

static void identify_from_cpuinfo(struct cpu_facts *cpu)
{
	switch (cpu->arch) {
	case ARCH_ARM64:
		cpu->vendor = VENDOR_ARM;
		str_copy(cpu->vendor_id, sizeof(cpu->vendor_id), cpu->cpu_implementer);
		for (size_t i = 0; i < ARRAY_SIZE(arm_implementers); i++)
			if (!strcasecmp(cpu->cpu_implementer, arm_implementers[i].code) &&
			    !cpu->model_name[0])
				snprintf(cpu->model_name, sizeof(cpu->model_name), "%s (part %s)",
					 arm_implementers[i].name, cpu->cpu_part);
		break;
	case ARCH_PPC64LE:
	case ARCH_S390X: cpu->vendor = VENDOR_IBM; break;
	case ARCH_X86_64:
		if (cpu->cpuid_source == SRC_NONE) {
			cpu->vendor = VENDOR_OTHER;
			for (size_t i = 0; i < ARRAY_SIZE(x86_vendors); i++)
				if (!strcmp(cpu->vendor_id, x86_vendors[i].id))
					cpu->vendor = x86_vendors[i].vendor;
			if (!cpu->vendor_id[0])
				cpu->vendor = VENDOR_UNKNOWN;
			cpu->hypervisor_bit = cpu_flag_in_cpuinfo(cpu, "hypervisor") == TRI_YES;
		}
		break;
	default: break;
	}
}

static void probe_cpuid(const struct host_root *root, struct cpu_facts *cpu)
{
	_cleanup_free_ char *text = NULL;
	int r;

	cpu->cpuid_source = SRC_NONE;
	if (cpu->arch != ARCH_X86_64) {
		snprintf(cpu->cpuid_error, sizeof(cpu->cpuid_error),
			 "CPUID is an x86 instruction (host is %s)", cpu->arch_name);
		return;
	}
	r = recorded_read(root, "cpuid", &text);
	if (r < 0) {
		snprintf(cpu->cpuid_error, sizeof(cpu->cpuid_error), "%s/cpuid: %s", RECORDED_DIR,
			 strerror(-r));
		return;
	}
	if (r > 0) {
		_cleanup_error_ struct kc_error err = {0};
		if (cpuid_parse_dump(text, cpu, &err) < 0) {
			cpu->ncpuid = 0;
			snprintf(cpu->cpuid_error, sizeof(cpu->cpuid_error), "%s/cpuid %s",
				 RECORDED_DIR, kc_error_msg(&err));
			return;
		}
		cpu->cpuid_source = SRC_RECORDED;
		return;
	}
#ifdef HAVE_CPUID_INSN
	/* The host root is "/" or a mount of the node we run on (a DaemonSet):
	 * either way this CPU is the host's CPU. */
	cpuid_live(cpu);
#else
	snprintf(cpu->cpuid_error, sizeof(cpu->cpuid_error),
		 "no CPUID recording and this machine is not x86");
#endif
}

void cpu_probe(const struct host_root *root, struct cpu_facts *cpu)
{
	_cleanup_free_ char *text = NULL;
	char arch[32] = "";
	int r;

	if (host_read_attr(root, "/proc/sys/kernel/arch", arch, sizeof(arch)) < 0 && root->live) {
		struct utsname u;
		if (uname(&u) == 0)
			str_copy(arch, sizeof(arch), u.machine);
	}

	r = host_read_file(root, "/proc/cpuinfo", CPUINFO_MAX, &text, NULL);
	cpu->cpuinfo_errno = r < 0 ? -r : 0;
	if (r == 0)
		cpu_parse_cpuinfo(text, cpu);

	cpu->arch = arch_from_name(arch);
	if (cpu->arch == ARCH_UNKNOWN)
		cpu->arch = arch_from_cpuinfo(cpu);
	str_copy(cpu->arch_name, sizeof(cpu->arch_name), arch[0] ? arch : arch_name(cpu->arch));

	probe_cpuid(root, cpu);
	if (cpu->cpuid_source != SRC_NONE) {
		/* CPUID is authoritative for identity; cpuinfo keeps its flags for the cross-check
		 */
		char cpuinfo_model[sizeof(cpu->model_name)];
		str_copy(cpuinfo_model, sizeof(cpuinfo_model), cpu->model_name);
		cpu->model_name[0] = '\0';
		cpu->vendor_id[0] = '\0';
		cpu_decode_cpuid(cpu);
		if (!cpu->model_name[0])
			str_copy(cpu->model_name, sizeof(cpu->model_name), cpuinfo_model);
	}
	identify_from_cpuinfo(cpu);
}
