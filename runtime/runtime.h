/* kata-runtime's commands and what they share: the global options, a
 * locked container with its state, and the live status. */
#ifndef KC_RUNTIME_H
#define KC_RUNTIME_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "sandbox.h"
#include "state.h"

struct rtconfig;
struct sandbox_params;

#define KC_DEFAULT_ROOT "/run/kata-containers"
#define OCI_VERSION	"1.0.2"

struct rt {
	const char *root;
	const char *log_path;
	bool log_json, debug;
	const char *kata_config;
	bool systemd_cgroup;
	const char *argv0;
	/* The VM factory (runtime/factory/: factory_prebuilt_vm), given by
	 * the front ends: the core never includes the factory. 0 when sb got
	 * a prebuilt VM, 1 to boot one cold; NULL: every VM boots cold. */
	int (*prebuilt_vm)(const struct rtconfig *rc, struct sandbox *sb,
			   const struct sandbox_params *sp, int nvfio);
};

/* A container, locked, with its state and its sandbox. */
struct ctr {
	struct state_dir sd;
	json_t *state;
	struct sandbox sb;
	bool have_sandbox;
};

int ctr_open(struct rt *rt, const char *id, struct ctr *c, struct kc_error *err);
/* ctr_open, or - for delete --force - the id's directory alone when it has
 * no state that can be read. */
int ctr_open_for_teardown(struct rt *rt, const char *id, struct ctr *c, struct kc_error *err);
void ctr_close(struct ctr *c);
/* A struct ctr that ctr_close() may be given before ctr_open() filled it. */
#define CTR_INIT                                                                                   \
	{                                                                                          \
		.sd = {.fd = -1, .rootfd = -1 }                                                    \
	}
#define _cleanup_ctr_ _cleanup_(ctr_close)
int ctr_save(struct ctr *c, struct kc_error *err);
/* "created", "running", "paused" or "stopped", from the state and the
 * processes behind it (the shim, QEMU). */
const char *ctr_status(const struct ctr *c);
/* The OCI state object (runc's "state" output). */
json_t *ctr_oci_state(const struct ctr *c);
/* A connection to the container's agent (through the proxy). */
int ctr_agent(struct ctr *c, struct agent_client *ac, struct kc_error *err);
/* ctr_agent for a container that is not stopped ("container not running"). */
int ctr_agent_running(struct ctr *c, struct agent_client *ac, struct kc_error *err);
/* New limits (OCI LinuxResources) for a running container: its cgroup in
 * the guest, recorded in its state, then its pod's limits on the host
 * (pod_host_limits.c). kata-runtime update and the shim v2's Update. */
int ctr_update(struct rt *rt, struct ctr *c, json_t *resources, struct kc_error *err);
/* Tear down: remove it in the guest, stop its shims, unshare its files,
 * stop the VM when it is its own sandbox, poststop hooks, the state. */
void ctr_destroy(struct rt *rt, struct ctr *c, bool force);
/* Start a created container's process in the guest (runc's start). */
int ctr_start(struct rt *rt, const char *id, struct kc_error *err);
/* Pause (true) or resume (false) a container's processes in the guest. */
int ctr_pause(struct rt *rt, const char *id, bool pause, struct kc_error *err);

/* The shim for a process: a child of ours, in the sandbox's netns, with
 * our stdio. */
pid_t ctr_spawn_shim(struct rt *rt, const struct ctr *c, const char *shim_path, const char *exec_id,
		     uint32_t stream, bool terminal, const char *console_socket,
		     struct kc_error *err);

/* A process whose terminal is ours (run or exec in the foreground, no
 * console socket) starts at our terminal's size: the shim's first resize
 * reaches the guest only after the process may have asked for it. */
void ctr_console_size_from_stdin(json_t *process);

int write_pid_file(const char *path, pid_t pid, struct kc_error *err);

#endif
