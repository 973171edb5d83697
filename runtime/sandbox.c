/* Sandboxes (see sandbox.h). */
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "qemu.h"
#include "qmp.h"
#include "share.h"
#include "state.h"
#include "strbuf.h"

static char *path_join(const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_appendf(&sb, "%s/%s", a, b);
	return sb.s;
}

char *sandbox_vm_dir(const char *root, const char *id)
{
	/* FNV-1a of root and id: stable, short, distinct per --root */
	uint64_t h = 1469598103934665603ULL;
	for (const char *s = root; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h = (h ^ '/') * 1099511628211ULL;
	for (const char *s = id; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	struct strbuf sb = STRBUF_INIT;
	strbuf_appendf(&sb, "%s/vm/%016llx", KC_RUN_DIR, (unsigned long long)h);
	return sb.s;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0711);
			*p = '/';
		}
	return mkdir(buf, mode) < 0 && errno != EEXIST ? -1 : 0;
}

/* ---- network namespace -------------------------------------------------- */

/* A new network namespace, kept by a bind mount of its nsfs file. */
static int netns_create(const char *path, struct kc_error *err)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return kc_error_set(err, errno, "network namespace file %s", path);
	close(fd);
	pid_t pid = fork();
	if (pid < 0)
		return kc_error_set(err, errno, "fork");
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0 || mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
			_exit(errno ? errno : 1);
		_exit(0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		unlink(path);
		return kc_error_set(err, WIFEXITED(st) ? WEXITSTATUS(st) : 0, "new network namespace");
	}
	return 0;
}

/* What is left in the shared directory after unmounting are the mount
 * points we made: empty directories and empty files. Nothing else is
 * removed, and nothing is followed or crossed. */
static void remove_mount_points(const char *dir)
{
	struct stat top;
	if (lstat(dir, &top) < 0 || !S_ISDIR(top.st_mode))
		return;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = path_join(dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && st.st_dev == top.st_dev) {
			if (S_ISDIR(st.st_mode))
				remove_mount_points(p);
			else if (S_ISREG(st.st_mode) && st.st_size == 0)
				unlink(p);
		}
		free(p);
	}
	if (d)
		closedir(d);
	if (rmdir(dir) < 0 && errno != ENOENT)
		kc_warn("remove %s: %s", dir, strerror(errno));
}

static void netns_remove(const char *path)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		kc_warn("unmount %s: %s", path, strerror(errno));
	unlink(path);
}

/* ---- pid files: a crash between spawning and recording still leaves the
 * processes findable from vm_dir ----------------------------------------- */

static void pid_file_write(const char *dir, const char *name, pid_t pid, uint64_t start)
{
	char *p = path_join(dir, name);
	FILE *f = fopen(p, "we");
	if (f) {
		fprintf(f, "%d %llu\n", pid, (unsigned long long)start);
		fclose(f);
	}
	free(p);
}

static void pid_file_read(const char *dir, const char *name, pid_t *pid, uint64_t *start)
{
	char *p = path_join(dir, name);
	FILE *f = fopen(p, "re");
	free(p);
	if (!f)
		return;
	int v;
	unsigned long long st;
	if (fscanf(f, "%d %llu", &v, &st) == 2 && v > 0) {
		*pid = v;
		*start = st;
	}
	fclose(f);
}

/* ---- boot ---------------------------------------------------------------- */

static void tail_file(struct strbuf *out, const char *label, const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat st;
	if (fstat(fd, &st) == 0 && (size_t)st.st_size > max)
		lseek(fd, st.st_size - (off_t)max, SEEK_SET);
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf) - 1 < max ? sizeof(buf) - 1 : max);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* control characters of the firmware's screen output are noise here */
	for (ssize_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 32 && buf[i] != '\n')
			buf[i] = ' ';
	strbuf_appendf(out, "; %s: %s", label, buf);
	while (out->len && (out->s[out->len - 1] == '\n' || out->s[out->len - 1] == ' '))
		out->s[--out->len] = '\0';
}

