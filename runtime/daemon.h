/* Starting the runtime's long-lived helpers (QEMU, kata-proxy, kata-shim)
 * and watching processes that are not our children. */
#ifndef KC_DAEMON_H
#define KC_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "clock.h"
#include "error.h"

struct spawn_opts {
	const char *const *argv;
	char *const *envp;	 /* NULL: ours */
	const char *stdout_path; /* appended to; NULL: /dev/null */
	int stdin_fd, stdout_fd,
	    stderr_fd;	     /* >= 0: given as the child's 0, 1, 2 (override paths) */
	int keep_fd;	     /* >= 0: passed as fd 3 */
	const int *pass_fds; /* passed as fds 4, 5, ... (3 too when keep_fd < 0) */
	int npass;
	const char *netns; /* a network namespace file to enter, or NULL */
	/* cgroup.procs files (open for writing) the process joins before exec */
	const int *cgroup_fds;
	int ncgroup;
	bool detach;	  /* a daemon: its own session, re-parented away from us */
	bool new_session; /* setsid() without detaching */
	bool as_user;	  /* exec as uid:gid (and supp_gid when >= 0), no new privileges */
	uid_t uid;
	gid_t gid;
	long supp_gid;
	/* capabilities (1 << CAP_x) taken out of its bounding set: a program
	 * run as root never has them, nor anything it runs */
	uint64_t drop_caps;
};

#define SPAWN_MAX_FDS 16

/* Start argv[0]. Detached: the process is not our child (it is adopted by
 * our subreaper or init) and its pid is returned all the same. -1 with err
 * when it could not be executed. */
pid_t spawn_process_opts(const struct spawn_opts *o, struct kc_error *err);

/* What /proc/PID/stat says of a process: its state, its CPU time (user and
 * system, in clock ticks) and its start time. 0, or -1 if it is gone. */
struct process_stat {
	char state;
	uint64_t utime, stime, start_time;
};
int process_stat(pid_t pid, struct process_stat *s);
/* The start time of a process (field 22 of /proc/PID/stat), 0 if gone:
 * with the pid, it names one process even after pid reuse. */
uint64_t process_start_time(pid_t pid);
/* Alive and the same process (not a zombie). */
bool process_alive(pid_t pid, uint64_t start_time);

/* Wait for a process that may not be our child to go: true if it went
 * within timeout_ms. */
bool process_wait_gone(pid_t pid, uint64_t start_time, int timeout_ms);
/* SIGTERM (if term_ms > 0, waiting that long), then SIGKILL; true when gone. */
bool process_stop(pid_t pid, uint64_t start_time, int term_ms);

/* Processes (not us) one of whose arguments contains needle - a VM
 * directory's path names every process of that sandbox (QEMU, its proxy,
 * virtiofsd, the shims), recorded or not when a crash came between
 * spawning one and writing its pid down. Up to max; the count found. */
int process_find_by_arg(const char *needle, pid_t *pids, uint64_t *starts, int max);
/* Processes (not us) that have every one of the NULL-terminated args among
 * their arguments, whole. */
int process_find_with_args(const char *const *args, pid_t *pids, uint64_t *starts, int max);

#endif
