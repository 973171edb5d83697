/* Resource rules: enough CPUs and memory for one sandbox of the configured
 * size, a cgroup hierarchy for the container manager, and a kernel new
 * enough for the features the runtime uses. */
#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "strutil.h"

#define MIN_KERNEL_MAJOR 4
#define MIN_KERNEL_MINOR 14

static void rule_cpus(const struct rules_input *in, struct report *r)
{
	const struct resource_facts *res = &in->facts->res;
	unsigned cpus = res->cpus_online ? res->cpus_online : in->facts->cpu.cpuinfo_processors;
	struct report_item *it;

	if (!cpus) {
		it = report_add(r, "resources.cpus", GROUP_RESOURCES, LEVEL_WARN, "CPUs",
				"the number of online CPUs is unknown");
		report_item_remedy(it, "mount /sys and /proc in the host root");
		return;
	}
	if (cpus < in->want_vcpus) {
		it = report_add(r, "resources.cpus", GROUP_RESOURCES, LEVEL_WARN, "CPUs",
				"%u online, fewer than the %u vCPUs a sandbox is configured with",
				cpus, in->want_vcpus);
		report_item_remedy(
		    it, "kata-runtime clamps vCPUs to %u; lower default_vcpus to match", cpus);
		return;
	}
	report_add(r, "resources.cpus", GROUP_RESOURCES, LEVEL_PASS, "CPUs", "%u online", cpus);
}

static void rule_memory(const struct rules_input *in, struct report *r)
{
	const struct resource_facts *res = &in->facts->res;
	bool tcg = rules_runs_tcg(in->facts, in->accel);
	struct memory_budget b;
	struct report_item *it;

	rules_memory_budget(res, tcg, &b);
	if (!b.known) {
		it = report_add(r, "resources.memory", GROUP_RESOURCES, LEVEL_WARN, "memory",
				"/proc/meminfo could not be read");
		report_item_remedy(it, "mount /proc in the host root");
		return;
	}
	unsigned long long total = b.total_mib, avail = b.available_mib, qemu = b.overhead_mib,
			   keep = b.reserve_mib, fit = b.fit_mib, want = in->want_memory_mib;
	if (b.fit_mib < GUEST_MIN_MIB) {
		it = report_add(r, "resources.memory", GROUP_RESOURCES, LEVEL_FAIL, "memory",
				"%llu MiB%s is too little for any VM", total,
				b.strict_commit && b.commit_room_mib < total
				    ? " (and strict overcommit accounting)"
				    : "");
		report_item_detail(it,
				   "a guest needs at least %d MiB, QEMU about %llu MiB beside it, "
				   "and the host keeps %llu MiB for itself%s",
				   GUEST_MIN_MIB, qemu, keep,
				   b.strict_commit ? "; vm.overcommit_memory = 2 leaves "
						     "CommitLimit - Committed_AS to commit"
						   : "");
		/* the least memory whose budget fits the smallest guest */
		unsigned long long least = total;
		struct resource_facts more = *res;
		for (struct memory_budget m = b; m.fit_mib < GUEST_MIN_MIB && least < (1ULL << 30);
		     rules_memory_budget(&more, tcg, &m)) {
			least += 32;
			more.mem_total_kib = least * 1024;
			more.commit_limit_kib += 32 * 1024;
		}
		report_item_remedy(
		    it, "give the node at least %llu MiB, or run its pods with runc (no VM)",
		    least);
		return;
	}
	if (want > fit) {
		it = report_add(r, "resources.memory", GROUP_RESOURCES, LEVEL_WARN, "memory",
				"a %llu MiB VM does not fit in %llu MiB: kata-runtime sizes VMs at "
				"%llu MiB",
				want, total, fit);
		report_item_detail(it,
				   "QEMU needs about %llu MiB beside the guest, and the host keeps "
				   "%llu MiB%s",
				   qemu, keep,
				   b.strict_commit ? " (vm.overcommit_memory = 2 limits it further)"
						   : "");
		report_item_remedy(it, "lower default_memory to %llu or less, or add memory", fit);
		return;
	}
	if (avail < want + qemu) {
		it = report_add(r, "resources.memory", GROUP_RESOURCES, LEVEL_WARN, "memory",
				"%llu MiB available now, less than a %llu MiB VM and QEMU's %llu "
				"MiB",
				avail, want, qemu);
		report_item_remedy(it,
				   "free memory, or lower default_memory in configuration.toml");
		return;
	}
	it = report_add(r, "resources.memory", GROUP_RESOURCES, LEVEL_PASS, "memory",
			"%llu MiB available of %llu MiB; a VM takes %llu MiB and QEMU about %llu "
			"MiB",
			avail, total, want, qemu);
	if (res->swap_total_kib || b.strict_commit)
		report_item_detail(it, "swap %llu MiB%s",
				   (unsigned long long)res->swap_total_kib / 1024,
				   b.strict_commit ? "; strict overcommit accounting" : "");
	if (res->hugepages_total)
		report_item_detail(it, "hugepages: %llu of %llu free, %llu KiB each",
				   (unsigned long long)res->hugepages_free,
				   (unsigned long long)res->hugepages_total,
				   (unsigned long long)res->hugepage_size_kib);
}