static int boot_failure(struct sandbox *sb, struct kc_error *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int boot_failure(struct sandbox *sb, struct kc_error *err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct strbuf sbuf = STRBUF_INIT;
	strbuf_append(&sbuf, msg);
	char *log = path_join(sb->vm_dir, "qemu.log");
	tail_file(&sbuf, "QEMU", log, 600);
	free(log);
	log = path_join(sb->vm_dir, "console.log");
	tail_file(&sbuf, "guest console", log, 600);
	free(log);
	log = path_join(sb->vm_dir, "proxy.log");
	tail_file(&sbuf, "proxy", log, 400);
	free(log);
	kc_error_set(err, 0, "%s", sbuf.s);
	strbuf_release(&sbuf);
	return -1;
}

static int start_virtiofsd(struct sandbox *sb, const struct kc_config *cfg, struct kc_error *err)
{
	const struct qemu_config *q = &cfg->hypervisor;
	char *sock = path_join(sb->vm_dir, "vfsd.sock");
	char *log = path_join(sb->vm_dir, "virtiofsd.log");
	struct strbuf src = STRBUF_INIT, cache = STRBUF_INIT, sockopt = STRBUF_INIT;
	strbuf_appendf(&src, "source=%s", sb->shared_dir);
	strbuf_appendf(&cache, "cache=%s", q->virtio_fs_cache && *q->virtio_fs_cache ? q->virtio_fs_cache : "auto");
	strbuf_appendf(&sockopt, "--socket-path=%s", sock);
	const char *argv[32] = {q->virtio_fs_daemon, sockopt.s, "-o", src.s, "-o", cache.s};
	int n = 6;
	for (size_t i = 0; i < q->virtio_fs_extra_args.n && n < 30; i++)
		argv[n++] = q->virtio_fs_extra_args.v[i];
	argv[n] = NULL;
	struct spawn_opts o = {.argv = argv, .stdout_path = log, .stdin_fd = -1, .stdout_fd = -1,
			       .stderr_fd = -1, .keep_fd = -1, .netns = sb->netns, .detach = true};
	sb->virtiofsd_pid = spawn_process_opts(&o, err);
	strbuf_release(&src);
	strbuf_release(&cache);
	strbuf_release(&sockopt);
	free(log);
	int rc = 0;
	if (sb->virtiofsd_pid < 0) {
		sb->virtiofsd_pid = 0;
		rc = kc_error_wrap(err, "virtio-fs daemon");
	} else {
		sb->virtiofsd_start = process_start_time(sb->virtiofsd_pid);
		pid_file_write(sb->vm_dir, "virtiofsd.pid", sb->virtiofsd_pid, sb->virtiofsd_start);
		/* QEMU connects to its socket at start: wait for it */
		long long end = monotonic_ms() + 5000;
		while (access(sock, F_OK) < 0 && monotonic_ms() < end)
			usleep(5000);
		if (access(sock, F_OK) < 0)
			rc = boot_failure(sb, err, "virtiofsd did not create %s", sock);
	}
	free(sock);
	return rc;
}

static unsigned next_vsock_cid(void)
{
	/* 3 and up; unique enough per host for a sandbox's life */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return 3 + (unsigned)((ts.tv_nsec ^ getpid()) % 0x3fffffff);
}

int sandbox_start(struct sandbox *sb, const char *id, const char *root, const struct rtconfig *rc,
		  unsigned vcpus, unsigned memory_mib, int netns_mode, const char *netns_path,
		  const struct qemu_nic *nics, int nnics, struct kc_error *err)
{
	const char *proxy_path = rc->cfg->proxy.path;
	const struct kc_config *cfg = rc->cfg;
	memset(sb, 0, sizeof(*sb));
	sb->id = xstrdup(id);
	sb->vm_dir = sandbox_vm_dir(root, id);
	sb->shared_dir = path_join(sb->vm_dir, "shared");
	sb->proxy_path = xstrdup(proxy_path);
	sb->vcpus = vcpus;
	sb->memory_mib = memory_mib;
	snprintf(sb->accel, sizeof(sb->accel), "%s", rc->adapt.accel);
	snprintf(sb->machine, sizeof(sb->machine), "%s", cfg->hypervisor.machine_type);
	rfc3339_now(sb->started, sizeof(sb->started));

	if (mkdir_p(sb->vm_dir, 0700) < 0 || mkdir(sb->shared_dir, 0755) < 0) {
		kc_error_set(err, errno, "sandbox directory %s", sb->vm_dir);
		sandbox_stop(sb);
		return -1;
	}
	if (netns_mode == 1) {
		char *p = path_join(sb->vm_dir, "netns");
		if (netns_create(p, err) < 0) {
			free(p);
			sandbox_stop(sb);
			return -1;
		}
		sb->netns = p;
		sb->netns_created = true;
	} else if (netns_mode == 2) {
		if (access(netns_path, F_OK) < 0) {
			kc_error_set(err, errno, "network namespace %s", netns_path);
			sandbox_stop(sb);
			return -1;
		}
		sb->netns = xstrdup(netns_path);
	}

	bool virtiofs = cfg->hypervisor.shared_fs && !strcmp(cfg->hypervisor.shared_fs, "virtio-fs");
	if (virtiofs && start_virtiofsd(sb, cfg, err) < 0) {
		sandbox_stop(sb);
		return -1;
	}

	/* QEMU */
	long long t0 = monotonic_ms();
	char *vfsd_sock = path_join(sb->vm_dir, "vfsd.sock");
	bool vsock = cfg->hypervisor.use_vsock;
	struct qemu_params qp = {
		.cfg = cfg,
		.accel = sb->accel,
		.name = id,
		.vm_dir = sb->vm_dir,
		.shared_dir = sb->shared_dir,
		.virtiofsd_socket = vfsd_sock,
		.vcpus = vcpus,
		.maxvcpus = vcpus,
		.memory_mib = memory_mib,
		.host_memory_mib = rc->host_memory_mib,
		.vsock_cid = vsock ? next_vsock_cid() : 0,
		.nics = nics,
		.nnics = nnics,
	};
	/* room for vCPUs hot-plugged when containers with limits join */
	unsigned maxv = cfg->hypervisor.default_maxvcpus ? cfg->hypervisor.default_maxvcpus : rc->facts->res.cpus_online;
	if (maxv > vcpus)
		qp.maxvcpus = maxv;
	char **argv = qemu_build_argv(&qp);
	free(vfsd_sock);
	if (kc_log_level_enabled(KC_LOG_DEBUG)) {
		struct strbuf line = STRBUF_INIT;
		for (char **a = argv; *a; a++)
			strbuf_appendf(&line, "%s%s", a == argv ? "" : " ", *a);
		kc_debug("QEMU: %s", line.s);
		strbuf_release(&line);
	}
	char *qlog = path_join(sb->vm_dir, "qemu.log");
	struct spawn_opts o = {.argv = (const char *const *)argv, .stdout_path = qlog, .stdin_fd = -1, .stdout_fd = -1,
			       .stderr_fd = -1, .keep_fd = -1, .netns = sb->netns, .detach = true};
	sb->qemu_pid = spawn_process_opts(&o, err);
	free(qlog);
	strv_free(argv);
	if (sb->qemu_pid < 0) {
		sb->qemu_pid = 0;
		kc_error_wrap(err, "hypervisor %s", cfg->hypervisor.path);
		sandbox_stop(sb);
		return -1;
	}
	sb->qemu_start = process_start_time(sb->qemu_pid);
	pid_file_write(sb->vm_dir, "qemu.pid", sb->qemu_pid, sb->qemu_start);
	sb->t_qemu_ms = (double)(monotonic_ms() - t0);

	/* the proxy: it connects and does the handshake, then says so on fd 3 */
	long long t1 = monotonic_ms();
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0) {
		kc_error_set(err, errno, "pipe");
		sandbox_stop(sb);
		return -1;
	}
	/* the agent's channel: QEMU's socket for the serial port, or vsock */
	char *agent_sock;
	if (qp.vsock_cid) {
		struct strbuf v = STRBUF_INIT;
		strbuf_appendf(&v, "vsock://%u:1024", qp.vsock_cid);
		agent_sock = v.s;
	} else {
		agent_sock = path_join(sb->vm_dir, "agent.sock");
	}
	char *proxy_sock = path_join(sb->vm_dir, "proxy.sock");
	char *plog = path_join(sb->vm_dir, "proxy.log");
	char timeout[16];
	snprintf(timeout, sizeof(timeout), "%u", cfg->agent.dial_timeout ? cfg->agent.dial_timeout : 30);
	const char *pargv[] = {proxy_path, "--agent-socket", agent_sock, "--listen", proxy_sock, "--sandbox",
			 id, "--log", plog, "--timeout", timeout, "--ready-fd", "3",
			 cfg->proxy.enable_debug ? "--debug" : NULL, NULL};
	struct spawn_opts po = {.argv = pargv, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .keep_fd = ready[1],
				.netns = sb->netns, .detach = true};
	sb->proxy_pid = spawn_process_opts(&po, err);
	close(ready[1]);
	free(agent_sock);
	free(proxy_sock);
	free(plog);
	if (sb->proxy_pid < 0) {
		sb->proxy_pid = 0;
		close(ready[0]);
		kc_error_wrap(err, "kata-proxy %s", proxy_path);
		sandbox_stop(sb);
		return -1;
	}
	sb->proxy_start = process_start_time(sb->proxy_pid);
	pid_file_write(sb->vm_dir, "proxy.pid", sb->proxy_pid, sb->proxy_start);

	/* wait: the proxy's word, QEMU dying, the proxy dying, or the timeout
	 * (the proxy keeps the same one, so it usually gives up first: a
	 * second's grace for it to say so) */
	int limit_ms = (int)(cfg->agent.dial_timeout ? cfg->agent.dial_timeout : 30) * 1000;
	long long begin = monotonic_ms(), end = begin + limit_ms + 1000;
	int result = 0;
	while (!result) {
		struct pollfd p = {ready[0], POLLIN, 0};
		int n = poll(&p, 1, 50);
		if (n > 0) {
			char c;
			result = read(ready[0], &c, 1) == 1 ? 1 : -4;
		} else if (!process_alive(sb->qemu_pid, sb->qemu_start)) {
			result = -1;
		} else if (!process_alive(sb->proxy_pid, sb->proxy_start)) {
			result = -4;
		} else if (monotonic_ms() >= end) {
			result = -2;
		}
	}
	close(ready[0]);
	/* the proxy gave up: it sees a dying QEMU first, so say which it was */
	if (result == -4) {
		long long waited = monotonic_ms() - begin;
		if (process_wait_gone(sb->qemu_pid, sb->qemu_start, 2000))
			result = -1;
		else if (waited >= limit_ms - 250)
			result = -2; /* at its timeout */
		else
			result = -3;
	}
	if (result < 0) {
		if (result == -1)
			boot_failure(sb, err, "QEMU exited while the guest was booting");
		else if (result == -2)
			boot_failure(sb, err, "the agent did not answer within %d s (agent.kata dial_timeout)", limit_ms / 1000);
		else
			boot_failure(sb, err, "kata-proxy could not reach the agent");
		sandbox_stop(sb);
		return -1;
	}
	sb->t_boot_ms = (double)(monotonic_ms() - t1);

	/* the guest side of the sandbox: the share */
	long long t2 = monotonic_ms();
	struct agent_client ac;
	if (sandbox_connect(sb, &ac, 10000, err) < 0) {
		sandbox_stop(sb);
		return -1;
	}
	json_t *share = json_pack("{s:s, s:s}", "type", virtiofs ? "virtio-fs" : "virtio-9p", "tag", "kataShared");
	if (!virtiofs)
		json_object_set_new(share, "msize", json_integer(cfg->hypervisor.msize_9p ? cfg->hypervisor.msize_9p : 8192));
	json_t *r = agent_client_call(&ac, "create_sandbox", json_pack("{s:o}", "share", share), 30000, err);
	agent_client_close(&ac);
	if (!r) {
		kc_error_wrap(err, "agent");
		sandbox_stop(sb);
		return -1;
	}
	json_decref(r);
	sb->t_sandbox_ms = (double)(monotonic_ms() - t2);
	return 0;
}

