/* KVM rules: the device, access to it, the API, VM creation, the
 * capabilities QEMU needs, a smoke guest, and whether this KVM can boot the
 * default (Linux) guest at all - a PVM host runs raw KVM guests but not a
 * standard Linux kernel under QEMU+KVM. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cpu.h"
#include "devices.h"
#include "recorded.h"
#include "rules.h"
#include "strbuf.h"

/* Capabilities QEMU relies on, one row each. min 0 means "want_vcpus". */
static const struct cap_row {
	const char *cap;
	const char *meaning;
	long min;
	enum level missing;
} cap_rows[] = {
    {"irqchip", "in-kernel interrupt controller", 1, LEVEL_FAIL},
    {"user-memory", "user memory regions", 1, LEVEL_FAIL},
    {"ioeventfd", "ioeventfd (vhost and virtio notifications)", 1, LEVEL_FAIL},
    {"irqfd", "irqfd (interrupt injection from vhost)", 1, LEVEL_FAIL},
    {"max-vcpus", "vCPUs per VM", 0, LEVEL_FAIL},
    {"nr-memslots", "memory slots (RAM, ROMs, hot-plug)", 32, LEVEL_WARN},
};

static const char *remedy_load_kvm(const struct host_facts *f, struct report_item *it)
{
	const char *vendor = rules_vendor_kvm_module(f);
	const char *mod = vendor ? vendor : "kvm";
	const struct module_facts *m = facts_module(f, mod);
	const struct module_facts *kvm = facts_module(f, "kvm");

	enum virt_block block = rules_virt_block(f, NULL, 0);
	if (block != VIRT_AVAILABLE) {
		report_item_remedy(
		    it, "%s, so %s cannot load: see the hardware virtualization check",
		    block == VIRT_FIRMWARE ? "the firmware disables hardware virtualization"
					   : "the CPU does not offer hardware virtualization",
		    mod);
		return NULL;
	}
	if (m && m->state == MOD_AVAILABLE && m->unindexed) {
		report_item_remedy(it, "run `depmod -a %s`, then load %s with `kata-setup`",
				   f->modules.release, mod);
		return NULL;
	}
	if (m && m->state == MOD_AVAILABLE) {
		report_item_remedy(
		    it, "load %s (it brings kvm): run `kata-setup`, or `modprobe %s`", mod, mod);
		report_item_fix(it, FIX_LOAD_MODULE, mod);
		return mod;
	}
	if (kvm && kvm->state == MOD_ABSENT) {
		report_item_remedy(it,
				   "this kernel has no KVM (%s); boot a kernel built with "
				   "CONFIG_KVM and %s",
				   kvm->evidence, vendor ? vendor : "its vendor module");
		return NULL;
	}
	if (m && m->state == MOD_ABSENT && !module_present(facts_module(f, "kvm_pvm"))) {
		report_item_remedy(it,
				   "%s is not available (%s): the CPU checks above say whether "
				   "the CPU allows it",
				   mod, m->evidence);
		return NULL;
	}
	report_item_remedy(it, "KVM is in the kernel but the node is missing: mount devtmpfs "
			       "on /dev, or create it with `mknod -m 0660 /dev/kvm c 10 232` "
			       "and `chgrp kvm /dev/kvm`");
	return NULL;
}

/* Returns true when the node is usable enough to go on. */
static bool rule_device(const struct host_facts *f, struct report *r)
{
	const struct device_fact *d = facts_device(f, "/dev/kvm");
	struct report_item *it;

	if (f->devices.source == SRC_NONE) {
		it = report_add(r, "kvm.device", GROUP_KVM, LEVEL_FAIL, "/dev/kvm",
				"device nodes could not be read: %s", f->devices.record_error);
		report_item_remedy(it, "fix the recording named above");
		return false;
	}
	if (!d || !d->present) {
		it = report_add(r, "kvm.device", GROUP_KVM, LEVEL_FAIL, "/dev/kvm",
				"does not exist%s%s", d && d->stat_errno != ENOENT ? ": " : "",
				d && d->stat_errno != ENOENT ? strerror(d->stat_errno) : "");
		remedy_load_kvm(f, it);
		return false;
	}
	if (!d->is_char) {
		it = report_add(r, "kvm.device", GROUP_KVM, LEVEL_FAIL, "/dev/kvm",
				"exists but is not a character device");
		report_item_remedy(it, "remove it and let devtmpfs/udev create the device "
				       "(`mknod -m 0660 /dev/kvm c 10 232`)");
		return false;
	}
	if (d->kernel_has_device == 0) {
		it = report_add(r, "kvm.device", GROUP_KVM, LEVEL_FAIL, "/dev/kvm",
				"is a stale node: the running kernel has no device %u:%u", d->major,
				d->minor);
		remedy_load_kvm(f, it);
		return false;
	}
	it = report_add(r, "kvm.device", GROUP_KVM, LEVEL_PASS, "/dev/kvm",
			"character device %u:%u, mode %04o %s:%s", d->major, d->minor,
			(unsigned)d->mode, d->owner, d->group);
	if (d->major != 10 || d->minor != 232) {
		it->level = it->raw_level = LEVEL_WARN;
		report_item_remedy(it, "expected 10:232; check that /dev/kvm is the KVM device");
	}
	return true;
}

