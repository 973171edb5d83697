/* create, as recorded steps. Each step writes to the container's state
 * what it is about to make before making it (the network it plumbs, the
 * VM directory, the share, the processes), so that one teardown - the one
 * `delete --force` runs, ctr_destroy() - undoes a failure at any step, and
 * a crash (kill -9, power loss) at any point. */
#ifndef KC_CREATE_H
#define KC_CREATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "runtime.h"

struct create_args {
	const char *id, *bundle, *console_socket, *pid_file;
	bool foreground; /* run without --detach: a terminal may be ours */
};

/* Create the container; its shim's pid in *shim. */
int create_container(struct rt *rt, const struct create_args *a, pid_t *shim, struct kc_error *err);

#endif
