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
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "beneath.h"
#include "crash.h"
#include "daemon.h"
#include "fdmount.h"
#include "fs.h"
#include "host_cgroup.h"
#include "json_cleanup.h"
#include "log.h"
#include "network.h"
#include "qemu.h"
#include "hotplug.h"
#include "template.h"
#include "vfio.h"
#include "qemu_user.h"
#include "qmp.h"
#include "share.h"
#include "stages.h"
#include "state.h"
#include "strbuf.h"
#include "vm_dir.h"
#include "warmup.h"
#include "xalloc.h"

static char *path_join(const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_appendf(&sb, "%s/%s", a, b);
	return sb.s;
}

/* ---- boot failures -------------------------------------------------------- */

static void tail_file(struct strbuf *out, int vmfd, const char *label, const char *name, size_t max)
{
	_cleanup_close_ int fd = beneath_open(vmfd, name, O_RDONLY | O_NONBLOCK, 0, BENEATH_STRICT);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	if ((size_t)st.st_size > max)
		lseek(fd, st.st_size - (off_t)max, SEEK_SET);
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf) - 1 < max ? sizeof(buf) - 1 : max);
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

static int boot_failure(int vmfd, struct kc_error *err, const char *fmt, ...) _printf_(3, 4);
static int boot_failure(int vmfd, struct kc_error *err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct strbuf sbuf = STRBUF_INIT;
	strbuf_append(&sbuf, msg);
	tail_file(&sbuf, vmfd, "QEMU", "qemu.log", 600);
	tail_file(&sbuf, vmfd, "guest console", QEMU_DIR "/console.log", 600);
	tail_file(&sbuf, vmfd, "proxy", "proxy.log", 400);
	kc_error_set(err, 0, "%s", sbuf.s);
	strbuf_release(&sbuf);
	return -1;
}

/* ---- the steps of a boot ------------------------------------------------- */

static bool uses_virtiofs(const struct kc_config *cfg)
{
	return cfg->hypervisor.shared_fs && !strcmp(cfg->hypervisor.shared_fs, "virtio-fs");
}

static int setup_share(struct sandbox *sb, int vmfd, const struct sandbox_params *p,
		       struct kc_error *err)
{
	(void)sb;
	if (p->cached)
		return 0; /* the cache made it before QEMU exported it */
	return share_setup(vmfd, err);
}

/* A cached VM, its directory already renamed to the sandbox's by the
 * cache (vmcache.h), and what runs in it: QEMU as its own pid file says,
 * its size as the cache's record does. */
