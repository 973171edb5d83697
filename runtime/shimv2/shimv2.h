/* containerd-shim-kata-v2: one daemon per pod serving containerd's task
 * API (runtime/v2/task/shim.proto) over ttrpc. Lifecycle requests run the
 * runtime's own code in-process (create_container, ctr_start, ctr_destroy)
 * under one lock; each process's stdio is carried by a thread of ours
 * between containerd's FIFOs and the process's stream on the agent
 * channel (kata-shim's stdio pump), so there is no kata-runtime call per
 * request and no kata-shim per process. The agent channel stays behind
 * kata-proxy where the VM has only virtio-serial (as Kata 1's shim v2 did
 * without vsock). */
#ifndef KC_SHIMV2_H
#define KC_SHIMV2_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "runtime.h"

/* beside kata-runtime's default root, dotted as the runtime's own entries are:
 * no container id starts with a dot, and the dashboard reads it apart */
#define SHIMV2_RUN_DIR "/run/kata-containers/.shimv2"

struct v2opts {
	const char *ns, *address, *publish_binary, *id, *bundle;
	bool debug;
};

enum v2status { V2_CREATED, V2_RUNNING, V2_PAUSED, V2_STOPPED };

/* One process: a container's init (exec_id NULL) or an exec. */
struct v2proc {
	char *id, *exec_id, *bundle;
	char *stdin_path, *stdout_path, *stderr_path;
	bool terminal;
	json_t *spec; /* an exec's OCI process, until it starts */
	uint32_t stream;
	enum v2status status;
	int exit_status;
	struct timespec exited_at;
	bool rootfs_mounted;
	/* the stdio carrier */
	pthread_t io;
	bool io_running;
	int wake_fd;	  /* eventfd: CloseIO reaches the carrier through it */
	bool close_stdin; /* asked by CloseIO */
	struct v2proc *next;
};

struct v2shim {
	struct v2opts o;
	struct rt rt;
	pthread_mutex_t lock; /* the table and every runtime call */
	pthread_cond_t changed;
	struct v2proc *procs;
	int listen_fd;
	char *socket_path;
	bool shutdown;
};

/* start: the pod's daemon, started or found; its address on stdout. */
int v2_start(const struct v2opts *o, struct kc_error *err);
/* delete: cleanup after a dead shim; a DeleteResponse on stdout. */
int v2_delete(const struct v2opts *o, struct kc_error *err);
/* The daemon: serve on the listening socket (fd 3) until Shutdown. */
int v2_serve(const struct v2opts *o, struct kc_error *err);

/* A CreateTask's runtime options: a ConfigPath (runtimeoptions.v1)
 * becomes the configuration of this shim's pod (the caller holds s->lock);
 * -1 with err when it is not usable. */
struct Google__Protobuf__Any;
int v2_options_apply(struct v2shim *s, const struct Google__Protobuf__Any *any,
		     struct kc_error *err);

/* The runtime's root for a namespace's containers. */
char *v2_root(const char *ns);

/* ttrpc: accept connections and dispatch requests to the task service. */
int v2_server_run(struct v2shim *s, struct kc_error *err);

/* The task service: one call by its method name. The request's payload
 * in, the response's out (malloc'd); a gRPC status code (0 = OK) with a
 * message in err otherwise. */
int v2_task_call(struct v2shim *s, const char *method, const uint8_t *in, size_t in_len,
		 uint8_t **out, size_t *out_len, struct kc_error *err);

/* Processes (the caller holds s->lock). */
struct v2proc *v2_proc_find(struct v2shim *s, const char *id, const char *exec_id);
struct v2proc *v2_proc_add(struct v2shim *s, const char *id, const char *exec_id);
void v2_proc_remove(struct v2shim *s, struct v2proc *p);
/* Attach the process's stdio (containerd's FIFOs) to its stream and carry
 * it until it exits: its status is then set and s->changed broadcast. */
int v2_proc_carry(struct v2shim *s, struct v2proc *p, struct kc_error *err);
/* Ask the carrier to close the process's stdin. */
void v2_proc_close_stdin(struct v2proc *p);
/* Wait for the carrier thread to end (s->lock not held). */
void v2_proc_join(struct v2proc *p);

/* Events to containerd (through the publish binary): msg is a
 * ProtobufCMessage of containerd.events. */
void v2_publish(struct v2shim *s, const char *topic, const void *msg);
void v2_event_exit(struct v2shim *s, const struct v2proc *p);
/* TaskOOM: the guest's OOM killer took a process of the container. */
void v2_event_oom(struct v2shim *s, const struct v2proc *p);

/* The runtime's side (the caller holds s->lock): the container's state
 * says stopped; the path of its sandbox's kata-proxy socket. */
void v2_record_stopped(struct v2shim *s, const char *id);
char *v2_proxy_socket(struct v2shim *s, const char *id, struct kc_error *err);

/* The rootfs mounts containerd hands over (a snapshot), on bundle/rootfs. */
int v2_mount_rootfs(const char *bundle, void *const *mounts, size_t n, struct kc_error *err);
void v2_umount_rootfs(const char *bundle);

#endif