int sandbox_connect(const struct sandbox *sb, struct agent_client *ac, int timeout_ms, struct kc_error *err)
{
	char *sock = path_join(sb->vm_dir, "proxy.sock");
	int rc = agent_client_connect(ac, sock, timeout_ms, err);
	free(sock);
	if (rc < 0)
		return kc_error_wrap(err, "sandbox %s: kata-proxy", sb->id);
	if (agent_client_hello(ac, "runtime", timeout_ms, err) < 0) {
		agent_client_close(ac);
		return kc_error_wrap(err, "sandbox %s", sb->id);
	}
	return 0;
}

bool sandbox_vm_alive(const struct sandbox *sb)
{
	return process_alive(sb->qemu_pid, sb->qemu_start) && process_alive(sb->proxy_pid, sb->proxy_start);
}

void sandbox_stop(struct sandbox *sb)
{
	struct kc_error err = {0};
	if (sb->vm_dir) {
		if (!sb->qemu_pid)
			pid_file_read(sb->vm_dir, "qemu.pid", &sb->qemu_pid, &sb->qemu_start);
		if (!sb->proxy_pid)
			pid_file_read(sb->vm_dir, "proxy.pid", &sb->proxy_pid, &sb->proxy_start);
		if (!sb->virtiofsd_pid)
			pid_file_read(sb->vm_dir, "virtiofsd.pid", &sb->virtiofsd_pid, &sb->virtiofsd_start);
		if (!sb->netns) {
			char *ns = path_join(sb->vm_dir, "netns");
			if (access(ns, F_OK) == 0) {
				sb->netns = ns;
				sb->netns_created = true;
			} else {
				free(ns);
			}
		}
	}
	if (sb->qemu_pid > 0 && process_alive(sb->qemu_pid, sb->qemu_start)) {
		/* the agent first (a clean poweroff), then QMP, then SIGKILL */
		struct agent_client ac;
		if (process_alive(sb->proxy_pid, sb->proxy_start) && sandbox_connect(sb, &ac, 2000, &err) == 0) {
			json_decref(agent_client_call(&ac, "shutdown", NULL, 3000, &err));
			agent_client_close(&ac);
		}
		if (!process_wait_gone(sb->qemu_pid, sb->qemu_start, 3000)) {
			char *qmp_path = path_join(sb->vm_dir, "qmp.sock");
			struct qmp q;
			if (qmp_connect(&q, qmp_path, 1000, &err) == 0) {
				json_decref(qmp_execute(&q, "quit", NULL, 1000, &err));
				qmp_close(&q);
			}
			free(qmp_path);
			if (!process_wait_gone(sb->qemu_pid, sb->qemu_start, 2000) &&
			    !process_stop(sb->qemu_pid, sb->qemu_start, 0))
				kc_warn("QEMU (pid %d) did not go", sb->qemu_pid);
		}
	}
	/* the proxy exits by itself once the VM has gone */
	if (sb->proxy_pid > 0 && !process_wait_gone(sb->proxy_pid, sb->proxy_start, 1000))
		process_stop(sb->proxy_pid, sb->proxy_start, 0);
	if (sb->virtiofsd_pid > 0)
		process_stop(sb->virtiofsd_pid, sb->virtiofsd_start, 500);
	if (sb->shared_dir) {
		umount_below(sb->shared_dir);
		remove_mount_points(sb->shared_dir);
	}
	if (sb->netns && sb->netns_created)
		netns_remove(sb->netns);
	if (sb->vm_dir) {
		static const char *const files[] = {"qmp.sock", "agent.sock", "proxy.sock", "vfsd.sock", "console.log",
						    "qemu.log", "proxy.log", "virtiofsd.log", "netns", "qemu.pid",
						    "proxy.pid", "virtiofsd.pid", "shim.log"};
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			char *p = path_join(sb->vm_dir, files[i]);
			unlink(p);
			free(p);
		}
		if (rmdir(sb->vm_dir) < 0 && errno != ENOENT)
			kc_warn("remove %s: %s", sb->vm_dir, strerror(errno));
	}
}