static int adopt_vm_dir(struct sandbox *sb, int *vmfd, const struct sandbox_cached *c,
			struct kc_error *err)
{
	_cleanup_close_ int dirs = sandbox_open_vm_dirs(false);
	if (dirs < 0)
		return kc_error_set(err, -dirs, "%s/%s", KC_RUN_DIR, KC_VM_DIRS);
	*vmfd =
	    openat(dirs, vm_dir_base(sb->vm_dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (*vmfd < 0)
		return kc_error_set(err, errno, "the cached VM's directory %s", sb->vm_dir);
	pid_file_read(*vmfd, "qemu.pid", &sb->qemu_pid, &sb->qemu_start);
	sb->vcpus = (unsigned)json_integer_value(json_object_get(c->vm, "vcpus"));
	sb->memory_mib = (unsigned)json_integer_value(json_object_get(c->vm, "memory_mib"));
	if (!process_alive(sb->qemu_pid, sb->qemu_start) || !sb->vcpus || !sb->memory_mib)
		return kc_error_set(err, 0, "the cached VM in %s is not running", sb->vm_dir);
	return 0;
}

static int make_vm_dir(struct sandbox *sb, int *vmfd, const struct sandbox_params *p,
		       struct kc_error *err)
{
	if (p->cached)
		return adopt_vm_dir(sb, vmfd, p->cached, err);
	_cleanup_close_ int dirs = sandbox_open_vm_dirs(true);
	if (dirs < 0)
		return kc_error_set(err, -dirs, "%s/%s", KC_RUN_DIR, KC_VM_DIRS);
	*vmfd = beneath_mkdir(dirs, vm_dir_base(sb->vm_dir), 0700, BENEATH_STRICT);
	if (*vmfd == -EEXIST)
		return kc_error_setc(
		    err, EEXIST,
		    "sandbox %s: its VM directory %s exists already (delete --force %s removes it)",
		    sb->id, sb->vm_dir, sb->id);
	if (*vmfd < 0)
		return kc_error_set(err, -*vmfd, "sandbox directory %s", sb->vm_dir);
	int q = beneath_mkdir(*vmfd, QEMU_DIR, 0700, BENEATH_STRICT);
	if (q < 0)
		return kc_error_set(err, -q, "%s/%s", sb->vm_dir, QEMU_DIR);
	close(q);
	return 0;
}

/* rootless: QEMU gets a user of its own, which owns only QEMU_DIR (the VM
 * directory, with the pid files the runtime trusts, stays root's and is
 * only traversable), and virtiofsd's socket; its taps come as descriptors. */
static int make_qemu_user(struct sandbox *sb, int vmfd, const struct sandbox_params *p,
			  struct kc_error *err)
{
	if (!p->rc->cfg->hypervisor.rootless)
		return 0;
	if (qemu_user_claim(vm_dir_base(sb->vm_dir), &sb->qemu_uid, err) < 0)
		return -1;
	_cleanup_close_ int dir = openat(vmfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 || fchmod(dir, 0711) < 0 ||
	    fchownat(vmfd, QEMU_DIR, sb->qemu_uid, sb->qemu_uid, AT_SYMLINK_NOFOLLOW) < 0)
		return kc_error_set(err, errno, "%s: give %s to QEMU's user %u", sb->vm_dir,
				    QEMU_DIR, (unsigned)sb->qemu_uid);
	return 0;
}

/* An unprivileged QEMU cannot open /dev/net/tun or /dev/vhost-net: it gets
 * descriptors of its taps (and vhost-net), opened here, as fds 3 and up. */
struct passed_fds {
	int fds[SPAWN_MAX_FDS];
	int n;
};

static void passed_fds_close(struct passed_fds *pf)
{
	for (int i = 0; i < pf->n; i++)
		close(pf->fds[i]);
	pf->n = 0;
}

static int open_nics_for_qemu(const struct sandbox *sb, const struct sandbox_params *p,
			      struct qemu_nic *nics, struct passed_fds *pf, struct kc_error *err)
{
	for (int i = 0; i < p->nnics; i++) {
		nics[i] = p->nics[i];
		if (!sb->qemu_uid)
			continue;
		if (pf->n + 2 > SPAWN_MAX_FDS)
			return kc_error_set(err, 0,
					    "too many NICs to hand to an unprivileged QEMU");
		int fd = net_tap_open(sb->netns, nics[i].tap, err);
		if (fd < 0)
			return -1;
		nics[i].fd = 3 + pf->n;
		pf->fds[pf->n++] = fd;
		if (nics[i].vhost) {
			int v = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
			if (v >= 0) {
				nics[i].vhostfd = 3 + pf->n;
				pf->fds[pf->n++] = v;
			} else {
				nics[i].vhost = false; /* the report said so already */
			}
		}
	}
	return 0;
}

static int join_netns(struct sandbox *sb, int vmfd, const struct sandbox_params *p,
		      struct kc_error *err)
{
	if (p->netns_mode == NETNS_NEW) {
		if (netns_create(vmfd, err) < 0)
			return -1;
		sb->netns = path_join(sb->vm_dir, "netns");
		sb->netns_created = true;
	} else if (p->netns_mode == NETNS_PATH) {
		if (access(p->netns_path, F_OK) < 0)
			return kc_error_set(err, errno, "network namespace %s", p->netns_path);
		sb->netns = xstrdup(p->netns_path);
	}
	return 0;
}

static int start_virtiofsd(struct sandbox *sb, int vmfd, const struct sandbox_params *p,
			   struct kc_error *err)
{
	const struct kc_config *cfg = p->rc->cfg;
	if (!uses_virtiofs(cfg) || p->cached)
		return 0;
	const struct qemu_config *q = &cfg->hypervisor;
	char *sock = path_join(sb->vm_dir, "vfsd.sock");
	char *log = path_join(sb->vm_dir, "virtiofsd.log");
	struct strbuf src = STRBUF_INIT, cache = STRBUF_INIT, sockopt = STRBUF_INIT;
	strbuf_appendf(&src, "source=%s", sb->shared_dir);
	strbuf_appendf(&cache, "cache=%s",
		       q->virtio_fs_cache && *q->virtio_fs_cache ? q->virtio_fs_cache : "auto");
	strbuf_appendf(&sockopt, "--socket-path=%s", sock);
	const char *argv[32] = {q->virtio_fs_daemon, sockopt.s, "-o", src.s, "-o", cache.s};
	int n = 6;
	for (size_t i = 0; i < q->virtio_fs_extra_args.n && n < 28; i++)
		argv[n++] = q->virtio_fs_extra_args.v[i];
	/* last, so it holds whatever the extra arguments say: a device node
	 * the guest made would be the host's device for whoever reaches its
	 * host path (share.h) */
	argv[n++] = "-o";
	argv[n++] = "modcaps=-mknod";
	argv[n] = NULL;
	struct spawn_opts o = {.argv = argv,
			       .stdout_path = log,
			       .stdin_fd = -1,
			       .stdout_fd = -1,
			       .stderr_fd = -1,
			       .keep_fd = -1,
			       .netns = sb->netns,
			       .cgroup_fds = p->cgroup_fds,
			       .ncgroup = p->ncgroup,
			       .detach = true};
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
		pid_file_write(vmfd, "virtiofsd.pid", sb->virtiofsd_pid, sb->virtiofsd_start);
		/* QEMU connects to its socket at start: wait for it */
		long long end = monotonic_ms() + VIRTIOFSD_START_MS;
		while (faccessat(vmfd, "vfsd.sock", F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
		       monotonic_ms() < end)
			usleep(5000);
		if (faccessat(vmfd, "vfsd.sock", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			rc = boot_failure(vmfd, err, "virtiofsd did not create %s", sock);
		else if (sb->qemu_uid && fchownat(vmfd, "vfsd.sock", sb->qemu_uid, sb->qemu_uid,
						  AT_SYMLINK_NOFOLLOW) < 0)
			rc = kc_error_set(err, errno, "give %s to QEMU's user", sock);
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

char *sandbox_qmp_socket(const struct sandbox *sb)
{
	return path_join(sb->vm_dir, QEMU_DIR "/qmp.sock");
}

unsigned sandbox_maxvcpus(const struct rtconfig *rc, unsigned vcpus)
{
	const struct kc_config *cfg = rc->cfg;
	/* room for vCPUs hot-plugged when containers with limits join */
	unsigned maxv = cfg->hypervisor.default_maxvcpus ? cfg->hypervisor.default_maxvcpus
							 : rc->facts->res.cpus_online;
	return maxv > vcpus ? maxv : vcpus;
}

static int start_qemu(struct sandbox *sb, int vmfd, const struct sandbox_params *p,
		      struct kc_error *err)
{
	const struct kc_config *cfg = p->rc->cfg;
	if (p->cached)
		return 0; /* it runs */
	struct qemu_nic nics[16];
	struct passed_fds pf = {.n = 0};
	if (p->nnics > 16)
		return kc_error_set(err, 0, "%d NICs: at most 16", p->nnics);
	if (open_nics_for_qemu(sb, p, nics, &pf, err) < 0) {
		passed_fds_close(&pf);
		return -1;
	}
	char *vfsd_sock = path_join(sb->vm_dir, "vfsd.sock");
	const struct sandbox_template *t = p->tmpl;
	bool clone = t && t->role == TEMPLATE_CLONE;
	struct qemu_params qp = {
	    .cfg = cfg,
	    .accel = sb->accel,
	    .name = sb->id,
	    .vm_dir = sb->vm_dir,
	    .shared_dir = sb->shared_dir,
	    .virtiofsd_socket = vfsd_sock,
	    .vcpus = sb->vcpus,
	    .maxvcpus = sb->vcpus,
	    .memory_mib = sb->memory_mib,
	    .host_memory_mib = p->rc->host_memory_mib,
	    .tsc_khz = p->rc->tsc_khz,
	    .vsock_cid = sb->vsock_cid,
	    .nics = nics,
	    /* a clone's device set is the template's: its NICs come after */
	    .nnics = clone ? 0 : p->nnics,
	    .vfio = p->vfio,
	    .nvfio = p->nvfio,
	    .template_memory = t && t->role != TEMPLATE_NONE ? t->memory : NULL,
	    .template_incoming = clone,
	};
	/* hot-plug root ports keep room for the host's largest passable device */
	vfio_port_reserve(p->rc->facts, &qp.mmio);
	qp.maxvcpus = sandbox_maxvcpus(p->rc, sb->vcpus);
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
	struct spawn_opts o = {.argv = (const char *const *)argv,
			       .stdout_path = qlog,
			       .stdin_fd = -1,
			       .stdout_fd = -1,
			       .stderr_fd = -1,
			       .keep_fd = -1,
			       .pass_fds = pf.fds,
			       .npass = pf.n,
			       .netns = sb->netns,
			       .cgroup_fds = p->cgroup_fds,
			       .ncgroup = p->ncgroup,
			       .detach = true,
			       .as_user = sb->qemu_uid != 0,
			       .uid = sb->qemu_uid,
			       .gid = sb->qemu_uid,
			       .supp_gid = -1,
			       /* QEMU's 9p server makes what the guest asks for: no
				* device node (share.h) */
			       .drop_caps = 1ULL << CAP_MKNOD};
	struct stat kvm;
	/* KVM through /dev/kvm's group (root:kvm 0660 on Debian) */
	if (o.as_user && !strcmp(sb->accel, "kvm") && stat("/dev/kvm", &kvm) == 0 &&
	    (kvm.st_mode & 0060) == 0060)
		o.supp_gid = kvm.st_gid;
	sb->qemu_pid = spawn_process_opts(&o, err);
	passed_fds_close(&pf);
	crash_point("create:qemu-spawned"); /* its pid not yet written down */
	free(qlog);
	strv_free(argv);
	if (sb->qemu_pid < 0) {
		sb->qemu_pid = 0;
		return kc_error_wrap(err, "hypervisor %s", cfg->hypervisor.path);
	}
	sb->qemu_start = process_start_time(sb->qemu_pid);
	pid_file_write(vmfd, "qemu.pid", sb->qemu_pid, sb->qemu_start);
	return 0;
}

/* A cached VM's QEMU joins the pod's cgroup (one it boots itself is
 * spawned into it); what it used before stays charged where it was. */
static int join_cgroup(struct sandbox *sb, int vmfd, const struct sandbox_params *p,
		       struct kc_error *err)
{
	(void)vmfd;
	if (!p->cached)
		return 0;
	char pid[16];
	int n = snprintf(pid, sizeof(pid), "%d", (int)sb->qemu_pid);
	for (int i = 0; i < p->ncgroup; i++)
		if (write(p->cgroup_fds[i], pid, (size_t)n) != n)
			return kc_error_set(err, errno, "move QEMU (pid %d) into cgroup %s",
					    (int)sb->qemu_pid, sb->cgroup);
	return 0;
}

/* A clone: the template's device state in, the guest running on. */
static int resume_template(struct sandbox *sb, int vmfd, const struct sandbox_params *p,
			   struct kc_error *err)
{
	(void)vmfd;
	if (!p->tmpl || p->tmpl->role != TEMPLATE_CLONE)
		return 0;
	_cleanup_free_ char *qmp = sandbox_qmp_socket(sb);
	return qemu_template_resume(qmp, p->tmpl->state_fd, err);
}

/* A clone's or a cached VM's NICs, hot-plugged once it runs (the
 * template had none; the cached VM booted before the pod had any). */
static int plug_clone_nics(struct sandbox *sb, int vmfd, const struct sandbox_params *p,
			   struct kc_error *err)
{
	(void)vmfd;
	bool clone = p->tmpl && p->tmpl->role == TEMPLATE_CLONE;
	if (!(clone || p->cached) || !p->nnics)
		return 0;
	_cleanup_free_ char *qmp = sandbox_qmp_socket(sb);
	for (int i = 0; i < p->nnics; i++) {
		int tapfd = net_tap_open(sb->netns, p->nics[i].tap, err);
		if (tapfd < 0)
			return -1;
		char id[16];
		snprintf(id, sizeof(id), "net%d", i);
		int rc = qemu_nic_add(qmp, id, tapfd, p->nics[i].mac, sb->hotplug_bridges,
				      sb->hotplug_ports, err);
		close(tapfd);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* How waiting for the proxy's word ended. */
enum boot_wait { BOOT_READY, BOOT_QEMU_DIED, BOOT_TIMEOUT, BOOT_PROXY_FAILED };

static enum boot_wait wait_for_proxy(const struct sandbox *sb, int ready_fd, int limit_ms)
{
	/* the proxy keeps the same timeout, so it usually gives up first: a
	 * second's grace for it to say so */
	long long begin = monotonic_ms(), end = begin + limit_ms + 1000;
	for (;;) {
		struct pollfd pfd = {ready_fd, POLLIN, 0};
		if (poll(&pfd, 1, 50) > 0) {
			char c;
			if (read(ready_fd, &c, 1) == 1)
				return BOOT_READY;
			break;
		}
		if (!process_alive(sb->qemu_pid, sb->qemu_start))
			return BOOT_QEMU_DIED;
		if (!process_alive(sb->proxy_pid, sb->proxy_start))
			break;
		if (monotonic_ms() >= end)
			return BOOT_TIMEOUT;
	}
	/* the proxy gave up: it sees a dying QEMU first, so say which it was */
	if (process_wait_gone(sb->qemu_pid, sb->qemu_start, QEMU_QUIT_MS))
		return BOOT_QEMU_DIED;
	return monotonic_ms() - begin >= limit_ms - 250 ? BOOT_TIMEOUT : BOOT_PROXY_FAILED;
}

/* kata-proxy: it connects and does the handshake, then says so on fd 3. */
static int start_proxy(struct sandbox *sb, int vmfd, const struct sandbox_params *p,
		       struct kc_error *err)
{
	const struct kc_config *cfg = p->rc->cfg;
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return kc_error_set(err, errno, "pipe");
	/* the agent's channel: QEMU's socket for the serial port, or vsock */
	struct strbuf agent_sock = STRBUF_INIT;
	if (sb->vsock_cid)
		strbuf_appendf(&agent_sock, "vsock://%u:%u", sb->vsock_cid, AGENT_VSOCK_PORT);
	else
		strbuf_appendf(&agent_sock, "%s/" QEMU_DIR "/agent.sock", sb->vm_dir);
	char *proxy_sock = path_join(sb->vm_dir, "proxy.sock");
	char *plog = path_join(sb->vm_dir, "proxy.log");
	unsigned dial_s = cfg->agent.dial_timeout;
	char timeout[16], vm_pid[16], fs_pid[16];
	snprintf(timeout, sizeof(timeout), "%u", dial_s);
	snprintf(vm_pid, sizeof(vm_pid), "%d", (int)sb->qemu_pid);
	snprintf(fs_pid, sizeof(fs_pid), "%d", (int)sb->virtiofsd_pid);
	const char *pargv[] = {sb->proxy_path,
			       "--agent-socket",
			       agent_sock.s,
			       "--listen",
			       proxy_sock,
			       "--sandbox",
			       sb->id,
			       "--log",
			       plog,
			       "--timeout",
			       timeout,
			       "--ready-fd",
			       "3",
			       NULL,
			       NULL,
			       NULL,
			       NULL,
			       NULL,
			       NULL};
	size_t pn = 0;
	while (pargv[pn]) /* the options after the fixed ones go in the NULL slots */
		pn++;
	if (cfg->proxy.enable_debug)
		pargv[pn++] = "--debug";
	/* a virtiofsd that dies takes the VM with it */
	if (sb->virtiofsd_pid > 0) {
		pargv[pn++] = "--fs-server-pid";
		pargv[pn++] = fs_pid;
		pargv[pn++] = "--vm-pid";
		pargv[pn++] = vm_pid;
	}
	struct spawn_opts po = {.argv = pargv,
				.stdin_fd = -1,
				.stdout_fd = -1,
				.stderr_fd = -1,
				.keep_fd = ready[1],
				.netns = sb->netns,
				.cgroup_fds = p->cgroup_fds,
				.ncgroup = p->ncgroup,
				.detach = true};
	sb->proxy_pid = spawn_process_opts(&po, err);
	close(ready[1]);
	crash_point("create:proxy-spawned");
	strbuf_release(&agent_sock);
	free(proxy_sock);
	free(plog);
	if (sb->proxy_pid < 0) {
		sb->proxy_pid = 0;
		close(ready[0]);
		return kc_error_wrap(err, "kata-proxy %s", sb->proxy_path);
	}
	sb->proxy_start = process_start_time(sb->proxy_pid);
	pid_file_write(vmfd, "proxy.pid", sb->proxy_pid, sb->proxy_start);

	enum boot_wait w = wait_for_proxy(sb, ready[0], (int)dial_s * 1000);
	close(ready[0]);
	switch (w) {
	case BOOT_READY: break;
	case BOOT_QEMU_DIED:
		return boot_failure(vmfd, err, "QEMU exited while the guest was booting");
	case BOOT_TIMEOUT:
		return boot_failure(
		    vmfd, err, "the agent did not answer within %u s (agent.kata dial_timeout)",
		    dial_s);
	case BOOT_PROXY_FAILED:
		return boot_failure(vmfd, err, "kata-proxy could not reach the agent");
	}
	return 0;
}

/* What a pod's guest will need loaded - its share's modules and the NICs'
 * (a pod's network is hot-plugged into a VM made before it) -, loaded in
 * a template or a cached VM before it is saved or waits, so that no VM
 * made from it loads them again. */
static int load_pod_modules(struct agent_client *ac, const struct kc_config *cfg,
			    struct kc_error *err)
{
	json_t *groups = json_pack("[s, s]", uses_virtiofs(cfg) ? "virtiofs" : "9p", "net");
	_cleanup_json_ json_t *r = agent_client_call(
	    ac, "load_modules", json_pack("{s:o}", "groups", groups), AGENT_CALL_MS, err);
	return r ? 0 : kc_error_wrap(err, "agent: load the pods' modules");
}

/* The guest side of the sandbox: the share mounted. A template has only
 * the pods' modules loaded - each VM made from it mounts its own share;
 * a cached VM has its share mounted before it waits in the cache (its
 * record says "guest_sandbox"), so that a create taking it does not wait
 * for that. */
static int create_guest_sandbox(struct sandbox *sb, int vmfd, const struct sandbox_params *p,
				struct kc_error *err)
{
	const struct kc_config *cfg = p->rc->cfg;
	bool build = p->tmpl && p->tmpl->role == TEMPLATE_BUILD;
	if (p->cached && json_is_true(json_object_get(p->cached->vm, "guest_sandbox")))
		return 0;
	struct agent_client ac;
	if (sandbox_connect(sb, &ac, AGENT_CONNECT_MS, err) < 0)
		return -1;
	int rc = 0;
	if (build || p->for_cache)
		rc = load_pod_modules(&ac, cfg, err);
	if (rc == 0 && !build) {
		bool virtiofs = uses_virtiofs(cfg);
		json_t *share =
		    json_pack("{s:s, s:s}", "type", virtiofs ? "virtio-fs" : "virtio-9p", "tag",
			      "kataShared");
		if (!virtiofs)
			json_object_set_new(share, "msize", json_integer(cfg->hypervisor.msize_9p));
		_cleanup_json_ json_t *r = agent_client_call(
		    &ac, "create_sandbox", json_pack("{s:o}", "share", share), AGENT_CALL_MS, err);
		if (!r)
			rc = kc_error_wrap(err, "agent");
	}
	if (rc == 0 && p->for_cache)
		warmup_cached_vm(vmfd, &ac);
	agent_client_close(&ac);
	return rc;
}

static void sandbox_init(struct sandbox *sb, const struct sandbox_params *p)
{
	const struct kc_config *cfg = p->rc->cfg;
	memset(sb, 0, sizeof(*sb));
	sb->id = xstrdup(p->id);
	sb->vm_dir = sandbox_vm_dir(p->root, p->id);
	sb->shared_dir = path_join(sb->vm_dir, "shared");
	sb->proxy_path = xstrdup(cfg->proxy.path);
	sb->vcpus = p->vcpus;
	sb->memory_mib = p->memory_mib;
	sb->vsock_cid = cfg->hypervisor.use_vsock ? next_vsock_cid() : 0;
	snprintf(sb->accel, sizeof(sb->accel), "%s", p->rc->accel);
	snprintf(sb->machine, sizeof(sb->machine), "%s", cfg->hypervisor.machine_type);
	qemu_hotplug_buses(&cfg->hypervisor, &sb->hotplug_bridges, &sb->hotplug_ports);
	rfc3339_now(sb->started, sizeof(sb->started));
	sb->cgroup = p->cgroup ? xstrdup(p->cgroup) : NULL;
}

/* In order; each step's crash point comes once it is done. */
static const struct {
	int (*fn)(struct sandbox *sb, int vmfd, const struct sandbox_params *p,
		  struct kc_error *err);
	const char *crash_point;
	const char *stage; /* what its time is called (stages.h) */
} boot_steps[] = {
    {join_netns, "create:netns", "netns"},
    {make_qemu_user, "create:qemu-user", "qemu-user"},
    {setup_share, "create:share-setup", "share-setup"},
    {start_virtiofsd, "create:virtiofsd", "virtiofsd"},
    {start_qemu, "create:qemu", "qemu-spawn"},
    {join_cgroup, "create:cgroup-joined", "cgroup"},
    {resume_template, "create:resumed", "restore"},
    {start_proxy, "create:booted", "boot-to-agent"},
    {plug_clone_nics, "create:nics-plugged", "nics-hotplug"},
    {create_guest_sandbox, "create:guest-sandbox", "guest-sandbox"},
};

int sandbox_start(struct sandbox *sb, const struct sandbox_params *p, struct kc_error *err)
{
	sandbox_init(sb, p);
	_cleanup_close_ int vmfd = -1;
	struct stage_clock dir_clock;
	stages_begin(&dir_clock);
	if (make_vm_dir(sb, &vmfd, p, err) < 0) {
		/* a cached VM handed over is ours: stopped with the rest */
		if (p->cached)
			sandbox_stop(sb);
		sandbox_free(sb); /* else the directory was not ours to remove */
		return -1;
	}
	stages_end(&dir_clock, "vm-dir");
	crash_point("create:vm-dir");
	/* the pod's cgroup (recorded by the caller before we were called) */
	struct sandbox_params bp = *p;
	int cg[HOST_CGROUP_MAX], ncg = 0;
	if (sb->cgroup) {
		ncg = host_cgroup_create(sb->cgroup, cg, HOST_CGROUP_MAX, err);
		if (ncg < 0) {
			sandbox_stop(sb);
			sandbox_free(sb);
			return -1;
		}
		crash_point("create:cgroup");
		bp.cgroup_fds = cg;
		bp.ncgroup = ncg;
	}
	int rc = 0;
	for (size_t i = 0; i < ARRAY_SIZE(boot_steps); i++) {
		struct stage_clock clock;
		stages_begin(&clock);
		if (boot_steps[i].fn(sb, vmfd, &bp, err) < 0) {
			rc = -1;
			break;
		}
		stages_end(&clock, boot_steps[i].stage);
		crash_point(boot_steps[i].crash_point);
	}
	host_cgroup_close_fds(cg, ncg);
	if (rc < 0) {
		sandbox_stop(sb);
		sandbox_free(sb);
	}
	return rc;
}

int sandbox_connect(const struct sandbox *sb, struct agent_client *ac, int timeout_ms,
		    struct kc_error *err)
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
	return process_alive(sb->qemu_pid, sb->qemu_start) &&
	       process_alive(sb->proxy_pid, sb->proxy_start);
}

/* ---- stopping ------------------------------------------------------------- */

/* What a crash may not have recorded: the pids and the netns from vm_dir. */
static void recover_from_vm_dir(struct sandbox *sb, int vmfd)
{
	if (!sb->qemu_pid)
		pid_file_read(vmfd, "qemu.pid", &sb->qemu_pid, &sb->qemu_start);
	if (!sb->proxy_pid)
		pid_file_read(vmfd, "proxy.pid", &sb->proxy_pid, &sb->proxy_start);
	if (!sb->virtiofsd_pid)
		pid_file_read(vmfd, "virtiofsd.pid", &sb->virtiofsd_pid, &sb->virtiofsd_start);
	if (!sb->netns && faccessat(vmfd, "netns", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		sb->netns = path_join(sb->vm_dir, "netns");
		sb->netns_created = true;
	}
}

/* The agent first (a clean poweroff), then QMP, then SIGKILL. */
static void stop_qemu(struct sandbox *sb)
{
	_cleanup_error_ struct kc_error err = {0};
	if (sb->qemu_pid <= 0 || !process_alive(sb->qemu_pid, sb->qemu_start))
		return;
	struct agent_client ac;
	if (process_alive(sb->proxy_pid, sb->proxy_start) &&
	    sandbox_connect(sb, &ac, AGENT_TEARDOWN_MS, &err) == 0) {
		json_decref(agent_client_call(&ac, "shutdown", NULL, AGENT_TEARDOWN_MS, &err));
		agent_client_close(&ac);
	}
	if (process_wait_gone(sb->qemu_pid, sb->qemu_start, QEMU_POWEROFF_MS))
		return;
	char *qmp_path = sandbox_qmp_socket(sb);
	struct qmp q;
	if (qmp_connect(&q, qmp_path, QMP_CALL_MS, &err) == 0) {
		json_decref(qmp_execute(&q, "quit", NULL, QMP_CALL_MS, &err));
		qmp_close(&q);
	}
	free(qmp_path);
	if (!process_wait_gone(sb->qemu_pid, sb->qemu_start, QEMU_QUIT_MS) &&
	    !process_stop(sb->qemu_pid, sb->qemu_start, 0))
		kc_warn("QEMU (pid %d) did not go", sb->qemu_pid);
}

/* Our own files in vm_dir, then vm_dir itself. */
static void remove_vm_dir(const struct sandbox *sb, int vmfd)
{
	static const char *const files[] = {"proxy.sock",    "vfsd.sock", "qemu.log", "proxy.log",
					    "virtiofsd.log", "netns",	  "qemu.pid", "proxy.pid",
					    "virtiofsd.pid", "shim.log"};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		unlinkat(vmfd, files[i], 0);
	/* a pid file's write cut short (a cached VM's builder killed when
	 * the cache stops) */
	remove_atomic_leftovers(vmfd);
	int r = beneath_remove_tree(vmfd, QEMU_DIR);
	if (r < 0)
		kc_warn("remove %s/%s: %s", sb->vm_dir, QEMU_DIR, strerror(-r));
	/* a cached VM's warm-up that a crash cut short */
	r = beneath_remove_tree(vmfd, WARMUP_DIR);
	if (r < 0 && r != -ENOENT)
		kc_warn("remove %s/%s: %s", sb->vm_dir, WARMUP_DIR, strerror(-r));
	_cleanup_close_ int dirs = sandbox_open_vm_dirs(false);
	const char *base = vm_dir_base(sb->vm_dir);
	if (dirs >= 0 && base && unlinkat(dirs, base, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		int e = errno;
		kc_warn("remove %s: %s", sb->vm_dir, strerror(e));
	}
}

/* Every process still naming the VM directory - one a crash kept us from
 * recording (spawned, pid not yet written), a shim of a container of it. */
static void stop_stragglers(const struct sandbox *sb)
{
	if (!vm_dir_base(sb->vm_dir))
		return;
	_cleanup_free_ char *needle = xasprintf("%s/", sb->vm_dir);
	pid_t pids[64];
	uint64_t starts[64];
	int n = process_find_by_arg(needle, pids, starts, 64);
	for (int i = 0; i < n; i++) {
		kc_info("sandbox %s: stopping process %d, left by a crash", sb->id, pids[i]);
		process_stop(pids[i], starts[i], 0);
	}
}

void sandbox_stop(struct sandbox *sb)
{
	_cleanup_close_ int vmfd = sb->vm_dir ? sandbox_open_vm_dir(sb) : -1;
	if (vmfd >= 0)
		recover_from_vm_dir(sb, vmfd);
	stop_qemu(sb);
	/* the proxy exits by itself once the VM has gone */
	if (sb->proxy_pid > 0 && !process_wait_gone(sb->proxy_pid, sb->proxy_start, PROXY_EXIT_MS))
		process_stop(sb->proxy_pid, sb->proxy_start, 0);
	if (sb->virtiofsd_pid > 0)
		process_stop(sb->virtiofsd_pid, sb->virtiofsd_start, 500);
	stop_stragglers(sb);
	if (vm_dir_base(sb->vm_dir))
		qemu_user_release(vm_dir_base(sb->vm_dir), sb->qemu_uid);
	/* empty now: everything of the sandbox that was in it has stopped */
	host_cgroup_remove(sb->cgroup);
	if (vmfd < 0)
		return;
	share_teardown(vmfd);
	if (sb->netns_created)
		netns_remove(vmfd);
	remove_vm_dir(sb, vmfd);
}
