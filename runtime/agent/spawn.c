/* Starting a container process: its stdio (pipes or a terminal), its PID
 * namespace (new for a container, the container's own for an exec), the
 * fork, and in the child everything up to execve: namespaces, cgroup,
 * rootfs, hostname, credentials, capabilities, limits.
 *
 * The child reports through a close-on-exec status socket (seqpacket):
 * "T" with a file descriptor when it made its terminal in the container,
 * "R" once a container is ready to start, "E<message>" on failure; the
 * socket closing without a message means execve succeeded. A container's
 * child then waits on its start pipe for the word to exec.
 *
 * A terminal starts as the agent's pty (the fallback); once the child is in
 * the container and the container has a devpts of its own, the child opens
 * a pty there, as runc does, so that the process sees /dev/pts/N of its own
 * instance (and `tty` says so), and hands the master to the agent. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "fdpass.h"
#include "mounts.h"
#include "seccomp_filter.h"
#include "strbuf.h"
#include "xalloc.h"

#define STATUS_FD 3
#define START_FD  4

/* ---- child -------------------------------------------------------------- */

static void child_fail(int code, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));
static void child_fail(int code, const char *fmt, ...)
{
	char msg[1024] = "E";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + 1, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	if (write(STATUS_FD, msg, strlen(msg)) < 0) {
		/* the agent is gone: nobody to tell */
	}
	_exit(code);
}

static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		child_fail(1, "%s: %s", path, strerror(errno));
	if (write(fd, text, strlen(text)) < 0)
		child_fail(1, "%s: %s", path, strerror(errno));
	close(fd);
}

static void join_ns(pid_t pid, const char *ns, int type)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, type) < 0)
		child_fail(1, "join the %s namespace of process %d: %s", ns, pid, strerror(errno));
	close(fd);
}

/* args[0] as execvp would find it, in the container's root. */
static const char *find_executable(const char *name, char *const *envp, char *buf, size_t len)
{
	if (strchr(name, '/')) {
		if (access(name, F_OK) < 0)
			child_fail(127, "exec: \"%s\": stat %s: no such file or directory", name,
				   name);
		return name;
	}
	const char *path = oci_env_get(envp, "PATH");
	if (!path)
		path = OCI_DEFAULT_PATH;
	bool denied = false;
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(buf, len, "%.*s%s%s", (int)n, path, n ? "/" : "", name);
		struct stat st;
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(buf, X_OK) == 0)
				return buf;
			denied = true;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	if (denied)
		child_fail(126, "exec: \"%s\": permission denied", name);
	child_fail(127, "exec: \"%s\": executable file not found in $PATH", name);
}

/* HOME from the container's /etc/passwd when the environment lacks it. */
static char **with_home(char **envp, uid_t uid)
{
	if (oci_env_get(envp, "HOME"))
		return envp;
	char home[1024] = "/";
	FILE *f = fopen("/etc/passwd", "re");
	if (f) {
		char line[2048];
		while (fgets(line, sizeof(line), f)) {
			char *fields[7] = {0}, *save = NULL, *s = line;
			int n = 0;
			for (char *t = strsep(&s, ":"); t && n < 7; t = strsep(&s, ":"))
				fields[n++] = t;
			(void)save;
			if (n >= 6 && fields[2] && (uid_t)strtoul(fields[2], NULL, 10) == uid &&
			    fields[5][0]) {
				snprintf(home, sizeof(home), "%s", fields[5]);
				break;
			}
		}
		fclose(f);
	}
	size_t n = 0;
	while (envp[n])
		n++;
	char **v = xcalloc(n + 2, sizeof(char *));
	memcpy(v, envp, n * sizeof(char *));
	v[n] = xmalloc(strlen(home) + 6);
	sprintf(v[n], "HOME=%s", home);
	return v;
}

void agent_mkdir_p(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	mkdir(buf, 0755);
}

static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int n = 40;
	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = 40;
		fclose(f);
	}
	return n;
}

