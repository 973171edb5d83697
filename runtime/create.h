/* create, as recorded steps. Each step writes to the container's state
 * what it is about to make before making it (the network it plumbs, the
 * VM directory, the share, the processes), so that one teardown - the one
 * `delete --force` runs, ctr_destroy() - undoes a failure at any step, and
 * a crash (kill -9, power loss) at any point. */
#ifndef KC_CREATE_H
#define KC_CREATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "runtime.h"

struct create_args {
	const char *id, *bundle, *console_socket, *pid_file;
	bool foreground; /* run without --detach: a terminal may be ours */
	/* containerd-shim-kata-v2 carries the process itself (no kata-shim):
	 * the state names the carrier, which is never stopped by a teardown */
	bool carried;
};

struct create_result {
	pid_t shim;	 /* the process's stand-in (the carrier when carried) */
	uint32_t stream; /* the process's stream on the agent channel */
	bool terminal;
};

/* Create the container. */
int create_container(struct rt *rt, const struct create_args *a, struct create_result *out,
		     struct kc_error *err);

#endif