static bool rule_access(const struct host_facts *f, struct report *r)
{
	const struct kvm_facts *k = &f->kvm;
	const struct device_fact *d = facts_device(f, "/dev/kvm");
	struct report_item *it;

	if (k->source == SRC_NONE && k->record_error[0]) {
		it = report_add(r, "kvm.access", GROUP_KVM, LEVEL_FAIL, "access to /dev/kvm",
				"the KVM recording is unusable: %s", k->record_error);
		report_item_remedy(it, "fix the recording named above");
		return false;
	}
	if (!k->attempted) {
		report_add(r, "kvm.access", GROUP_KVM, LEVEL_SKIP, "access to /dev/kvm",
			   "no KVM answers recorded for this host root");
		return false;
	}
	if (k->open_errno == 0) {
		report_add(r, "kvm.access", GROUP_KVM, LEVEL_PASS, "access to /dev/kvm",
			   "opened read-write as uid %u", (unsigned)f->euid);
		return true;
	}
	if ((k->open_errno == EACCES || k->open_errno == EPERM) && f->euid != 0) {
		it = report_add(r, "kvm.access", GROUP_KVM, LEVEL_WARN, "access to /dev/kvm",
				"uid %u may not open /dev/kvm (%s); the checks that use KVM are "
				"skipped",
				(unsigned)f->euid, errno_name(k->open_errno));
		report_item_detail(it, "/dev/kvm is mode %04o %s:%s; kata-runtime runs as root",
				   d ? (unsigned)d->mode : 0, d ? d->owner : "?",
				   d ? d->group : "?");
		if (d && d->group[0] && strcmp(d->group, "root"))
			report_item_remedy(
			    it,
			    "nothing for kata-runtime, which runs as root; to test KVM, "
			    "run kata-check as root, or add this user to group '%s' "
			    "(`usermod -aG %s USER`, then log in again)",
			    d->group, d->group);
		else
			/* a root-owned node: a user needs a group of its own, never root's */
			report_item_remedy(
			    it,
			    "nothing for kata-runtime, which runs as root; to test KVM, run "
			    "kata-check as root, or give /dev/kvm to group kvm with a udev rule "
			    "(`KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0660\"` in "
			    "/etc/udev/rules.d/65-kvm.rules, `groupadd -r kvm` if it is missing) "
			    "and add this user to it (`usermod -aG kvm USER`)");
		return false;
	}
	it = report_add(r, "kvm.access", GROUP_KVM, LEVEL_FAIL, "access to /dev/kvm",
			"open(/dev/kvm) failed as uid %u: %s", (unsigned)f->euid,
			strerror(k->open_errno));
	if (k->open_errno == EACCES || k->open_errno == EPERM)
		report_item_remedy(it,
				   "root is refused: a device cgroup, seccomp or LSM policy "
				   "blocks /dev/kvm; give this container the device (for a pod: "
				   "privileged, or a device plugin exposing /dev/kvm)");
	else if (k->open_errno == ENXIO || k->open_errno == ENODEV)
		report_item_remedy(it, "the node has no driver behind it; load the KVM modules");
	else
		report_item_remedy(it, "check dmesg for KVM errors");
	return false;
}

static bool rule_api(const struct host_facts *f, struct report *r)
{
	const struct kvm_facts *k = &f->kvm;
	struct report_item *it;

	if (k->api_version == 12) {
		report_add(r, "kvm.api", GROUP_KVM, LEVEL_PASS, "KVM API version", "12");
		return true;
	}
	if (k->api_version < 0) {
		it = report_add(r, "kvm.api", GROUP_KVM, LEVEL_FAIL, "KVM API version",
				"KVM_GET_API_VERSION failed");
		report_item_remedy(it, "check dmesg for KVM errors");
		return false;
	}
	it = report_add(r, "kvm.api", GROUP_KVM, LEVEL_FAIL, "KVM API version", "%d, expected 12",
			k->api_version);
	report_item_remedy(it, "this is not a standard Linux KVM; use a mainline kernel");
	return false;
}

