/* kata-proxy: the one owner of a sandbox's agent channel. QEMU's socket for
 * the virtio-serial port takes one client at a time, and reconnecting to it
 * quickly can leave QEMU's port marked closed while a client is connected
 * (measured: about one reconnect in fifteen stalls). So one connection is
 * made, kept for the VM's life, and shared:
 *
 *  - clients (kata-runtime, kata-shim, agentctl) connect to the proxy's
 *    socket and speak the same protocol (HELLO, REQUEST, stream frames);
 *  - request ids are rewritten so clients' ids never collide, and each
 *    response goes back to the client that asked, with its own id;
 *  - a process's stream belongs to the client that created it, or to the
 *    one that claims it with the proxy's own "attach_stream" request (the
 *    shim); its frames go to that client only;
 *  - when the agent's side closes (the VM is gone) the proxy exits. */
#ifndef KC_PROXY_H
#define KC_PROXY_H

#include <sys/types.h>

#include "error.h"

struct proxy_options {
	const char *agent_socket;  /* QEMU's chardev socket */
	const char *listen_socket; /* ours */
	int connect_timeout_ms;
	const char *log_path;	/* NULL: stderr */
	const char *sandbox_id; /* for the logs */
	int ready_fd;		/* written to (one byte) once listening, -1 */
	/* the VM's file server (virtiofsd) and the VM (QEMU), 0 for none: when
	 * the server dies the VM's files are gone for good - every access in
	 * the guest would hang - so the VM is killed and its end reported as
	 * any VM's (the channel closes) */
	pid_t fs_server_pid, vm_pid;
};

/* Serve until the agent's channel closes: 0, or -1 with err. */
int proxy_run(const struct proxy_options *o, struct kc_error *err);

#endif
