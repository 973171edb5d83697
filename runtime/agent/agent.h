/* kata-agent: PID 1 of the guest. One thread, one epoll loop: the channel
 * to the host, a signalfd (children, channel wake-ups) and the stdio and
 * status pipes of the processes it runs. See docs/agent-protocol.md. */
#ifndef KC_AGENT_H
#define KC_AGENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"

#define AGENT_RUN		 "/run/kata-containers"
#define AGENT_SHARED		 AGENT_RUN "/shared/containers" /* the host share */
#define AGENT_CGROUP		 "/sys/fs/cgroup"
#define AGENT_DEFAULT_PORT	 PROTO_AGENT_PORT_NAME
#define AGENT_DEFAULT_VSOCK_PORT PROTO_AGENT_VSOCK_PORT
/* how long a wait may be held back for the process's last output */
#define AGENT_OUTPUT_LINGER_MS 500

/* ---- logging (to the console) ------------------------------------------ */
enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
extern enum log_level agent_log_level;
void agent_log(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) agent_log(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  agent_log(LOG_WARN, __VA_ARGS__)
#define log_info(...)  agent_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...) agent_log(LOG_DEBUG, __VA_ARGS__)

double agent_uptime_ms(void);

/* ---- boot (boot.c) ------------------------------------------------------ */
struct boot_options {
	enum { CHANNEL_SERIAL, CHANNEL_VSOCK } channel;
	char port_name[64]; /* virtio-serial port name */
	unsigned vsock_port;
	bool debug_console;
};
struct boot_times {
	double start_ms, modules_ms, ready_ms;
	double boot_modules_ms; /* modules_ms when the agent became ready */
	int modules_loaded, modules_failed;
	int modules_dirfd; /* the image's /lib/modules/VERSION, kept across the root switch */
	char groups_loaded[8][16];
	int ngroups_loaded;
	/* each group's cost, for the handshake's "boot" (make bench) */
	double group_ms[8];
	int group_modules[8];
};
int boot_mount_basics(void);
void boot_parse_cmdline(const char *cmdline, struct boot_options *o);
/* Load the image's modules of a group (transport, serial, vsock, 9p,
 * virtiofs, net) unless done already; -1 when one failed. */
int agent_load_modules(struct boot_times *t, const char *group);
/* Make a directory and its parents (0755), as far as they can be made. */
void agent_mkdir_p(const char *path);
/* Passed host devices (create_container's "vfio"): each found by PCI
 * path, its drivers loaded, its nodes added to spec's linux.devices.
 * What was found, or NULL with err (pci.c). */
struct kc_error;
json_t *pci_prepare_devices(json_t *spec, const json_t *want, struct kc_error *err);
/* The agent run as the kernel's /sbin/modprobe (modprobe.c). */
int agent_modprobe(int argc, char **argv);
int boot_switch_root(void);
int boot_mount_runtime(void);

/* ---- the channel (channel.c) -------------------------------------------- */
struct channel {
	int fd;		/* the connection: port, or accepted vsock socket; -1 */
	int listen_fd;	/* vsock listener, -1 for a serial port */
	bool connected; /* a host is there (serial: last read gave data) */
	bool hello_done;
	bool spoke; /* something of this session has reached the host */
	/* serial: a host wrote, we could not answer, and the port says no
	 * host - it may not have learnt of the host yet (see loop.c): since */
	double unsure_since_ms;
	struct frame_decoder dec;
	struct byteq out; /* encoded frames waiting for the channel */
	/* A pipe that frames of process output pass through on their way to
	 * the channel without being copied into the agent (see
	 * channel_send_pipe); -1 when there is none. Its bytes are always
	 * older than those in `out`, and leave first. */
	int relay[2];
	size_t relay_pending;
	bool relay_nosplice; /* the channel refused splice: bytes are copied */
};
int channel_open(struct channel *c, const struct boot_options *o, int epfd);
void channel_send(struct channel *c, const void *frame, size_t len);
void channel_send_json(struct channel *c, uint8_t type, json_t *j); /* steals j */
void channel_send_error(struct channel *c, uint32_t stream, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int channel_flush(struct channel *c); /* -1 when the host went away */
bool channel_congested(const struct channel *c);
/* Frames waiting for the channel (queued or in the relay). */
bool channel_pending(const struct channel *c);
/* Forget every frame not yet sent (the host went away). */
void channel_drop_output(struct channel *c);
/* Send n bytes that are waiting in the pipe src as one DATA frame of
 * (stream, fd_index), moved by the kernel without a copy into the agent
 * when the channel allows it. The caller has seen them (FIONREAD) and is
 * src's only reader. The bytes sent (0 at the end of src), or -1 with
 * errno when src could not be read. */
ssize_t channel_send_pipe(struct channel *c, uint32_t stream, uint8_t fd_index, int src, size_t n);

/* ---- processes and containers ------------------------------------------ */
struct container;

/* What an epoll event is about: kept in the object that owns the fd. */
enum ev_kind {
	EV_CHANNEL = 1,
	EV_LISTEN,
	EV_SIGNAL,
	EV_TIMER,
	EV_STDIN,
	EV_STDOUT,
	EV_STDERR,
	EV_STATUS
};
struct ev_tag {
	enum ev_kind kind;
	void *owner;
};

struct process {
	struct process *next;
	struct container *c;
	char *exec_id; /* NULL for the container's init */
	uint32_t stream;
	pid_t pid;
	bool terminal;
	int in_fd, out_fd, err_fd; /* agent ends; -1 once closed */
	int status_fd;		   /* child's CLOEXEC status pipe until exec */
	struct ev_tag tag_in, tag_out, tag_err, tag_status;
	uint32_t ev_in, ev_out, ev_err; /* events registered (0: not in epoll) */
	/* flow control */
	uint64_t out_credit[3]; /* bytes the host lets us send per fd */
	bool discard[3];	/* the host closed this output: drain it unseen */
	size_t in_credit;	/* stdin bytes the host may still send */
	size_t in_credit_owed;	/* stdin bytes written, not yet re-granted */
	struct byteq in;	/* stdin bytes received, not yet written */
	bool in_close_pending;	/* host closed stdin; close after the buffer */
	/* life */
	bool exited;
	int exit_status; /* 128+signal for a signal death */
	int term_signal;
	/* the linger (output held open by someone else) counts from the exit,
	 * or from the host's first credit after it: output waiting for a host
	 * that attaches late is not lost to the clock */
	double linger_from_ms;
	json_t *pending_status; /* id of the request waiting for create/exec/start's outcome */
	json_t *waiters;	/* ids of requests waiting for the exit */
	bool failed;		/* never started: gone once reaped */
	bool told;		/* its exit status went to a waiter */
	bool dead;		/* unlinked, freed after this batch of events */
};

enum container_status { C_CREATING, C_CREATED, C_RUNNING, C_PAUSED, C_STOPPED };

struct container {
	struct container *next;
	char *id;
	enum container_status status;
	char *rootfs; /* guest path */
	char *cgroup; /* guest cgroup directory */
	int start_fd; /* write end of the init's start pipe, -1 */
	struct process *init;
	json_t *spec;
	json_t *devices_found; /* passed host devices, as found in the guest (pci.c) */
};

struct agent {
	int epfd, sigfd, timerfd;
	struct ev_tag tag_channel, tag_listen, tag_signal, tag_timer;
	struct channel ch;
	struct boot_options opts;
	struct boot_times times;
	bool sandbox_created;
	char *share_mount; /* where the host share is mounted, or NULL */
	struct container *containers;
	struct process *processes;
	struct process *graveyard;
	uint32_t next_stream;
	bool streams_wrapped; /* every stream number has been handed out once */
	bool shutting_down;
	bool poweroff_after_flush;
};

void ev_add(struct agent *a, int fd, uint32_t events, struct ev_tag *tag);
void ev_mod(struct agent *a, int fd, uint32_t events, struct ev_tag *tag);
void ev_del(struct agent *a, int fd);

/* process.c: stdio streams, flow control, exits */
struct process *process_new(struct agent *a, struct container *c, const char *exec_id,
			    bool terminal);
struct process *process_find_stream(struct agent *a, uint32_t stream);
struct process *process_find(struct agent *a, struct container *c, const char *exec_id);
void process_free(struct agent *a, struct process *p);
void process_bury(struct agent *a);
void process_sweep(struct agent *a);
void process_on_output(struct agent *a, struct process *p, int fd_index);
void process_on_stdin_writable(struct agent *a, struct process *p);
void process_on_frame(struct agent *a, const struct frame *f);
void process_reaped(struct agent *a, struct process *p, int wstatus);
void process_update_events(struct agent *a, struct process *p);
void process_set_terminal(struct agent *a, struct process *p, int master);
void process_check_waiters(struct agent *a, struct process *p);
void process_host_gone(struct agent *a);
void process_arm_linger(struct agent *a);
void process_exit_noted(struct agent *a, struct process *p); /* container.c */

/* container.c */
struct container *container_find(struct agent *a, const char *id);
void container_free(struct agent *a, struct container *c);
void process_on_status(struct agent *a, struct process *p);

/* handlers.c: one function per operation */
void handle_request(struct agent *a, json_t *req);
void respond_ok(struct agent *a, json_t *id, json_t *body); /* steals body (may be NULL) */
void respond_error(struct agent *a, json_t *id, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* network.c: 0, or -1 with why */
int net_update_interface(struct agent *a, const json_t *req, struct kc_error *err);
int net_update_routes(struct agent *a, const json_t *req, struct kc_error *err);
json_t *net_list_interfaces(struct kc_error *err);
json_t *net_list_routes(struct kc_error *err);

/* hotplug.c */
json_t *hotplug_online(const json_t *req);

/* shutdown.c */
void agent_poweroff(struct agent *a);
void agent_add_entropy(const char *hex);
void agent_set_clock(long long host_ns);

/* loop.c */
int agent_loop_init(struct agent *a);
void agent_loop(struct agent *a);

#endif