static bool rule_create_vm(const struct host_facts *f, struct report *r)
{
	const struct kvm_facts *k = &f->kvm;
	struct report_item *it;

	if (!k->create_vm_probed) {
		report_add(r, "kvm.create_vm", GROUP_KVM, LEVEL_SKIP, "KVM can create a VM",
			   "not recorded for this host root");
		return false;
	}
	if (k->create_vm_errno == 0) {
		report_add(r, "kvm.create_vm", GROUP_KVM, LEVEL_PASS, "KVM can create a VM",
			   "KVM_CREATE_VM succeeded");
		return true;
	}
	if (k->create_vm_errno == EBUSY) {
		it = report_add(r, "kvm.create_vm", GROUP_KVM, LEVEL_FAIL, "KVM can create a VM",
				"KVM_CREATE_VM: EBUSY - another hypervisor holds %s",
				rules_virt_flag(f) && !strcmp(rules_virt_flag(f), "svm") ? "AMD-V"
											 : "VT-x");
		report_item_remedy(it, "stop the other hypervisor (VirtualBox, VMware Workstation, "
				       "...) and unload its driver (vboxdrv, vmmon), then retry");
		return false;
	}
	it = report_add(r, "kvm.create_vm", GROUP_KVM, LEVEL_FAIL, "KVM can create a VM",
			"KVM_CREATE_VM: %s (%s)", errno_name(k->create_vm_errno),
			strerror(k->create_vm_errno));
	report_item_remedy(it, "%s",
			   k->create_vm_errno == ENOMEM
			       ? "free memory, or lower vm.max_map_count limits"
			       : "check dmesg for the reason KVM refused");
	return false;
}

static void rule_caps(const struct rules_input *in, struct report *r)
{
	const struct kvm_facts *k = &in->facts->kvm;
	_cleanup_strbuf_ struct strbuf missing = STRBUF_INIT, found = STRBUF_INIT;
	enum level level = LEVEL_PASS;
	struct report_item *it;

	for (size_t i = 0; i < ARRAY_SIZE(cap_rows); i++) {
		const struct cap_row *row = &cap_rows[i];
		long v = facts_kvm_cap(k, row->cap);
		long min = row->min ? row->min : (long)in->want_vcpus;

		if (!strcmp(row->cap, "max-vcpus") && v == 0) {
			/* KVM API: without KVM_CAP_MAX_VCPUS use NR_VCPUS, else 4 */
			long nr = facts_kvm_cap(k, "nr-vcpus");
			v = nr > 0 ? nr : 4;
		}
		if (v < 0)
			continue; /* not recorded */
		if (v >= min) {
			strbuf_appendf(&found, "%s%s=%ld", found.len ? ", " : "", row->cap, v);
			continue;
		}
		strbuf_appendf(&missing, "%s%s (%s: %ld, need %ld)", missing.len ? "; " : "",
			       row->cap, row->meaning, v, min);
		if (row->missing > level)
			level = row->missing;
	}
	if (level == LEVEL_PASS) {
		it = report_add(r, "kvm.caps", GROUP_KVM, LEVEL_PASS, "KVM capabilities QEMU needs",
				"all present");
		report_item_detail(it, "%s", strbuf_str(&found));
		return;
	}
	it = report_add(r, "kvm.caps", GROUP_KVM, level, "KVM capabilities QEMU needs",
			"missing: %s", strbuf_str(&missing));
	report_item_remedy(it,
			   "use a newer kernel; these capabilities are standard since Linux 4.x");
}

static void rule_smoke(const struct host_facts *f, struct report *r)
{
	const struct kvm_facts *k = &f->kvm;
	struct report_item *it;

	switch (k->smoke) {
	case SMOKE_OK:
		report_add(r, "kvm.smoke", GROUP_KVM, LEVEL_PASS, "a test guest runs under KVM",
			   "%s", k->smoke_detail[0] ? k->smoke_detail : "the guest ran to HLT");
		return;
	case SMOKE_SKIPPED:
		report_add(r, "kvm.smoke", GROUP_KVM, LEVEL_SKIP, "a test guest runs under KVM",
			   "%s", k->smoke_detail[0] ? k->smoke_detail : "not run");
		return;
	case SMOKE_FAILED:
		it =
		    report_add(r, "kvm.smoke", GROUP_KVM, LEVEL_FAIL, "a test guest runs under KVM",
			       "%s", k->smoke_detail[0] ? k->smoke_detail : "the guest failed");
		report_item_remedy(it, "KVM accepts VMs but cannot run one; check dmesg for KVM "
				       "errors (a nested setup may lack required features)");
		return;
	case SMOKE_NOT_RUN:
		report_add(r, "kvm.smoke", GROUP_KVM, LEVEL_SKIP, "a test guest runs under KVM",
			   "not recorded for this host root");
		return;
	}
}

