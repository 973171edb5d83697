/* Helpers' processes (see daemon.h). */
#include "daemon.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timeouts.h"

extern char **environ;

/* In the child: set up and exec; on failure write errno to the pipe. */
static void child(const struct spawn_opts *o, int errpipe) __attribute__((noreturn));
static void child(const struct spawn_opts *o, int errpipe)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	if (o->detach || o->new_session)
		setsid();
	/* charged to the pod from its first instruction */
	for (int i = 0; i < o->ncgroup; i++)
		if (write(o->cgroup_fds[i], "0", 1) < 0)
			goto fail;
	int in = o->stdin_fd, out = o->stdout_fd, er = o->stderr_fd;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (in < 0)
		in = null;
	if (out < 0 && o->stdout_path)
		out = open(o->stdout_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (out < 0)
		out = null;
	if (er < 0)
		er = out;
	/* the child's fds 0, 1, 2, then keep_fd and pass_fds from 3 on */
	int want[3 + 1 + SPAWN_MAX_FDS];
	int n = 0;
	want[n++] = in;
	want[n++] = out;
	want[n++] = er;
	if (o->keep_fd >= 0)
		want[n++] = o->keep_fd;
	for (int i = 0; i < o->npass && i < SPAWN_MAX_FDS; i++)
		want[n++] = o->pass_fds[i];
	/* move everything above the targets first (our error pipe too), so the
	 * dup2s cannot clobber each other */
	int moved = fcntl(errpipe, F_DUPFD_CLOEXEC, 3 + 1 + SPAWN_MAX_FDS);
	if (moved >= 0)
		errpipe = moved;
	for (int i = 0; i < n; i++)
		if (want[i] >= 0)
			want[i] = fcntl(want[i], F_DUPFD_CLOEXEC, 3 + 1 + SPAWN_MAX_FDS);
	for (int i = 0; i < n; i++)
		if (want[i] >= 0 && dup2(want[i], i) < 0)
			goto fail;
	/* nothing else of ours or of our caller's (a pipe held open here can
	 * keep a caller waiting for its end) */
	unsigned lo = (unsigned)n;
	if ((unsigned)errpipe >= lo) {
		if ((unsigned)errpipe > lo)
			syscall(SYS_close_range, lo, (unsigned)errpipe - 1, 0);
		syscall(SYS_close_range, (unsigned)errpipe + 1, ~0U, 0);
	} else {
		syscall(SYS_close_range, lo, ~0U, 0);
	}
	if (o->netns) {
		int ns = open(o->netns, O_RDONLY | O_CLOEXEC);
		if (ns < 0 || setns(ns, CLONE_NEWNET) < 0)
			goto fail;
		close(ns);
	}
	for (int cap = 0; cap < 64; cap++)
		if ((o->drop_caps >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			goto fail;
	if (o->as_user) {
		/* last: joining the namespace needed our privileges */
		gid_t groups[1] = {(gid_t)o->supp_gid};
		if (setgroups(o->supp_gid >= 0 ? 1 : 0, groups) < 0 ||
		    setresgid(o->gid, o->gid, o->gid) < 0 ||
		    setresuid(o->uid, o->uid, o->uid) < 0 ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			goto fail;
	}
	execve(o->argv[0], (char *const *)o->argv, o->envp ? o->envp : environ);
fail:;
	int e = errno;
	if (write(errpipe, &e, sizeof(e)) < 0) {
		/* nothing more to do */
	}
	_exit(127);
}

pid_t spawn_process_opts(const struct spawn_opts *o, struct kc_error *err)
{
	int p[2], pidp[2] = {-1, -1};
	if (pipe2(p, O_CLOEXEC) < 0 || (o->detach && pipe2(pidp, O_CLOEXEC) < 0))
		return kc_error_set(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return kc_error_set(err, e, "fork");
	}
	if (pid == 0) {
		close(p[0]);
		if (!o->detach)
			child(o, p[1]);
		/* a daemon: fork again so we are not its parent */
		pid_t d = fork();
		if (d == 0)
			child(o, p[1]);
		if (write(pidp[1], &d, sizeof(d)) < 0)
			_exit(1);
		_exit(d < 0 ? 1 : 0);
	}
	close(p[1]);
	pid_t target = pid;
	if (o->detach) {
		close(pidp[1]);
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		ssize_t n = read(pidp[0], &target, sizeof(target));
		close(pidp[0]);
		if (n != (ssize_t)sizeof(target) || target <= 0) {
			close(p[0]);
			return kc_error_set(err, 0, "could not start %s", o->argv[0]);
		}
	}
	int e = 0;
	ssize_t n;
	do
		n = read(p[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n == (ssize_t)sizeof(e)) {
		if (!o->detach)
			waitpid(pid, NULL, 0);
		return kc_error_set(err, e, "cannot run %s", o->argv[0]);
	}
	return target;
}

int process_stat(pid_t pid, struct process_stat *s)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* after the command's closing parenthesis: field 3, the state, then
	 * space-separated fields; utime 14, stime 15, start time 22 */
	char *p = strrchr(buf, ')');
	if (!p || !p[1] || !p[2])
		return -1;
	memset(s, 0, sizeof(*s));
	s->state = p[2];
	p += 2;
	for (int field = 3; *p && field <= 22; field++) {
		uint64_t v = strtoull(p, NULL, 10);
		if (field == 14)
			s->utime = v;
		else if (field == 15)
			s->stime = v;
		else if (field == 22)
			s->start_time = v;
		p = strchr(p, ' ');
		if (!p)
			break;
		p++;
	}
	return 0;
}

uint64_t process_start_time(pid_t pid)
{
	struct process_stat s;
	if (process_stat(pid, &s) < 0 || s.state == 'Z' || s.state == 'X')
		return 0;
	return s.start_time;
}

bool process_alive(pid_t pid, uint64_t start_time)
{
	if (pid <= 0)
		return false;
	uint64_t st = process_start_time(pid);
	return st && (!start_time || st == start_time);
}

bool process_wait_gone(pid_t pid, uint64_t start_time, int timeout_ms)
{
	long long end = monotonic_ms() + timeout_ms;
	for (;;) {
		/* our own child: reap it, or it stays a zombie */
		waitpid(pid, NULL, WNOHANG);
		if (!process_alive(pid, start_time))
			return true;
		if (monotonic_ms() >= end)
			return false;
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

bool process_stop(pid_t pid, uint64_t start_time, int term_ms)
{
	if (!process_alive(pid, start_time))
		return true;
	if (term_ms > 0) {
		kill(pid, SIGTERM);
		if (process_wait_gone(pid, start_time, term_ms))
			return true;
	}
	kill(pid, SIGKILL);
	return process_wait_gone(pid, start_time, KILL_WAIT_MS);
}

/* Calls match(args, len, data) on every other process's arguments. */
static int scan_processes(bool (*match)(const char *args, size_t len, const void *data),
			  const void *data, pid_t *pids, uint64_t *starts, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	pid_t self = getpid();
	while (d && (e = readdir(d)) && n < max) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		char path[64], args[8192];
		snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, args, sizeof(args) - 1);
		close(fd);
		if (len <= 0)
			continue;
		args[len] = '\0';
		if (!match(args, (size_t)len, data))
			continue;
		uint64_t start = process_start_time((pid_t)pid);
		if (start) {
			pids[n] = (pid_t)pid;
			starts[n++] = start;
		}
	}
	if (d)
		closedir(d);
	return n;
}

static bool has_arg_containing(const char *args, size_t len, const void *needle)
{
	for (const char *a = args; a < args + len; a += strlen(a) + 1)
		if (strstr(a, needle))
			return true;
	return false;
}

static bool has_all_args(const char *args, size_t len, const void *data)
{
	for (const char *const *want = data; *want; want++) {
		bool found = false;
		for (const char *a = args; a < args + len && !found; a += strlen(a) + 1)
			found = !strcmp(a, *want);
		if (!found)
			return false;
	}
	return true;
}

int process_find_by_arg(const char *needle, pid_t *pids, uint64_t *starts, int max)
{
	return scan_processes(has_arg_containing, needle, pids, starts, max);
}

int process_find_with_args(const char *const *args, pid_t *pids, uint64_t *starts, int max)
{
	return scan_processes(has_all_args, args, pids, starts, max);
}
