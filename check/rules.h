/* Rules: pure functions from host facts (and what the configuration asks
 * for) to report items. No I/O here: unit tests build facts by hand. */
#ifndef KC_RULES_H
#define KC_RULES_H

#include "config_probe.h"
#include "facts.h"
#include "report.h"

/* What the configuration asks of the host. kata-check fills it from the
 * active configuration when there is one, from Kata's defaults otherwise. */
struct rules_input {
	const struct host_facts *facts;
	const struct config_state *config; /* the active configuration; NULL: none sought */
	unsigned want_vcpus;		   /* default_vcpus */
	unsigned want_memory_mib;	   /* default_memory */
	const char *accel;		   /* "kvm" (default), "tcg" or "auto" */
};

#define DEFAULT_VCPUS	   1
#define DEFAULT_MEMORY_MIB 2048

void rules_input_defaults(struct rules_input *in, const struct host_facts *f);
/* Take want_vcpus, want_memory_mib and accel from a loaded configuration. */
void rules_input_from_config(struct rules_input *in, const struct config_state *cs);

/* All groups, in report order. */
void rules_evaluate(const struct rules_input *in, struct report *r);

void rules_cpu(const struct rules_input *in, struct report *r);
void rules_kvm(const struct rules_input *in, struct report *r);
void rules_modules(const struct rules_input *in, struct report *r);
void rules_devices(const struct rules_input *in, struct report *r);
void rules_iommu(const struct rules_input *in, struct report *r);
void rules_resources(const struct rules_input *in, struct report *r);
void rules_config(const struct rules_input *in, struct report *r);
/* What the host offers for confidential guests (AMD SEV, Intel TDX, IBM
 * Secure Execution): never a failure, since ordinary pods need none. */
void rules_confidential(const struct rules_input *in, struct report *r);
/* With accel "auto" or "tcg", what only rules out hardware virtualization
 * becomes a warning: the runtime runs the VM under TCG instead. */
void rules_apply_accel(const struct rules_input *in, struct report *r);

/* Shared judgements. */
/* The module that gives KVM its hardware backend on this CPU: kvm_intel,
 * kvm_amd, kvm_hv; NULL where KVM has none (arm64, s390x) or unknown. */
const char *rules_vendor_kvm_module(const struct host_facts *f);
/* The module actually providing KVM: the vendor module when present,
 * kvm_pvm when that is what runs, NULL when unknown. */
const char *rules_kvm_provider(const struct host_facts *f);
/* KVM created a VM and (where we have one) ran the smoke guest. */
bool rules_kvm_runs_guests(const struct host_facts *f);
/* KVM could not be exercised only because this user may not open
 * /dev/kvm: kata-runtime (root) may well use it. Judgements that need KVM
 * to run are then "untested", not "unusable". */
bool rules_kvm_untested_as_user(const struct host_facts *f);
/* Does the kernel expose IOMMU groups (passthrough possible)? */
bool rules_iommu_enabled(const struct host_facts *f);
/* Whether KVM's vendor module can work on this CPU. */
enum virt_block {
	VIRT_AVAILABLE = 0, /* as far as can be told (or not x86, or KVM already runs) */
	VIRT_NO_FLAG,	    /* the CPU (or the hypervisor below) does not offer it */
	VIRT_FIRMWARE,	    /* the firmware locked it off */
};
/* why (may be NULL) gets the evidence for anything but VIRT_AVAILABLE. */
enum virt_block rules_virt_block(const struct host_facts *f, char *why, size_t len);
/* Memory: what one VM really costs and what the host must keep. QEMU's own
 * memory beside the guest's was measured on this project's guest: about
 * 150 MiB under KVM, 360 MiB under TCG (its translation cache). */
#define GUEST_MIN_MIB	      256 /* the smallest guest that boots and runs a container */
#define QEMU_OVERHEAD_KVM_MIB 160
#define QEMU_OVERHEAD_TCG_MIB 384
#define HOST_RESERVE_MIN_MIB  256 /* and 1/16 of the memory above that */

struct memory_budget {
	bool known;
	uint64_t total_mib, available_mib;
	uint64_t overhead_mib;	  /* QEMU beside the guest */
	uint64_t reserve_mib;	  /* what the host keeps for itself */
	uint64_t fit_mib;	  /* the largest guest that leaves both; 0 when none */
	bool strict_commit;	  /* vm.overcommit_memory = 2 */
	uint64_t commit_room_mib; /* with strict_commit: CommitLimit - Committed_AS */
};
/* From the memory facts alone; tcg: the VM runs under TCG (a larger QEMU). */
void rules_memory_budget(const struct resource_facts *res, bool tcg, struct memory_budget *b);
/* Will VMs run under TCG with this accelerator setting? */
bool rules_runs_tcg(const struct host_facts *f, const char *accel);

/* The VM factory (rules_factory.c). What keeps a template from serving
 * this configuration on this host - the configuration's own blocker or the
 * memory - NULL when nothing does; buf holds a memory reason. */
const char *rules_factory_blocker(const struct host_facts *f, const struct kc_config *c, char *buf,
				  size_t size);
/* The memory part alone: a template's memory file beside a VM. */
const char *rules_template_memory(const struct resource_facts *res, bool tcg,
				  unsigned default_memory, char *buf, size_t size);
/* vm_cache_number = "auto": how many VMs, and why (into why). */
unsigned rules_vm_cache_size(const struct resource_facts *res, bool tcg, unsigned default_memory,
			     char *why, size_t size);
void rules_factory(const struct rules_input *in, struct report *r);

/* Another hypervisor's vsock transport that keeps vhost_vsock from loading
 * (before Linux 5.5 the first transport owned vsock): its module name, NULL
 * when none is in the way. */
const char *rules_vsock_conflict(const struct host_facts *f);
/* The running kernel is older than major.minor (false when unknown). */
bool rules_kernel_before(const struct host_facts *f, unsigned major, unsigned minor);
/* The x86 virtualization flag for this vendor ("vmx"/"svm"), NULL if none. */
const char *rules_virt_flag(const struct host_facts *f);

#endif