/* What stopped the KVM checks, in words that stand on their own (kata-env
 * prints them with nothing above). */
static const struct report_item *kvm_stopper(const struct report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct report_item *it = &r->items[i];
		if (it->group == GROUP_KVM && (it->level == LEVEL_FAIL || it->level == LEVEL_WARN))
			return it;
	}
	return NULL;
}

static void rule_default_guest(const struct host_facts *f, struct report *r)
{
	const char *provider = rules_kvm_provider(f);
	const char *vendor = rules_vendor_kvm_module(f);
	const char *what = "KVM can boot the default guest";
	struct report_item *it;

	if (provider && !strcmp(provider, "kvm_pvm")) {
		it =
		    report_add(r, "kvm.guest", GROUP_KVM, LEVEL_FAIL, what,
			       "KVM is provided by kvm_pvm (pagetable-based virtual machine, no "
			       "VT-x/AMD-V): raw KVM guests run, but a standard Linux guest kernel "
			       "does not boot under QEMU+KVM");
		report_item_detail(it, "%s%s", vendor ? vendor : "the hardware KVM module",
				   " is not present; PVM needs a PVM-enabled guest kernel, which "
				   "Kata's guest kernel is not");
		report_item_remedy(it, "run on a node with hardware virtualization (bare metal, or "
				       "a VM with nested virtualization), or let kata-runtime use "
				       "software emulation (accel = \"tcg\" or \"auto\" in "
				       "configuration.toml: slower, no hardware isolation)");
		return;
	}
	if (!rules_kvm_runs_guests(f)) {
		const struct report_item *stop;
		if (rules_kvm_untested_as_user(f))
			report_add(r, "kvm.guest", GROUP_KVM, LEVEL_SKIP, what,
				   "not tested: uid %u may not open /dev/kvm (kata-runtime runs as "
				   "root)",
				   (unsigned)f->euid);
		else if ((stop = kvm_stopper(r)))
			report_add(r, "kvm.guest", GROUP_KVM, LEVEL_SKIP, what,
				   "KVM could not be exercised: %s %s (%s)", stop->what,
				   stop->summary, stop->id);
		else
			report_add(r, "kvm.guest", GROUP_KVM, LEVEL_SKIP, what,
				   "KVM could not be exercised: %s",
				   f->kvm.attempted ? "not every KVM answer is known"
						    : "no KVM answers recorded for this host root");
		return;
	}
	if (f->cpu.arch == ARCH_X86_64 && !provider) {
		it = report_add(r, "kvm.guest", GROUP_KVM, LEVEL_WARN, what,
				"KVM runs guests but neither kvm_intel nor kvm_amd is present: "
				"unknown KVM backend");
		report_item_remedy(it,
				   "check which module provides KVM (`ls /sys/module | grep kvm`)");
		return;
	}
	report_add(r, "kvm.guest", GROUP_KVM, LEVEL_PASS, what, "hardware-assisted KVM%s%s%s",
		   provider ? " (" : "", provider ? provider : "", provider ? ")" : "");
}

/* The steps after the device, in order: each is reported, SKIP with the
 * reason when an earlier one stopped the chain, so that every host's JSON
 * has the same rows. */
static const struct {
	const char *id, *what;
} kvm_steps[] = {
    {"kvm.access", "access to /dev/kvm"},	  {"kvm.api", "KVM API version"},
    {"kvm.caps", "KVM capabilities QEMU needs"},  {"kvm.create_vm", "KVM can create a VM"},
    {"kvm.smoke", "a test guest runs under KVM"},
};

static void skip_untested(const struct host_facts *f, struct report *r)
{
	const char *why = "an earlier KVM check failed (see above)";
	char buf[96];
	if (rules_kvm_untested_as_user(f)) {
		snprintf(buf, sizeof(buf), "uid %u may not open /dev/kvm", (unsigned)f->euid);
		why = buf;
	} else if (!f->kvm.attempted) {
		why = "no KVM answers recorded for this host root";
	}
	for (size_t i = 0; i < ARRAY_SIZE(kvm_steps); i++) {
		if (report_find(r, kvm_steps[i].id))
			continue;
		report_add(r, kvm_steps[i].id, GROUP_KVM, LEVEL_SKIP, kvm_steps[i].what,
			   "not tested: %s", why);
	}
}

void rules_kvm(const struct rules_input *in, struct report *r)
{
	const struct host_facts *f = in->facts;

	if (rule_device(f, r) && rule_access(f, r) && rule_api(f, r)) {
		rule_caps(in, r);
		if (rule_create_vm(f, r))
			rule_smoke(f, r);
	}
	skip_untested(f, r);
	rule_default_guest(f, r);
}