static void apply_credentials(const struct oci_process *p)
{
	int top = p->has_caps ? last_cap() : 0;
	if (p->has_caps) {
		for (int c = 0; c <= top; c++)
			if (!(p->cap_bounding & (1ULL << c)) &&
			    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
				child_fail(1, "drop capability %d from the bounding set: %s", c,
					   strerror(errno));
		prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	}
	if (setgroups(p->ngids, p->gids) < 0)
		child_fail(1, "setgroups: %s", strerror(errno));
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		child_fail(1, "setgid %u: %s", p->gid, strerror(errno));
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		child_fail(1, "setuid %u: %s", p->uid, strerror(errno));
	if (p->has_caps) {
		struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct data[2] = {
		    {(uint32_t)p->cap_effective, (uint32_t)p->cap_permitted,
		     (uint32_t)p->cap_inheritable},
		    {(uint32_t)(p->cap_effective >> 32), (uint32_t)(p->cap_permitted >> 32),
		     (uint32_t)(p->cap_inheritable >> 32)},
		};
		if (syscall(SYS_capset, &hdr, data) < 0)
			child_fail(1, "capset: %s", strerror(errno));
		for (int c = 0; c <= top; c++)
			if (p->cap_ambient & (1ULL << c))
				prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0);
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	}
}

/* In the container: a pty of its own devpts replaces the agent's, its
 * master goes to the agent ("T"); without one the agent's stays. */
static void container_terminal(bool is_init)
{
	int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return;
	char name[64];
	int s = -1;
	if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof(name)) ||
	    (s = open(name, O_RDWR | O_NOCTTY)) < 0) {
		close(m);
		return;
	}
	/* the size the agent's terminal has by now */
	struct winsize ws;
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(s, TIOCSWINSZ, &ws);
	ssize_t sent = fd_send(STATUS_FD, m, "T", 1);
	close(m);
	if (sent != 1) {
		close(s);
		return;
	}
	/* the init's /dev/console is its terminal, as with runc */
	if (is_init && access("/dev/console", F_OK) == 0) {
		umount2("/dev/console", MNT_DETACH);
		if (mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0)
			log_debug("bind %s on /dev/console: %s", name, strerror(errno));
	}
	for (int fd = 0; fd < 3; fd++)
		dup2(s, fd);
	if (s > 2)
		close(s);
}

/* Only stdio 0-2, status 3 and start 4 survive: nothing else of the agent's. */
static void child_fds(struct spawn_request *r)
{
	int keep[5] = {r->child_in, r->child_out, r->child_err, r->status_w, r->start_r};
	for (int i = 0; i < 5; i++)
		if (keep[i] >= 0)
			keep[i] = fcntl(keep[i], F_DUPFD_CLOEXEC, 64);
	for (int i = 0; i < 5; i++)
		if (keep[i] >= 0 ? dup2(keep[i], i) < 0 : (close(i), false))
			_exit(1);
	int status_flags = fcntl(STATUS_FD, F_GETFD);
	fcntl(STATUS_FD, F_SETFD, status_flags | FD_CLOEXEC);
	syscall(SYS_close_range, 5, ~0U, 0);
}

/* The container's first process: its own namespaces, root, hostname and
 * sysctls. */