json_t *sandbox_to_json(const struct sandbox *sb)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:i, s:I, s:i, s:I, s:i, s:i, s:s, s:s, s:s}", "id", sb->id, "vm_dir",
			      sb->vm_dir, "shared_dir", sb->shared_dir, "qemu_pid", sb->qemu_pid, "qemu_start",
			      (json_int_t)sb->qemu_start, "proxy_pid", sb->proxy_pid, "proxy_start",
			      (json_int_t)sb->proxy_start, "vcpus", sb->vcpus, "memory_mib", sb->memory_mib, "accel",
			      sb->accel, "machine", sb->machine, "started", sb->started);
	if (sb->netns) {
		json_object_set_new(j, "netns", json_string(sb->netns));
		json_object_set_new(j, "netns_created", json_boolean(sb->netns_created));
	}
	if (sb->virtiofsd_pid) {
		json_object_set_new(j, "virtiofsd_pid", json_integer(sb->virtiofsd_pid));
		json_object_set_new(j, "virtiofsd_start", json_integer((json_int_t)sb->virtiofsd_start));
	}
	if (sb->proxy_path)
		json_object_set_new(j, "proxy_path", json_string(sb->proxy_path));
	return j;
}

static char *dup_str(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));
	return s ? xstrdup(s) : NULL;
}

