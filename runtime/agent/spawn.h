/* Starting container processes (see spawn.c). */
#ifndef KC_AGENT_SPAWN_H
#define KC_AGENT_SPAWN_H

#include "error.h"
#include "agent.h"
#include "oci.h"

struct spawn_request {
	struct container *c;
	struct process *p;
	struct oci_process proc;
	bool is_init;
	/* a container's init */
	const json_t *spec;
	const char *rootfs, *share, *cgroup;
	pid_t join_ipc, join_uts, join_pid; /* processes whose namespaces to share, 0: new */
	bool agent_pid_ns; /* the spec lists no pid namespace: the agent's (runc's rule) */
	/* a user namespace: a container's init is born in a new one, mapped by
	 * the agent as linux.uidMappings and gidMappings say; an exec joins
	 * its container's */
	bool userns;
	const json_t *uid_map, *gid_map;
	/* linux.seccomp of the container's spec (init and execs alike), or NULL */
	const json_t *seccomp;
	/* an exec: the container's init, whose namespaces it enters */
	pid_t target_pid;
	/* filled in by spawn_process */
	int child_in, child_out, child_err, status_w, start_r;
	int go_r, go_w; /* a new user namespace: the child waits for its maps */
	char pty_name[64];
};

/* Fork the child and leave it preparing; its status pipe is in epoll.
 * -1 with err when nothing was started. */
int spawn_process(struct agent *a, struct spawn_request *r, struct kc_error *err);
int process_resize(struct process *p, unsigned short rows, unsigned short cols);

#endif
