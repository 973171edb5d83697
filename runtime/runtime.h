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

#define KC_DEFAULT_ROOT "/run/kata-containers"
#define OCI_VERSION	"1.0.2"

struct rt {
	const char *root;
	const char *log_path;
	bool log_json, debug;
	const char *kata_config;
	bool systemd_cgroup;
	const char *argv0;
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

/* The shim for a process: a child of ours, in the sandbox's netns, with
 * our stdio. */
pid_t ctr_spawn_shim(struct rt *rt, const struct ctr *c, const char *shim_path, const char *exec_id,
		     uint32_t stream, bool terminal, const char *console_socket,
		     struct kc_error *err);

int write_pid_file(const char *path, pid_t pid, struct kc_error *err);

/* Commands: 0 success, 1 error (err set), or a process's exit status for
 * the foreground ones. */
int cmd_create(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_run(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_start(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_state(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_kill(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_delete(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_exec(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_ps(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_list(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_pause(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_resume(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_events(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_update(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_spec(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_features(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_checkpoint(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_kata_network(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_kata_overhead(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_factory(struct rt *rt, int argc, char **argv, struct kc_error *err);
int cmd_restore(struct rt *rt, int argc, char **argv, struct kc_error *err);

#endif