int sandbox_from_json(struct sandbox *sb, const json_t *j)
{
	memset(sb, 0, sizeof(*sb));
	if (!json_is_object(j))
		return -1;
	sb->id = dup_str(j, "id");
	sb->vm_dir = dup_str(j, "vm_dir");
	sb->shared_dir = dup_str(j, "shared_dir");
	sb->netns = dup_str(j, "netns");
	sb->proxy_path = dup_str(j, "proxy_path");
	sb->netns_created = json_is_true(json_object_get(j, "netns_created"));
	sb->qemu_pid = (pid_t)json_integer_value(json_object_get(j, "qemu_pid"));
	sb->qemu_start = (uint64_t)json_integer_value(json_object_get(j, "qemu_start"));
	sb->proxy_pid = (pid_t)json_integer_value(json_object_get(j, "proxy_pid"));
	sb->proxy_start = (uint64_t)json_integer_value(json_object_get(j, "proxy_start"));
	sb->virtiofsd_pid = (pid_t)json_integer_value(json_object_get(j, "virtiofsd_pid"));
	sb->virtiofsd_start = (uint64_t)json_integer_value(json_object_get(j, "virtiofsd_start"));
	sb->vcpus = (unsigned)json_integer_value(json_object_get(j, "vcpus"));
	sb->memory_mib = (unsigned)json_integer_value(json_object_get(j, "memory_mib"));
	snprintf(sb->accel, sizeof(sb->accel), "%s", json_string_value(json_object_get(j, "accel")) ?: "");
	snprintf(sb->machine, sizeof(sb->machine), "%s", json_string_value(json_object_get(j, "machine")) ?: "");
	snprintf(sb->started, sizeof(sb->started), "%s", json_string_value(json_object_get(j, "started")) ?: "");
	return sb->id && sb->vm_dir && sb->shared_dir ? 0 : -1;
}

void sandbox_free(struct sandbox *sb)
{
	free(sb->id);
	free(sb->vm_dir);
	free(sb->shared_dir);
	free(sb->netns);
	free(sb->proxy_path);
	memset(sb, 0, sizeof(*sb));
}