static void child_enter_new(struct spawn_request *r)
{
	const struct oci_process *p = &r->proc;
	int flags = CLONE_NEWNS;
	if (r->join_ipc)
		join_ns(r->join_ipc, "ipc", CLONE_NEWIPC);
	else
		flags |= CLONE_NEWIPC;
	if (r->join_uts)
		join_ns(r->join_uts, "uts", CLONE_NEWUTS);
	else
		flags |= CLONE_NEWUTS;
	if (unshare(flags) < 0)
		child_fail(1, "new namespaces: %s", strerror(errno));
	/* after joining the cgroup: the container sees it as its root */
	if (unshare(CLONE_NEWCGROUP) < 0)
		child_fail(1, "cgroup namespace: %s", strerror(errno));
	_cleanup_error_ struct kc_error err = {0};
	if (rootfs_setup(r->spec, r->rootfs, r->share, p->terminal ? r->pty_name : NULL, &err) < 0)
		child_fail(1, "%s", kc_error_msg(&err));
	const char *hostname = json_string_value(json_object_get(r->spec, "hostname"));
	if (hostname && *hostname && !r->join_uts && sethostname(hostname, strlen(hostname)) < 0)
		child_fail(1, "sethostname %s: %s", hostname, strerror(errno));
	const char *key;
	json_t *val;
	json_object_foreach (json_object_get(json_object_get(r->spec, "linux"), "sysctl"), key,
			     val) {
		char path[512];
		snprintf(path, sizeof(path), "/proc/sys/%s", key);
		for (char *c = path + 10; *c; c++)
			if (*c == '.')
				*c = '/';
		if (json_is_string(val))
			write_text(path, json_string_value(val));
	}
	if (rootfs_finish(r->spec, &err) < 0)
		child_fail(1, "%s", kc_error_msg(&err));
}

/* An exec: into the namespaces of the container's first process. */
static void child_enter_existing(struct spawn_request *r)
{
	/* first: the others are owned by it, and joining it gives the
	 * capabilities to join them */
	if (r->userns)
		join_ns(r->target_pid, "user", CLONE_NEWUSER);
	join_ns(r->target_pid, "ipc", CLONE_NEWIPC);
	join_ns(r->target_pid, "uts", CLONE_NEWUTS);
	join_ns(r->target_pid, "cgroup", CLONE_NEWCGROUP);
	/* the mount namespace last: it moves our root into the container */
	join_ns(r->target_pid, "mnt", CLONE_NEWNS);
}

/* The first process says it is ready and waits for start; false if the
 * container was removed first. */
static bool child_wait_for_start(void)
{
	if (write(STATUS_FD, "R", 1) != 1)
		_exit(1);
	char go;
	ssize_t n;
	do
		n = read(START_FD, &go, 1);
	while (n < 0 && errno == EINTR);
	close(START_FD);
	return n == 1;
}

/* Limits and the OOM score of PID (0: ourselves), which only the guest's
 * root may raise: set before a process enters a user namespace (and
 * again, unchanged, in child_exec). -1 with why. */