/* enable_hugepages: the guest's memory must come from free huge pages. */
static void rule_hugepages(const struct rules_input *in, struct report *r)
{
	const struct resource_facts *res = &in->facts->res;
	const struct config_state *cs = in->config;
	if (!cs || !cs->loaded || !cs->cfg.hypervisor.enable_hugepages || !res->mem_known)
		return;
	unsigned long long free_mib = res->hugepages_free * res->hugepage_size_kib / 1024;
	if (free_mib >= in->want_memory_mib) {
		report_add(r, "resources.hugepages", GROUP_RESOURCES, LEVEL_PASS, "huge pages",
			   "%llu MiB free, for a %u MiB VM (enable_hugepages)", free_mib,
			   in->want_memory_mib);
		return;
	}
	struct report_item *it = report_add(
	    r, "resources.hugepages", GROUP_RESOURCES, LEVEL_FAIL, "huge pages",
	    "%llu MiB of huge pages free, less than a %u MiB VM (enable_hugepages = true)",
	    free_mib, in->want_memory_mib);
	report_item_remedy(
	    it,
	    "reserve huge pages (`sysctl vm.nr_hugepages=N`, %llu KiB each) and mount "
	    "hugetlbfs on /dev/hugepages, or set enable_hugepages = false",
	    (unsigned long long)(res->hugepage_size_kib ? res->hugepage_size_kib : 2048));
}

static void rule_cgroups(const struct rules_input *in, struct report *r)
{
	enum cgroup_layout c = in->facts->res.cgroup;
	struct report_item *it;

	switch (c) {
	case CGROUP_V1:
	case CGROUP_HYBRID:
	case CGROUP_V2:
		report_add(r, "resources.cgroups", GROUP_RESOURCES, LEVEL_PASS, "cgroups", "%s%s",
			   cgroup_layout_name(c),
			   c == CGROUP_HYBRID ? " (v1 controllers, v2 at /sys/fs/cgroup/unified)"
					      : "");
		return;
	case CGROUP_NONE:
	case CGROUP_UNKNOWN: break;
	}
	it = report_add(r, "resources.cgroups", GROUP_RESOURCES, LEVEL_WARN, "cgroups",
			"no cgroup hierarchy at /sys/fs/cgroup");
	report_item_remedy(it, "mount cgroup2 on /sys/fs/cgroup (container managers need it)");
}

/* The controllers the runtime's host cgroups (the pod's cgroupsPath, with
 * QEMU and its helpers in it) and the container managers rely on. */
static const struct cgroup_row {
	const char *name;
	bool v1, v2;
	const char *why;
} cgroup_rows[] = {
    {"cpu", true, true, "pod CPU limits on QEMU's threads"},
    {"cpuset", true, true, "pinning a pod's VM to CPUs (kubelet's CPU manager)"},
    {"memory", true, true, "pod memory limits on QEMU and the guest's memory"},
    {"pids", true, true, "the pod's process limit on the host side of the VM"},
    {"devices", true, false, "which devices the VM's processes may open"},
    {"io", false, true, "block I/O weights and limits"},
};

