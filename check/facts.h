/* struct host_facts: what the probes found on a host, as plain data with no
 * judgement in it. Rules (rules_*.c) turn facts into a report; JSON output
 * (facts_json.c) prints them for scripts. Every fact says where it came
 * from where that matters: the live system or a recording in the host
 * root's .kata-check/ directory (see tests/fixtures/README.md). */
#ifndef KC_FACTS_H
#define KC_FACTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum fact_source {
	SRC_NONE = 0, /* not available at all */
	SRC_LIVE,     /* the CPUID instruction or ioctls on this machine */
	SRC_RECORDED, /* HOSTROOT/.kata-check/<file> */
};

enum host_arch { ARCH_UNKNOWN = 0, ARCH_X86_64, ARCH_ARM64, ARCH_PPC64LE, ARCH_S390X, ARCH_OTHER };

enum cpu_vendor {
	VENDOR_UNKNOWN = 0,
	VENDOR_INTEL,
	VENDOR_AMD,
	VENDOR_HYGON,
	VENDOR_ZHAOXIN,
	VENDOR_CENTAUR,
	VENDOR_ARM,   /* arm64: any implementer; cpu_implementer names it */
	VENDOR_IBM,   /* ppc64le and s390x */
	VENDOR_OTHER, /* known only by its name */
};

struct cpuid_leaf {
	uint32_t leaf, subleaf;
	uint32_t eax, ebx, ecx, edx;
};

#define CPUID_LEAVES_MAX 48

struct cpu_facts {
	enum host_arch arch;
	char arch_name[32]; /* "x86_64", "aarch64", ... */

	/* CPUID (x86 only) */
	enum fact_source cpuid_source;
	char cpuid_error[160]; /* why CPUID is unavailable, or a recording's parse error */
	struct cpuid_leaf cpuid[CPUID_LEAVES_MAX];
	int ncpuid;

	/* decoded identity (CPUID on x86, /proc/cpuinfo elsewhere) */
	char vendor_id[32]; /* "GenuineIntel", "AuthenticAMD", "0x41" ... */
	enum cpu_vendor vendor;
	char model_name[128];
	unsigned family, model, stepping;
	bool has_family;
	bool hypervisor_bit;	  /* CPUID.1:ECX[31], or "hypervisor" flag */
	char hypervisor_id[16];	  /* leaf 0x40000000 signature, e.g. "KVMKVMKVM" */
	char hypervisor_name[48]; /* "KVM", "Microsoft Hyper-V", ... */

	/* /proc/cpuinfo */
	int cpuinfo_errno;   /* 0 when read */
	bool cpuinfo_parsed; /* read and had at least one processor */
	char *cpuinfo_flags; /* first processor's flags/features line */
	unsigned cpuinfo_processors;
	char cpu_implementer[16]; /* arm64 "CPU implementer" */
	char cpu_part[16];	  /* arm64 "CPU part" */
	char ppc_platform[32];	  /* ppc64le "platform": PowerNV, pSeries */
	unsigned khz;		  /* x86 "cpu MHz" in kHz (TCG passes the TSC through at it), 0 */
};

enum module_state {
	MOD_UNKNOWN = 0,
	MOD_LOADED,    /* loadable module, currently loaded */
	MOD_BUILTIN,   /* compiled into the kernel */
	MOD_AVAILABLE, /* .ko present in the modules directory, not loaded */
	MOD_ABSENT,    /* none of the above */
};

struct module_param_fact {
	char name[32];
	char value[64];
	int read_errno; /* 0 when value was read */
};

#define MODULE_PARAMS_MAX 6

struct module_facts {
	char name[32];
	enum module_state state;
	char evidence[384]; /* what told us the state (paths of up to 255 bytes) */
	char path[256];	    /* .ko path relative to the modules directory */
	char kconfig[40];   /* "CONFIG_VHOST_NET" */
	char kconfig_value; /* 'y', 'm', 'n', or 0 when unknown */
	bool blacklisted;
	bool unindexed;	   /* the file is on disk but modules.dep does not list it */
	char options[160]; /* "options" lines from modprobe.d, joined */
	int refcnt;	   /* -1 when unknown */
	struct module_param_fact params[MODULE_PARAMS_MAX];
	int nparams;
};

