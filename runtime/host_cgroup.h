/* The pod's cgroup on the host: the sandbox spec's linux.cgroupsPath (a
 * cgroupfs path, or the systemd driver's "slice:prefix:name"), made in
 * every cgroup hierarchy the host mounts (v1, hybrid or v2), so that QEMU,
 * virtiofsd, kata-proxy and the shims are charged to the pod from their
 * first instruction (they join it before exec). Its limits are the pod's -
 * the containers' sum plus the VM's overhead (pod_host_limits.c), as
 * Kubernetes also puts on the pod's own cgroup above it. The leaf is ours and
 * removed with the sandbox (after a crash too: the path is recorded before
 * anything is made); the levels above it are left, as runc leaves them. */
#ifndef KC_HOST_CGROUP_H
#define KC_HOST_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

#define HOST_CGROUP_MAX 16 /* hierarchies */

/* The cgroup's path below each hierarchy's root ("a/b/c", no leading
 * slash) from a cgroupsPath; systemd's form is taken when it has one
 * (runc's --systemd-cgroup, or "slice:prefix:name"). -1 with err naming
 * linux.cgroupsPath for a path that could leave the hierarchy. */
int host_cgroup_path(const char *cgroups_path, bool systemd, char **out, struct kc_error *err);

/* Make the cgroup in every hierarchy (cpuset's cpus and mems inherited,
 * v2's controllers enabled on the levels made) and open, for a process
 * about to join it, each hierarchy's cgroup.procs: up to max descriptors
 * in fds, their count returned (-1 with err). */
int host_cgroup_create(const char *path, int *fds, int max, struct kc_error *err);
/* The cgroup.procs of an existing cgroup (a later shim joining it). */
int host_cgroup_open_procs(const char *path, int *fds, int max, struct kc_error *err);
void host_cgroup_close_fds(int *fds, int n);

/* Remove the leaf in every hierarchy, waiting (bounded) for the processes
 * that are leaving it. Gone or never made: nothing to do. */
void host_cgroup_remove(const char *path);

/* The pod's limits on the host: its containers' limits plus what its VM
 * costs beyond them, the RuntimeClass's overhead.podFixed
 * (data/kata-runtimeclass.yaml: measured QEMU, guest and shim). */
#define HOST_OVERHEAD_MEMORY   (340LL << 20)
#define HOST_OVERHEAD_MILLICPU 250
struct host_limits {
	long long memory;	       /* bytes; 0: no limit */
	long long cpu_quota;	       /* microseconds per period; 0: no limit */
	unsigned long long cpu_period; /* microseconds */
};

/* Set the limits on the cgroup in every hierarchy that has the controller
 * (v2: memory.max, cpu.max; v1: memory.limit_in_bytes, cpu.cfs_period_us
 * and cpu.cfs_quota_us); "no limit" lifts one. -1 with err naming the file
 * (a v1 memory limit below what is in use is refused by the kernel). */
int host_cgroup_set_limits(const char *path, const struct host_limits *l, struct kc_error *err);

/* The hierarchies' mount points (for tests and kata-env): up to max. */
int host_cgroup_mounts(char mounts[][256], int max);

#endif