static void rule_cgroup_controllers(const struct rules_input *in, struct report *r)
{
	const struct resource_facts *res = &in->facts->res;
	bool v2 = res->cgroup == CGROUP_V2;
	struct report_item *it;
	char id[64], what[64];

	if (res->cgroup != CGROUP_V1 && res->cgroup != CGROUP_HYBRID && !v2)
		return; /* no hierarchy at all: said once, above */
	for (size_t i = 0; i < ARRAY_SIZE(cgroup_rows); i++) {
		const struct cgroup_row *row = &cgroup_rows[i];
		if (v2 ? !row->v2 : !row->v1)
			continue;
		snprintf(id, sizeof(id), "resources.cgroup.%s", row->name);
		snprintf(what, sizeof(what), "cgroup controller %s", row->name);
		if (word_list_contains(res->cgroup_disabled, row->name)) {
			it = report_add(r, id, GROUP_RESOURCES, LEVEL_WARN, what,
					"disabled by the kernel command line: no %s", row->why);
			report_item_remedy(
			    it, "remove cgroup_disable=%s from the kernel command line", row->name);
			continue;
		}
		if (!word_list_contains(res->cgroup_available, row->name)) {
			it = report_add(r, id, GROUP_RESOURCES, LEVEL_WARN, what,
					v2 ? "not available in the cgroup v2 hierarchy: no %s"
					   : "not mounted at /sys/fs/cgroup: no %s",
					row->why);
			if (v2)
				report_item_remedy(
				    it,
				    "boot a kernel with the %s controller, and make sure "
				    "no cgroup v1 hierarchy holds it",
				    row->name);
			else
				report_item_remedy(
				    it,
				    "mount it: `mkdir -p /sys/fs/cgroup/%s && mount -t "
				    "cgroup -o %s cgroup /sys/fs/cgroup/%s`",
				    row->name, row->name, row->name);
			continue;
		}
		if (v2 && res->cgroup_subtree_known &&
		    !word_list_contains(res->cgroup_subtree, row->name)) {
			it = report_add(r, id, GROUP_RESOURCES, LEVEL_WARN, what,
					"available, but not enabled for child cgroups: no %s",
					row->why);
			report_item_remedy(
			    it,
			    "`echo +%s > /sys/fs/cgroup/cgroup.subtree_control` (systemd "
			    "and the container manager normally do it)",
			    row->name);
			continue;
		}
		report_add(r, id, GROUP_RESOURCES, LEVEL_PASS, what, "%s",
			   v2 ? (res->cgroup_subtree_known ? "enabled for child cgroups"
							   : "available (subtree_control unread)")
			      : "mounted");
	}
}

static void rule_kernel(const struct rules_input *in, struct report *r)
{
	const struct resource_facts *res = &in->facts->res;
	unsigned major = 0, minor = 0;
	struct report_item *it;

	if (!res->kernel_release[0]) {
		it = report_add(r, "resources.kernel", GROUP_RESOURCES, LEVEL_WARN, "kernel",
				"release unknown: /proc/sys/kernel/osrelease unreadable");
		report_item_remedy(it, "mount /proc in the host root");
		return;
	}
	if (sscanf(res->kernel_release, "%u.%u", &major, &minor) != 2) {
		it = report_add(r, "resources.kernel", GROUP_RESOURCES, LEVEL_WARN, "kernel",
				"cannot parse release '%s'", res->kernel_release);
		report_item_remedy(it, "check /proc/sys/kernel/osrelease");
		return;
	}
	if (major < MIN_KERNEL_MAJOR || (major == MIN_KERNEL_MAJOR && minor < MIN_KERNEL_MINOR)) {
		it = report_add(r, "resources.kernel", GROUP_RESOURCES, LEVEL_WARN, "kernel",
				"Linux %s is older than %d.%d", res->kernel_release,
				MIN_KERNEL_MAJOR, MIN_KERNEL_MINOR);
		report_item_remedy(it,
				   "upgrade the kernel: vhost-vsock and other features the "
				   "runtime uses need %d.%d or later",
				   MIN_KERNEL_MAJOR, MIN_KERNEL_MINOR);
		return;
	}
	report_add(r, "resources.kernel", GROUP_RESOURCES, LEVEL_PASS, "kernel", "Linux %s%s%s%s",
		   res->kernel_release, res->distro_name[0] ? " (" : "", res->distro_name,
		   res->distro_name[0] ? ")" : "");
}

void rules_resources(const struct rules_input *in, struct report *r)
{
	rule_cpus(in, r);
	rule_memory(in, r);
	rule_hugepages(in, r);
	rule_cgroups(in, r);
	rule_cgroup_controllers(in, r);
	rule_kernel(in, r);
}