#define MODULES_MAX 24

struct modules_facts {
	char release[128];     /* kernel release the modules directory is for */
	char modules_dir[256]; /* "/lib/modules/<release>" */
	bool modules_dir_present;
	char kmod_error[320];	/* libkmod could not read the module database (a path of up to 255
				   bytes and why) */
	char kernel_config[64]; /* where the kernel config came from, "" if none */
	char modules_support;	/* CONFIG_MODULES: 'y', 'n', 0 unknown */
	struct module_facts mods[MODULES_MAX];
	int n;
};

enum smoke_result { SMOKE_NOT_RUN = 0, SMOKE_OK, SMOKE_FAILED, SMOKE_SKIPPED };

struct kvm_cap_fact {
	const char *name; /* static string from the capability table */
	long value;	  /* KVM_CHECK_EXTENSION result; -1 not probed */
};

#define KVM_CAPS_MAX 12

struct kvm_facts {
	enum fact_source source; /* live ioctls or recorded answers */
	char record_error[160];	 /* a malformed recording */
	bool attempted;		 /* we tried to open the device */
	int open_errno;		 /* 0 = opened read-write */
	int api_version;	 /* -1 when not probed */
	bool create_vm_probed;
	int create_vm_errno;
	struct kvm_cap_fact caps[KVM_CAPS_MAX];
	int ncaps;
	int recorded_uid; /* uid the answers were recorded as, -1 if not said */
	enum smoke_result smoke;
	char smoke_detail[160];
};

struct device_fact {
	const char *path; /* static: "/dev/kvm" */
	bool present;
	int stat_errno; /* why stat failed (ENOENT = absent) */
	bool is_char;
	unsigned major, minor;
	mode_t mode; /* permission bits */
	char owner[32], group[32];
	int access;	       /* R_OK|W_OK bits granted to the caller, -1 unknown */
	int kernel_has_device; /* /sys/dev/char/M:m exists: 1, 0, -1 unknown */
	char sysfs_class[64];  /* "misc/kvm" */
	bool udev_known;       /* udev's view below is valid (live root, udev running) */
	bool udev_initialized;
};

#define DEVICES_MAX 8

struct devices_facts {
	enum fact_source source; /* live stat() or recorded table */
	char record_error[160];
	bool udev_running; /* /run/udev/control exists (live root only) */
	struct device_fact devs[DEVICES_MAX];
	int n;
};

struct pci_device_fact {
	char bdf[16]; /* "0000:01:00.0" */
	uint16_t vendor, device;
	uint32_t class;	 /* class and subclass, as lspci -n prints them */
	char driver[32]; /* "" when no driver is bound */
	int iommu_group; /* -1 when none */
	/* memory BARs in bytes: below 4 GiB, and 64-bit ones (a GPU's frame
	 * buffer) - what the VM's PCI windows must hold when it is passed */
	uint64_t mmio32, mmio64;
};

struct iommu_facts {
	bool acpi_dmar;		/* Intel VT-d table */
	bool acpi_ivrs;		/* AMD-Vi table */
	bool acpi_iort;		/* arm64 SMMU table */
	char units[128];	/* /sys/class/iommu entries: "dmar0 dmar1" */
	int ngroups;		/* entries in /sys/kernel/iommu_groups, -1 if absent */
	char cmdline_iommu[96]; /* iommu-related kernel parameters, as given */
	bool cmdline_read;
	bool pci_scanned;
	char pci_error[192]; /* "libpci: " and its message (160) */
	struct pci_device_fact *devs;
	int ndevs;
};