static int set_limits(const struct oci_process *p, pid_t pid, char *why, size_t len)
{
	for (size_t i = 0; i < p->nrlimits; i++)
		if (prlimit(pid, p->rlimits[i].resource, &p->rlimits[i].limit, NULL) < 0) {
			snprintf(why, len, "setrlimit %d: %s", p->rlimits[i].resource,
				 strerror(errno));
			return -1;
		}
	if (!p->has_oom_score_adj)
		return 0;
	char path[64], v[16];
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/oom_score_adj");
	snprintf(v, sizeof(v), "%d", p->oom_score_adj);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int rc = fd < 0 || write(fd, v, strlen(v)) < 0 ? -1 : 0;
	if (rc < 0)
		snprintf(why, len, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static void apply_limits(const struct oci_process *p)
{
	char why[256];
	if (set_limits(p, 0, why, sizeof(why)) < 0)
		child_fail(1, "%s", why);
}

/* Limits, umask, seccomp and credentials, then the program itself. */
static void child_exec(const struct oci_process *p, void *filter, const char *exe, char **envp,
		       bool limits_set) __attribute__((noreturn));
static void child_exec(const struct oci_process *p, void *filter, const char *exe, char **envp,
		       bool limits_set)
{
	_cleanup_error_ struct kc_error serr = {0};
	/* in a user namespace they were set before it was entered (its root
	 * may not raise them, nor write a /proc file the guest's root owns) */
	if (!limits_set)
		apply_limits(p);
	umask(p->has_umask ? p->umask : 022);
	/* seccomp as runc orders it: without no_new_privileges the filter goes
	 * on while we still hold CAP_SYS_ADMIN, before the credentials; with
	 * it, last, so the fewest of our own calls pass through it */
	if (!p->no_new_privileges && seccomp_load_filter(filter, &serr) < 0)
		child_fail(1, "%s", kc_error_msg(&serr));
	apply_credentials(p);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(1, "no_new_privs: %s", strerror(errno));
	if (p->no_new_privileges && seccomp_load_filter(filter, &serr) < 0)
		child_fail(1, "%s", kc_error_msg(&serr));
	execve(exe, p->argv, envp);
	if (errno == EACCES)
		child_fail(126, "exec: \"%s\": permission denied", p->argv[0]);
	child_fail(127, "exec: \"%s\": %s", p->argv[0], strerror(errno));
}

static void child_run(struct spawn_request *r) __attribute__((noreturn));
static void child_run(struct spawn_request *r)
{
	const struct oci_process *p = &r->proc;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	child_fds(r);

	if (setsid() < 0)
		child_fail(1, "setsid: %s", strerror(errno));
	/* a new user namespace's init was put in its cgroup by the agent */
	if (r->cgroup && !(r->is_init && r->userns)) {
		char path[512];
		snprintf(path, sizeof(path), "%s/cgroup.procs", r->cgroup);
		write_text(path, "0");
	}
	if (!r->is_init && r->userns)
		apply_limits(&r->proc);
	if (r->is_init)
		child_enter_new(r);
	else
		child_enter_existing(r);
	if (p->terminal) {
		container_terminal(r->is_init);
		if (ioctl(0, TIOCSCTTY, 0) < 0)
			child_fail(1, "controlling terminal: %s", strerror(errno));
	}

	if (chdir(p->cwd) < 0) {
		agent_mkdir_p(p->cwd);
		if (chdir(p->cwd) < 0)
			child_fail(1, "chdir to cwd (\"%s\") set in config.json failed: %s", p->cwd,
				   strerror(errno));
	}
	char **envp = with_home(p->envp, p->uid);
	char pathbuf[4096];
	const char *exe = find_executable(p->argv[0], envp, pathbuf, sizeof(pathbuf));

	/* a bad profile fails here, before the container is said to be ready */
	_cleanup_error_ struct kc_error serr = {0};
	void *filter;
	if (seccomp_build(r->seccomp, &filter, &serr) < 0)
		child_fail(1, "%s", kc_error_msg(&serr));
	if (r->is_init && !child_wait_for_start())
		_exit(0); /* removed before it was started */
	child_exec(p, filter, exe, envp, r->userns);
}

/* ---- agent side --------------------------------------------------------- */

static int set_winsize(int fd, unsigned short rows, unsigned short cols)
{
	if (!rows || !cols)
		return 0;
	struct winsize ws = {.ws_row = rows, .ws_col = cols};
	return ioctl(fd, TIOCSWINSZ, &ws);
}

int process_resize(struct process *p, unsigned short rows, unsigned short cols)
{
	if (!p->terminal || p->out_fd < 0)
		return -ENOTTY;
	return set_winsize(p->out_fd, rows, cols) < 0 ? -errno : 0;
}

static int make_stdio(struct spawn_request *r, struct process *p, struct kc_error *err)
{
	if (r->proc.terminal) {
		int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 ||
		    ptsname_r(m, r->pty_name, sizeof(r->pty_name))) {
			kc_error_set(err, 0, "terminal: %s", strerror(errno));
			if (m >= 0)
				close(m);
			return -1;
		}
		int s = open(r->pty_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (s < 0) {
			kc_error_set(err, 0, "terminal %s: %s", r->pty_name, strerror(errno));
			close(m);
			return -1;
		}
		set_winsize(m, r->proc.rows, r->proc.cols);
		p->out_fd = m;
		p->in_fd = fcntl(m, F_DUPFD_CLOEXEC, 0); /* its own epoll entry */
		r->child_in = s;
		r->child_out = dup(s);
		r->child_err = dup(s);
	} else {
		int in[2], out[2], errp[2];
		if (pipe2(in, O_CLOEXEC) < 0)
			goto pipe_fail;
		if (pipe2(out, O_CLOEXEC) < 0) {
			close(in[0]);
			close(in[1]);
			goto pipe_fail;
		}
		if (pipe2(errp, O_CLOEXEC) < 0) {
			close(in[0]);
			close(in[1]);
			close(out[0]);
			close(out[1]);
			goto pipe_fail;
		}
		/* a writer's burst fits in one wake-up of the agent: as much as the
		 * host's window lets out at once (pages are taken as they fill) */
		(void)fcntl(out[1], F_SETPIPE_SZ, PROTO_DEFAULT_WINDOW);
		(void)fcntl(errp[1], F_SETPIPE_SZ, PROTO_DEFAULT_WINDOW);
		r->child_in = in[0];
		p->in_fd = in[1];
		p->out_fd = out[0];
		r->child_out = out[1];
		p->err_fd = errp[0];
		r->child_err = errp[1];
	}
	return 0;
pipe_fail:
	kc_error_set(err, 0, "pipes: %s", strerror(errno));
	return -1;
}

static void close_end(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_child_ends(struct spawn_request *r)
{
	close_end(&r->child_in);
	close_end(&r->child_out);
	close_end(&r->child_err);
	close_end(&r->status_w);
	close_end(&r->start_r);
}

/* Enter the PID namespace the child is to be born in, fork, come back. */
static pid_t fork_in_pid_ns(pid_t join, bool fresh, struct kc_error *err)
{
	int self = -1;
	if (join || fresh) {
		self = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (self < 0) {
			kc_error_set(err, 0, "own pid namespace: %s", strerror(errno));
			return -1;
		}
	}
	if (join) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", join);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWPID) < 0) {
			kc_error_set(err, 0, "pid namespace of process %d: %s", join,
				     strerror(errno));
			if (fd >= 0)
				close(fd);
			close(self);
			return -1;
		}
		close(fd);
	} else if (fresh && unshare(CLONE_NEWPID) < 0) {
		kc_error_set(err, 0, "new pid namespace: %s", strerror(errno));
		close(self);
		return -1;
	}
	pid_t pid = fork();
	int fork_errno = errno;
	if (pid == 0)
		return 0;
	if (self >= 0) {
		if (setns(self, CLONE_NEWPID) < 0)
			log_error("back to the agent's pid namespace: %s", strerror(errno));
		close(self);
	}
	if (pid < 0)
		kc_error_set(err, 0, "fork: %s",
			     fork_errno == ENOMEM ? "the container's processes are gone"
						  : strerror(fork_errno));
	return pid;
}

/* A mapping as /proc/PID/uid_map takes it: "inside outside count" lines. */
static int write_id_map(pid_t pid, const char *file, const json_t *map, struct kc_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	json_t *m;
	json_array_foreach (map, i, m)
		strbuf_appendf(&sb,
			       "%" JSON_INTEGER_FORMAT " %" JSON_INTEGER_FORMAT
			       " %" JSON_INTEGER_FORMAT "\n",
			       json_integer_value(json_object_get(m, "containerID")),
			       json_integer_value(json_object_get(m, "hostID")),
			       json_integer_value(json_object_get(m, "size")));
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int rc = fd < 0 || write(fd, sb.s, sb.len) != (ssize_t)sb.len ? -errno : 0;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		kc_error_set(err, 0, "linux.%s: %s: %s",
			     !strcmp(file, "uid_map") ? "uidMappings" : "gidMappings", sb.s,
			     strerror(-rc));
	strbuf_release(&sb);
	return rc;
}

static int userns_child(void *arg)
{
	struct spawn_request *r = arg;
	char go;
	close(r->go_w);
	if (read(r->go_r, &go, 1) != 1)
		_exit(1); /* the agent gave up on it */
	close(r->go_r);
	/* the namespace's root: files it makes in the container are owned by
	 * a mapped id (the kernel refuses unmapped ones) */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		child_fail(1, "user namespace: uid or gid 0 is not mapped (%s)", strerror(errno));
	child_run(r);
}

/* A container's init in a new user namespace (and, when it has one, a new
 * pid namespace owned by it, so that it can mount its /proc): cloned with
 * both, then mapped, put in its cgroup and given its limits by the agent,
 * which only then lets it go on. */
static pid_t clone_in_userns(struct spawn_request *r, bool fresh_pid, struct kc_error *err)
{
	int go[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		return kc_error_set(err, 0, "pipe: %s", strerror(errno));
	r->go_r = go[0];
	r->go_w = go[1];
	const size_t stack_size = 256 * 1024;
	void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	pid_t pid = -1;
	int clone_errno = ENOMEM;
	if (stack != MAP_FAILED) {
		/* no CLONE_VM: the child has its own copy of the stack */
		pid = clone(userns_child, (char *)stack + stack_size,
			    CLONE_NEWUSER | (fresh_pid ? CLONE_NEWPID : 0) | SIGCHLD, r);
		clone_errno = errno;
		munmap(stack, stack_size);
	}
	close(go[0]);
	if (pid < 0) {
		close(go[1]);
		return kc_error_set(err, 0, "new user namespace: %s", strerror(clone_errno));
	}
	int rc = write_id_map(pid, "uid_map", r->uid_map, err);
	if (rc == 0)
		rc = write_id_map(pid, "gid_map", r->gid_map, err);
	if (rc == 0 && r->cgroup) {
		char procs[512], v[24];
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", r->cgroup);
		snprintf(v, sizeof(v), "%d", pid);
		int fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, v, strlen(v)) < 0)
			rc = kc_error_set(err, 0, "the container's cgroup: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (rc < 0) {
		/* its read of the go pipe ends with nothing: it exits */
		kill(pid, SIGKILL);
		close(go[1]);
		waitpid(pid, NULL, 0);
		return -1;
	}
	char why[256];
	if (set_limits(&r->proc, pid, why, sizeof(why)) < 0)
		log_warn("container's limits: %s", why);
	if (write(go[1], "1", 1) != 1)
		log_warn("user namespace child %d: %s", pid, strerror(errno));
	close(go[1]);
	return pid;
}

int spawn_process(struct agent *a, struct spawn_request *r, struct kc_error *err)
{
	struct process *p = r->p;
	r->child_in = r->child_out = r->child_err = r->status_w = r->start_r = -1;
	if (make_stdio(r, p, err) < 0)
		return -1;
	int st[2], start[2] = {-1, -1};
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, st) < 0 ||
	    (r->is_init && pipe2(start, O_CLOEXEC) < 0)) {
		kc_error_set(err, 0, "pipes: %s", strerror(errno));
		close_child_ends(r);
		return -1;
	}
	r->status_w = st[1];
	r->start_r = start[0];

	bool fresh_pid = !r->join_pid && !r->agent_pid_ns;
	pid_t pid = r->is_init && r->userns ? clone_in_userns(r, fresh_pid, err)
		    : r->is_init	    ? fork_in_pid_ns(r->join_pid, fresh_pid, err)
					    : fork_in_pid_ns(r->target_pid, false, err);
	if (pid == 0)
		child_run(r);
	close_child_ends(r);
	if (pid < 0) {
		close(st[0]);
		if (start[1] >= 0)
			close(start[1]);
		return -1;
	}
	p->pid = pid;
	p->status_fd = st[0];
	if (r->is_init)
		r->c->start_fd = start[1];
	int fds[] = {p->in_fd, p->out_fd, p->err_fd};
	for (size_t i = 0; i < 3; i++)
		if (fds[i] >= 0)
			fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
	ev_add(a, p->status_fd, EPOLLIN, &p->tag_status);
	return 0;
}
