/* kata-shim: what the container manager sees as the container's process
 * (or an exec'd process). It carries the process's stdio between its own
 * stdin/stdout/stderr (or a terminal it hands over --console-socket) and
 * the process's stream on the agent, forwards the signals it gets to the
 * process, and exits with the process's exit status. */
#ifndef KC_SHIM_H
#define KC_SHIM_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct shim_options {
	const char *proxy_socket;
	const char *container_id;
	const char *exec_id; /* NULL: the container's init */
	uint32_t stream;
	bool terminal;
	const char *console_socket;
	int ready_fd; /* >= 0: written to ("R") and closed once attached */
};

/* The process's exit status (0-255), or -1 with err when the channel failed. */
int shim_run(const struct shim_options *o, struct kc_error *err);

/* Send a terminal's master to a console socket, as runc does. */
int console_send(const char *socket_path, int master, const char *name, struct kc_error *err);

#endif