/* The firmware's word, from the kernel log and the MSRs it locks. */
#define FW_LINE_MAX 160 /* each kernel log line kept */
struct firmware_facts {
	enum fact_source log_source;	 /* /dev/kmsg (live) or .kata-check/kmsg */
	char log_error[96];		 /* why the kernel log could not be read */
	char virt_disabled[FW_LINE_MAX]; /* the kernel saying the firmware disabled VT-x/AMD-V */
	enum fact_source msr_source;	 /* /dev/cpu/0/msr (live) or .kata-check/msr */
	char msr_error[96];
	bool feature_control_known, vm_cr_known;
	uint64_t feature_control; /* Intel IA32_FEATURE_CONTROL */
	uint64_t vm_cr;		  /* AMD VM_CR */
	/* confidential guests: the kernel's own lines about them */
	char sev[FW_LINE_MAX];	    /* "SEV supported: 410 ASIDs" */
	char sev_es[FW_LINE_MAX];   /* "SEV-ES supported: 99 ASIDs" */
	char sev_snp[FW_LINE_MAX];  /* "SEV-SNP enabled" / "SEV-SNP supported: ..." */
	char tdx[FW_LINE_MAX];	    /* "virt/tdx: module initialized" */
	char tdx_bios[FW_LINE_MAX]; /* "virt/tdx: BIOS enabled: private KeyID range [..)" */
	int s390_prot_virt_host;    /* /sys/firmware/uv/prot_virt_host: 1, 0, -1 unknown */
};

enum cgroup_layout { CGROUP_UNKNOWN = 0, CGROUP_NONE, CGROUP_V1, CGROUP_HYBRID, CGROUP_V2 };

struct resource_facts {
	unsigned cpus_online; /* 0 when unknown */
	uint64_t mem_total_kib, mem_available_kib;
	bool mem_known;
	uint64_t hugepages_total, hugepages_free, hugepage_size_kib;
	uint64_t swap_total_kib, swap_free_kib;
	uint64_t commit_limit_kib, committed_kib; /* CommitLimit, Committed_AS */
	int overcommit; /* vm.overcommit_memory: 0 heuristic, 1 always, 2 strict; -1 unknown */
	enum cgroup_layout cgroup;
	/* controllers: v2's root cgroup.controllers, or v1's mounted hierarchies */
	char cgroup_available[160];
	char cgroup_subtree[160]; /* v2: cgroup.subtree_control */
	bool cgroup_subtree_known;
	char cgroup_disabled[160]; /* /proc/cgroups "enabled 0" (cgroup_disable=) */
	char kernel_release[128];
	char kernel_version[160];
	char distro_id[32], distro_version[32], distro_name[96];
	char os_name[64]; /* os-release NAME ("Debian GNU/Linux"); distro_name is PRETTY_NAME */
};

struct host_facts {
	char host_root[4096];
	bool live; /* host root is "/" */
	uid_t euid;
	struct cpu_facts cpu;
	struct modules_facts modules;
	struct kvm_facts kvm;
	struct devices_facts devices;
	struct iommu_facts iommu;
	struct resource_facts res;
	struct firmware_facts firmware;
};

void host_facts_free(struct host_facts *f);

/* Look-ups used by probes, rules and renderers. */
const struct module_facts *facts_module(const struct host_facts *f, const char *name);
const struct module_param_fact *facts_module_param(const struct module_facts *m, const char *name);
const struct device_fact *facts_device(const struct host_facts *f, const char *path);
const struct cpuid_leaf *facts_cpuid(const struct cpu_facts *c, uint32_t leaf, uint32_t subleaf);
long facts_kvm_cap(const struct kvm_facts *k, const char *name);

/* KVM opened, answered API 12, created a VM and (where we have one) ran
 * the smoke guest: the probes' facts alone, for rules and probes alike. */
bool kvm_runs_guests(const struct kvm_facts *k);

/* Is a module usable right now (loaded or built in)? */
bool module_present(const struct module_facts *m);

const char *arch_name(enum host_arch a);
const char *vendor_name(enum cpu_vendor v);
const char *module_state_name(enum module_state s);
const char *source_name(enum fact_source s);
const char *cgroup_layout_name(enum cgroup_layout c);
const char *smoke_result_name(enum smoke_result s);

#endif
