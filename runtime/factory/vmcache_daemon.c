/* The VM cache's daemon (see vmcache.h): one process with one loop - it
 * answers on the endpoint, watches its VMs, and refills. What takes time
 * (booting a VM, stopping one) runs in a child of its own, so that a take
 * is never kept waiting behind a boot. */
#include "vmcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "factory.h"
#include "fs.h"
#include "log.h"
#include "qmp.h"
#include "rules.h"
#include "state.h"
#include "strbuf.h"
#include "timeouts.h"
#include "vm_dir.h"
#include "xalloc.h"

#define REQUEST_MS   2000 /* a client's request line */
#define HEALTH_MS    1000 /* QMP's word that a VM handed over still runs */
#define RETRY_MAX_MS 60000
#define LOOP_MS	     500
/* a burst that found the cache empty raises what it keeps ready, up to
 * twice its number; a quiet minute lowers it again, a VM at a time */
#define GROW_HOLD_MS 60000
/* how often the configuration file it serves is looked at */
#define CONF_CHECK_MS 2000
/* the test seam for GROW_HOLD_MS: a burst's end, in a test's time */
#define HOLD_ENV "KATA_RUNTIME_TEST_VMCACHE_HOLD_MS"

enum cvm_state { CVM_BOOTING, CVM_READY, CVM_STOPPING };

static const char *const state_names[] = {"booting", "ready", "stopping"};

struct cvm {
	char id[64];
	enum cvm_state state;
	pid_t worker;		       /* the child booting or stopping it */
	char key[FACTORY_KEY_LEN + 1]; /* the configuration it is booted for */
	json_t *vm;		       /* ready: its record, sandbox_to_json */
	pid_t qemu_pid;
	uint64_t qemu_start;
	char since[64];
};

struct cache {
	const struct rtconfig *rc; /* the configuration it serves */
	struct rtconfig *owned;	   /* rc, once reloaded (follow_config) */
	const char *conf_path;	   /* the file rc came from; NULL: built-in */
	struct stat conf_st;
	long long next_conf_check, hold_ms;
	bool restart; /* stopped for the service manager to start it again */
	char *dir;
	int cdir, lock, listen_fd;
	char key[FACTORY_KEY_LEN + 1];
	unsigned number;   /* what it keeps ready when nothing asks */
	unsigned target;   /* what it keeps ready now: number, or more after a burst */
	unsigned grow_max; /* target's bound */
	char sized[256];   /* how "auto" sized number; "" when configured */
	bool from_template;
	struct cvm vms[VMCACHE_MAX * 2];
	int nvms;
	unsigned seq, handed, replaced, failed, consecutive, empty_takes;
	long long retry_at, last_empty;
	char started[64];
};

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* ---- records --------------------------------------------------------------- */

static int write_record(int cdir, const char *id, json_t *j, struct kc_error *err)
{
	char name[80];
	snprintf(name, sizeof(name), "%s.json", id);
	char *text = json_dumps(j, JSON_INDENT(2));
	int rc = write_atomic_at(cdir, name, name, text, strlen(text), 0600, err);
	free(text);
	return rc;
}

static json_t *record_of(const struct cvm *v, const char *from)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "id", v->id, "state", state_names[v->state],
			      "from", from, "since", v->since);
	if (v->vm)
		json_object_set_new(j, "vm", json_incref(v->vm));
	return j;
}

/* ---- the children: booting and stopping ------------------------------------- */

/* A child of the daemon's, which dies with it (the VM it was booting is
 * left to factory destroy, or to the next daemon's start). */
static pid_t fork_worker(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		if (getppid() == 1)
			_exit(1);
	}
	return pid;
}

/* In the booting child: the VM, from the template or cold, then its
 * kata-proxy stopped - the agent waits for the sandbox's own - and its
 * record "ready". */
static int boot_vm(struct cache *c, struct cvm *v)
{
	const struct kc_config *cfg = c->rc->cfg;
	_cleanup_error_ struct kc_error err = {0};
	unsigned vcpus =
	    cfg->hypervisor.default_vcpus > 0 ? (unsigned)cfg->hypervisor.default_vcpus : 1;
	struct sandbox_params sp = {.id = v->id,
				    .root = c->dir,
				    .rc = c->rc,
				    .vcpus = vcpus,
				    .memory_mib = cfg->hypervisor.default_memory,
				    .netns_mode = NETNS_HOST,
				    .for_cache = true};
	struct sandbox sb;
	const char *from = "cold";
	long long t0 = monotonic_ms();
	int rc = -1;
	if (c->from_template) {
		rc = factory_start_clone(c->rc, true, &sb, &sp, &err);
		if (rc < 0)
			kc_warn("cached VM %s: %s; booting cold", v->id, kc_error_msg(&err));
		else
			from = "template";
	}
	if (rc < 0) {
		kc_error_clear(&err);
		rc = sandbox_start(&sb, &sp, &err);
	}
	if (rc < 0) {
		kc_error_log("cached VM %s: %s", v->id, kc_error_msg(&err));
		return -1;
	}
	process_stop(sb.proxy_pid, sb.proxy_start, 0);
	sb.proxy_pid = 0;
	sb.proxy_start = 0;
	_cleanup_close_ int vmfd = sandbox_open_vm_dir(&sb);
	if (vmfd >= 0) {
		unlinkat(vmfd, "proxy.pid", 0);
		unlinkat(vmfd, "proxy.sock", 0);
	}
	v->state = CVM_READY;
	v->vm = sandbox_to_json(&sb);
	/* a create taking it skips what is done (sandbox.c) */
	json_object_set_new(v->vm, "guest_sandbox", json_true());
	rfc3339_now(v->since, sizeof(v->since));
	json_t *rec = record_of(v, from);
	rc = write_record(c->cdir, v->id, rec, &err);
	json_decref(rec);
	if (rc < 0) {
		kc_error_log("cached VM %s: %s", v->id, kc_error_msg(&err));
		sandbox_stop(&sb);
	} else {
		kc_info("cached VM %s ready (%s) in %lld ms", v->id, from, monotonic_ms() - t0);
	}
	sandbox_free(&sb);
	return rc;
}

static void start_boot(struct cache *c)
{
	if (c->nvms >= (int)ARRAY_SIZE(c->vms))
		return;
	struct cvm *v = &c->vms[c->nvms];
	memset(v, 0, sizeof(*v));
	snprintf(v->id, sizeof(v->id), "vmcache-%d-%u", (int)getpid(), ++c->seq);
	v->state = CVM_BOOTING;
	memcpy(v->key, c->key, sizeof(v->key));
	rfc3339_now(v->since, sizeof(v->since));
	/* recorded before anything is made: a crash leaves what destroy finds */
	_cleanup_error_ struct kc_error err = {0};
	json_t *rec = record_of(v, c->from_template ? "template" : "cold");
	int w = write_record(c->cdir, v->id, rec, &err);
	json_decref(rec);
	if (w < 0) {
		kc_error_log("%s", kc_error_msg(&err));
		c->retry_at = monotonic_ms() + RETRY_MAX_MS;
		return;
	}
	pid_t pid = fork_worker();
	if (pid < 0) {
		kc_error_log("fork: %s", strerror(errno));
		vmcache_stop_vm(c->cdir, c->dir, v->id);
		return;
	}
	if (pid == 0)
		_exit(boot_vm(c, v) < 0 ? 1 : 0);
	v->worker = pid;
	c->nvms++;
}

/* A VM gone, dead or not to be kept: stopped in a child, its record
 * removed once that is done (while it runs the VM counts for nothing). */
static void start_stop(struct cache *c, struct cvm *v)
{
	v->state = CVM_STOPPING;
	json_decref(v->vm);
	v->vm = NULL;
	pid_t pid = fork_worker();
	if (pid == 0) {
		vmcache_stop_vm(c->cdir, c->dir, v->id);
		_exit(0);
	}
	if (pid < 0) { /* stopped here, then */
		vmcache_stop_vm(c->cdir, c->dir, v->id);
		v->worker = 0;
		return;
	}
	v->worker = pid;
}

static void forget(struct cache *c, struct cvm *v)
{
	json_decref(v->vm);
	*v = c->vms[--c->nvms];
}

/* A boot that finished: its record says ready, or the VM is stopped. */
static void boot_done(struct cache *c, struct cvm *v, int status)
{
	char name[80];
	snprintf(name, sizeof(name), "%s.json", v->id);
	json_t *rec = WIFEXITED(status) && WEXITSTATUS(status) == 0
			  ? vmcache_read_record(c->cdir, name)
			  : NULL;
	json_t *vm = json_object_get(rec, "vm");
	if (json_is_object(vm) && strcmp(v->key, c->key)) {
		/* booted for a configuration the daemon no longer serves */
		kc_info("cached VM %s: of the configuration before; stopping it", v->id);
		start_stop(c, v);
	} else if (json_is_object(vm)) {
		v->state = CVM_READY;
		v->vm = json_incref(vm);
		v->qemu_pid = (pid_t)json_integer_value(json_object_get(vm, "qemu_pid"));
		v->qemu_start = (uint64_t)json_integer_value(json_object_get(vm, "qemu_start"));
		snprintf(v->since, sizeof(v->since), "%s",
			 json_string_value(json_object_get(rec, "since")) ?: "");
		c->consecutive = 0;
	} else {
		/* bounded back-off: a configuration that cannot boot does not
		 * make the daemon boot in a loop */
		c->failed++;
		c->consecutive++;
		long long wait = 1000LL << (c->consecutive < 6 ? c->consecutive : 6);
		c->retry_at = monotonic_ms() + (wait < RETRY_MAX_MS ? wait : RETRY_MAX_MS);
		kc_warn("cached VM %s did not boot (%d in a row): next try in %lld s", v->id,
			c->consecutive, (c->retry_at - monotonic_ms()) / 1000);
		start_stop(c, v);
	}
	json_decref(rec);
}

static void reap(struct cache *c)
{
	int wstatus;
	pid_t pid;
	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		for (int i = 0; i < c->nvms; i++) {
			struct cvm *v = &c->vms[i];
			if (v->worker != pid)
				continue;
			v->worker = 0;
			if (v->state == CVM_BOOTING)
				boot_done(c, v, wstatus);
			else if (v->state == CVM_STOPPING)
				forget(c, v);
			break;
		}
	}
	/* stopped in the daemon itself (fork failed) */
	for (int i = 0; i < c->nvms; i++)
		if (c->vms[i].state == CVM_STOPPING && !c->vms[i].worker)
			forget(c, &c->vms[i--]);
}

/* A ready VM whose QEMU has gone is replaced - never handed over. */
static void watch(struct cache *c)
{
	for (int i = 0; i < c->nvms; i++) {
		struct cvm *v = &c->vms[i];
		if (v->state == CVM_READY && !process_alive(v->qemu_pid, v->qemu_start)) {
			kc_warn("cached VM %s: QEMU (pid %d) has gone; replacing it", v->id,
				(int)v->qemu_pid);
			c->replaced++;
			start_stop(c, v);
		}
	}
}

/* A take that found no VM ready: the burst it belongs to raises the
 * target, so that the next one finds more. */
static void grow(struct cache *c)
{
	c->empty_takes++;
	c->last_empty = monotonic_ms();
	if (c->target < c->grow_max) {
		c->target++;
		kc_info("VM cache empty on a take: keeping %u ready (%u when quiet)", c->target,
			c->number);
	}
}

/* After a quiet GROW_HOLD_MS, the target steps back towards number, and
 * a VM beyond it is stopped: its memory goes back to the pods. */
static void shrink(struct cache *c, int live)
{
	long long now = monotonic_ms();
	if (c->target <= c->number || now - c->last_empty < c->hold_ms)
		return;
	c->target--;
	c->last_empty = now - c->hold_ms + c->hold_ms / 4; /* the next step, later */
	kc_info("VM cache quiet: keeping %u ready", c->target);
	for (int i = c->nvms - 1; i >= 0 && live > (int)c->target; i--)
		if (c->vms[i].state == CVM_READY) {
			start_stop(c, &c->vms[i]);
			live--;
		}
}

static void refill(struct cache *c)
{
	int live = 0;
	bool booting = false;
	for (int i = 0; i < c->nvms; i++) {
		booting |= c->vms[i].state == CVM_BOOTING;
		live += c->vms[i].state == CVM_READY;
	}
	shrink(c, live);
	if (booting)
		return; /* one boot at a time: the host's CPUs serve the pods first */
	if (live < (int)c->target && monotonic_ms() >= c->retry_at)
		start_boot(c);
}

/* ---- requests ---------------------------------------------------------------- */

/* Its QEMU runs and QMP says the guest does. */
static bool vm_runs(const struct cvm *v)
{
	if (!process_alive(v->qemu_pid, v->qemu_start))
		return false;
	struct sandbox sb = {0};
	if (sandbox_from_json(&sb, v->vm) < 0) {
		sandbox_free(&sb);
		return false;
	}
	_cleanup_free_ char *sock = sandbox_qmp_socket(&sb);
	sandbox_free(&sb);
	_cleanup_error_ struct kc_error err = {0};
	struct qmp q;
	if (qmp_connect(&q, sock, HEALTH_MS, &err) < 0)
		return false;
	json_t *st = qmp_execute(&q, "query-status", NULL, HEALTH_MS, &err);
	qmp_close(&q);
	bool running = json_is_true(json_object_get(st, "running"));
	json_decref(st);
	return running;
}

static bool client_gone(int fd)
{
	struct pollfd p = {fd, POLLRDHUP, 0};
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static json_t *error_answer(const char *fmt, ...) _printf_(1, 2);
static json_t *error_answer(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:s}", "error", msg);
}

/* Does a live create claim VM directory dir (vmcache.h)? A claim nobody
 * holds is a crashed create's: removed. */
static bool claimed(int cdir, const char *dir)
{
	char name[64];
	vmcache_claim_name(dir, name, sizeof(name));
	_cleanup_close_ int fd = openat(cdir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		unlinkat(cdir, name, 0);
		return false;
	}
	return errno == EWOULDBLOCK;
}

static json_t *take(struct cache *c, const json_t *req, int fd)
{
	const char *key = json_string_value(json_object_get(req, "key"));
	const char *dir = json_string_value(json_object_get(req, "dir"));
	if (!key || strcmp(key, c->key))
		return error_answer("its VMs are of another configuration (key %s, this one's %s): "
				    "kata-runtime factory destroy, then init, makes it this one's",
				    c->key, key ? key : "none");
	_cleanup_free_ char *to = xasprintf("%s/%s/%s", KC_RUN_DIR, KC_VM_DIRS, dir ? dir : "");
	if (!vm_dir_base(to))
		return error_answer("\"dir\" is not a VM directory's name");
	if (!claimed(c->cdir, dir))
		return error_answer(
		    "no create is waiting for VM directory %s (it holds no claim on "
		    "it): nothing handed over",
		    dir);
	int booting = 0;
	for (int i = 0; i < c->nvms; i++) {
		struct cvm *v = &c->vms[i];
		booting += v->state == CVM_BOOTING;
		if (v->state != CVM_READY || strcmp(v->key, c->key))
			continue;
		if (!vm_runs(v)) {
			kc_warn("cached VM %s does not run; replacing it", v->id);
			c->replaced++;
			start_stop(c, v);
			continue;
		}
		/* the client that hung up has gone on without a VM: nothing is
		 * renamed for it */
		if (client_gone(fd))
			return NULL;
		_cleanup_free_ char *from = sandbox_vm_dir(c->dir, v->id);
		_cleanup_close_ int dirs = sandbox_open_vm_dirs(false);
		if (dirs < 0)
			return error_answer("%s/%s: %s", KC_RUN_DIR, KC_VM_DIRS, strerror(-dirs));
		if (renameat2(dirs, vm_dir_base(from), dirs, dir, RENAME_NOREPLACE) < 0) {
			int e = errno;
			return error_answer("hand over %s: %s%s", v->id, strerror(e),
					    e == EEXIST ? " (the sandbox's VM directory exists)"
							: "");
		}
		/* the VM is the sandbox's from here: forgotten, never stopped */
		json_t *ans = json_pack("{s:O}", "vm", v->vm);
		char name[80];
		snprintf(name, sizeof(name), "%s.json", v->id);
		unlinkat(c->cdir, name, 0);
		kc_info("cached VM %s handed over (VM directory %s)", v->id, dir);
		c->handed++;
		forget(c, v);
		return ans;
	}
	grow(c);
	return error_answer("empty (%d VM%s booting; keeping %u ready from now on)", booting,
			    booting == 1 ? "" : "s", c->target);
}

static json_t *status(const struct cache *c)
{
	json_t *vms = json_array();
	for (int i = 0; i < c->nvms; i++) {
		const struct cvm *v = &c->vms[i];
		json_t *j = json_pack("{s:s, s:s, s:s}", "id", v->id, "state",
				      state_names[v->state], "since", v->since);
		if (v->vm) {
			json_object_set_new(j, "qemu_pid", json_integer(v->qemu_pid));
			json_object_set(j, "vcpus", json_object_get(v->vm, "vcpus"));
			json_object_set(j, "memory_mib", json_object_get(v->vm, "memory_mib"));
		}
		json_array_append_new(vms, j);
	}
	json_t *st =
	    json_pack("{s:b, s:s, s:i, s:i, s:i, s:i, s:s, s:s, s:s, s:i, s:i, s:i, s:i, "
		      "s:o}",
		      "running", true, "endpoint", c->rc->cfg->factory.vm_cache_endpoint, "pid",
		      (int)getpid(), "number", c->number, "target", c->target, "grow_max",
		      c->grow_max, "key", c->key, "from", c->from_template ? "template" : "cold",
		      "started", c->started, "handed_out", c->handed, "empty_takes", c->empty_takes,
		      "replaced", c->replaced, "failed_boots", c->failed, "vms", vms);
	if (c->sized[0])
		json_object_set_new(st, "sized", json_string(c->sized));
	return st;
}

static void serve_one(struct cache *c)
{
	int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	_cleanup_error_ struct kc_error err = {0};
	json_t *req = vmcache_recv(fd, REQUEST_MS, &err);
	const char *op = json_string_value(json_object_get(req, "op"));
	json_t *ans = NULL;
	if (!req)
		ans = error_answer("bad request: %s", kc_error_msg(&err));
	else if (op && !strcmp(op, "take"))
		ans = take(c, req, fd);
	else if (op && !strcmp(op, "status"))
		ans = status(c);
	else
		ans = error_answer("unknown op (take, status)");
	if (ans)
		vmcache_send(fd, ans);
	json_decref(ans);
	json_decref(req);
	close(fd);
}

/* ---- start and stop ----------------------------------------------------------- */

/* What the endpoint must be, checked before anything is made for it. */
static int check_endpoint(const char *path, struct kc_error *err)
{
	struct sockaddr_un sa;
	if (!path || path[0] != '/')
		return kc_error_set(err, 0, "[factory] vm_cache_endpoint must be an absolute path");
	if (strlen(path) >= sizeof(sa.sun_path))
		return kc_error_set(err, 0, "[factory] vm_cache_endpoint %s is too long", path);
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return kc_error_set(
		    err, 0, "[factory] vm_cache_endpoint %s exists and is not a socket", path);
	return 0;
}

static int listen_endpoint(const char *path, struct kc_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, path);
	/* its directory (/run/kata-containers by default), made root's */
	char *parent = xstrdup(path);
	for (char *s = strchr(parent + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(parent, 0700);
		*s = '/';
	}
	free(parent);
	/* a socket left by a daemon that died (we hold the lock): replaced;
	 * anything else there is not ours */
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return kc_error_set(
			    err, 0, "[factory] vm_cache_endpoint %s exists and is not a socket",
			    path);
		unlink(path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return kc_error_set(err, errno, "socket");
	mode_t old = umask(0177);
	int b = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (b < 0 || listen(fd, 64) < 0) {
		int e = errno;
		close(fd);
		return kc_error_set(err, e, "listen on %s", path);
	}
	return fd;
}

static int open_cache_dir(struct cache *c, bool *locked, struct kc_error *err)
{
	if (mkdir(KC_RUN_DIR, 0711) < 0 && errno != EEXIST)
		return kc_error_set(err, errno, "%s", KC_RUN_DIR);
	if (mkdir(VMCACHE_DIR, 0700) < 0 && errno != EEXIST)
		return kc_error_set(err, errno, "%s", VMCACHE_DIR);
	if (mkdir(c->dir, 0700) < 0 && errno != EEXIST)
		return kc_error_set(err, errno, "%s", c->dir);
	c->cdir = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (c->cdir < 0)
		return kc_error_set(err, errno, "%s", c->dir);
	c->lock = openat(c->cdir, "lock", O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (c->lock < 0)
		return kc_error_set(err, errno, "%s/lock", c->dir);
	if (flock(c->lock, LOCK_EX | LOCK_NB) < 0)
		return kc_error_set(err, 0, "a VM cache already serves %s",
				    c->rc->cfg->factory.vm_cache_endpoint);
	*locked = true;
	return 0;
}

/* The daemon keeps nothing of its caller's but its own descriptors (a
 * test harness or a shell waits for the ones it gave to close). */
static void close_inherited(const struct cache *c)
{
	int keep[] = {c->cdir, c->lock, c->listen_fd};
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	int fds[256], n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < (int)ARRAY_SIZE(fds)) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd <= 2 || fd == dirfd(d))
			continue;
		bool ours = false;
		for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
			ours |= keep[i] == fd;
		if (!ours)
			fds[n++] = fd;
	}
	closedir(d);
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/* What a daemon that died left: its VMs are stopped (those still its). */
static void clear_leftovers(struct cache *c)
{
	char ids[VMCACHE_MAX * 2][64];
	int n = vmcache_list_ids(c->cdir, ids, VMCACHE_MAX * 2);
	for (int i = 0; i < n; i++) {
		kc_info("stopping cached VM %s, left by a daemon that died", ids[i]);
		vmcache_stop_vm(c->cdir, c->dir, ids[i]);
	}
}

static int write_daemon_json(struct cache *c, struct kc_error *err)
{
	json_t *j =
	    json_pack("{s:i, s:I, s:s, s:i, s:s, s:s, s:s}", "pid", (int)getpid(), "start",
		      (json_int_t)process_start_time(getpid()), "endpoint",
		      c->rc->cfg->factory.vm_cache_endpoint, "number", c->number, "key", c->key,
		      "from", c->from_template ? "template" : "cold", "started", c->started);
	char *text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	int rc =
	    write_atomic_at(c->cdir, "daemon.json", "daemon.json", text, strlen(text), 0600, err);
	free(text);
	return rc;
}

/* Every VM still the cache's stopped (in parallel), every record gone. */
static void shut_down(struct cache *c)
{
	kc_info("VM cache stopping: %d VM(s) to stop", c->nvms);
	for (int i = 0; i < c->nvms; i++)
		if (c->vms[i].state == CVM_BOOTING && c->vms[i].worker > 0)
			kill(c->vms[i].worker, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	for (int i = 0; i < c->nvms; i++)
		start_stop(c, &c->vms[i]);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	clear_leftovers(c); /* a stopper that did not finish */
	for (int i = 0; i < c->nvms; i++)
		json_decref(c->vms[i].vm);
	c->nvms = 0;
	unlink(c->rc->cfg->factory.vm_cache_endpoint);
	unlinkat(c->cdir, "daemon.json", 0);
}

/* What rc makes of the cache: its size ("auto": the host's), the bound of
 * its growth, where its VMs come from, their configuration's key. 1 when
 * it serves; 0 when "auto" keeps none here (c->sized says why); -1 with
 * err when rc cannot have a cache. */
static int configure(struct cache *c, const struct rtconfig *rc, struct kc_error *err)
{
	const struct kc_config *cfg = rc->cfg;
	const char *why = NULL;
	unsigned number = cfg->factory.vm_cache_number;
	c->sized[0] = '\0';
	if (number == VM_CACHE_AUTO) {
		char how[200];
		/* "auto" asks for what the host can serve: a configuration no
		 * cache serves is none, as a host too small is (the service
		 * then stops, and is not started again in a loop) */
		if (!factory_usable(cfg, 0, &why)) {
			snprintf(c->sized, sizeof(c->sized),
				 "vm_cache_number = \"auto\": none for this configuration: %s",
				 why);
			return 0;
		}
		number = rules_vm_cache_size(&rc->facts->res, rules_runs_tcg(rc->facts, rc->accel),
					     cfg->hypervisor.default_memory, how, sizeof(how));
		snprintf(c->sized, sizeof(c->sized), "vm_cache_number = \"auto\": %s", how);
		if (!number)
			return 0;
	}
	if (!number)
		return kc_error_set(err, 0, "[factory] vm_cache_number is 0: no VM cache");
	if (number > VMCACHE_MAX)
		return kc_error_set(err, 0, "[factory] vm_cache_number %u: at most %d", number,
				    VMCACHE_MAX);
	if (!factory_usable(cfg, 0, &why))
		return kc_error_set(err, 0, "vm cache: not for this configuration: %s", why);
	c->number = c->target = number;
	c->grow_max = number * 2 < VMCACHE_MAX ? number * 2 : VMCACHE_MAX;
	c->from_template = cfg->factory.enable_template;
	factory_key(rc, c->key);
	return 1;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The configuration file it serves, edited: its VMs follow it. Those of
 * the configuration before are stopped (a ready one now, a booting one
 * once it is up) and the new configuration's boot in their place. A file
 * that does not load changes nothing; one that moves the endpoint stops
 * the daemon for the service manager to start it there, and one that
 * turns the cache off stops it. */
static void follow_config(struct cache *c)
{
	long long now = monotonic_ms();
	struct stat st;
	if (!c->conf_path || now < c->next_conf_check)
		return;
	c->next_conf_check = now + CONF_CHECK_MS;
	if (stat(c->conf_path, &st) < 0 || same_file(&st, &c->conf_st))
		return;
	c->conf_st = st;
	struct rtconfig *next = xmalloc(sizeof(*next));
	_cleanup_error_ struct kc_error err = {0};
	if (rtconfig_load(next, c->conf_path, &err) < 0) {
		kc_warn("%s changed, but: %s; the cache goes on with the configuration before",
			c->conf_path, kc_error_msg(&err));
		rtconfig_free(next);
		free(next);
		return;
	}
	const char *endpoint = c->rc->cfg->factory.vm_cache_endpoint;
	if (strcmp(next->cfg->factory.vm_cache_endpoint, endpoint)) {
		kc_warn("%s changed: the VM cache's endpoint is %s now, not %s; this daemon stops "
			"(the service manager, or kata-runtime factory init, starts it there)",
			c->conf_path, next->cfg->factory.vm_cache_endpoint, endpoint);
		c->restart = true;
		quit = 1;
	} else {
		char old_key[FACTORY_KEY_LEN + 1];
		memcpy(old_key, c->key, sizeof(old_key));
		int r = configure(c, next, &err);
		if (r <= 0) {
			kc_warn("%s changed: %s; the VM cache stops", c->conf_path,
				r == 0 ? c->sized : kc_error_msg(&err));
			quit = 1;
		} else {
			int stale = 0;
			for (int i = 0; i < c->nvms; i++)
				if (c->vms[i].state == CVM_READY && strcmp(c->vms[i].key, c->key)) {
					start_stop(c, &c->vms[i]);
					stale++;
				}
			kc_info("%s changed: serving configuration %s, %u VM(s) %s%s%s; %d VM(s) "
				"of configuration %s stopped",
				c->conf_path, c->key, c->number,
				c->from_template ? "from its template" : "booted cold",
				c->sized[0] ? "; " : "", c->sized, stale, old_key);
			c->retry_at = 0;
			c->consecutive = 0;
		}
	}
	if (quit) {
		rtconfig_free(next);
		free(next);
		return;
	}
	c->rc = next;
	if (c->owned) {
		rtconfig_free(c->owned);
		free(c->owned);
	}
	c->owned = next;
	_cleanup_error_ struct kc_error werr = {0};
	if (write_daemon_json(c, &werr) < 0)
		kc_error_log("%s", kc_error_msg(&werr));
}

static void serve_loop(struct cache *c)
{
	kc_info("VM cache serving %s: %u VM(s) of configuration %s, %s%s%s",
		c->rc->cfg->factory.vm_cache_endpoint, c->number, c->key,
		c->from_template ? "from its template" : "booted cold", c->sized[0] ? "; " : "",
		c->sized);
	while (!quit) {
		reap(c);
		follow_config(c);
		if (quit)
			break;
		watch(c);
		refill(c);
		struct pollfd p = {c->listen_fd, POLLIN, 0};
		if (poll(&p, 1, LOOP_MS) > 0 && !quit)
			serve_one(c);
	}
	shut_down(c);
}

int vmcache_serve(const struct rtconfig *rc, bool foreground, struct kc_error *err)
{
	const struct kc_config *cfg = rc->cfg;
	struct cache c = {.rc = rc, .cdir = -1, .lock = -1, .listen_fd = -1};
	c.conf_path = rc->a.config->src.path;
	if (c.conf_path && stat(c.conf_path, &c.conf_st) < 0)
		c.conf_path = NULL;
	const char *hold = getenv(HOLD_ENV);
	c.hold_ms = hold && *hold ? atoll(hold) : GROW_HOLD_MS;
	int sized = configure(&c, rc, err);
	if (sized <= 0) {
		if (sized == 0) /* not an error: creates use the template, or boot */
			printf("vm cache: not started: %s\n", c.sized);
		return sized;
	}
	rfc3339_now(c.started, sizeof(c.started));
	if (foreground && !kc_log_level_enabled(KC_LOG_INFO))
		kc_log_set_level(KC_LOG_INFO); /* a daemon says what it does */
	if (check_endpoint(cfg->factory.vm_cache_endpoint, err) < 0)
		return -1;
	c.dir = vmcache_dir(cfg->factory.vm_cache_endpoint);
	int rc_ = -1;
	bool locked = false;
	if (open_cache_dir(&c, &locked, err) < 0)
		goto out;
	clear_leftovers(&c);
	c.listen_fd = listen_endpoint(cfg->factory.vm_cache_endpoint, err);
	if (c.listen_fd < 0)
		goto out;
	if (!foreground) {
		/* the background: listening already, so a create asking from
		 * now on is queued; the log goes to daemon.log */
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			kc_error_set(err, errno, "fork");
			goto out;
		}
		if (pid > 0) {
			printf("vm cache: serving %s with %u VM(s), daemon pid %d, log "
			       "%s/daemon.log\n",
			       cfg->factory.vm_cache_endpoint, c.number, (int)pid, c.dir);
			close(c.listen_fd);
			close(c.lock);
			close(c.cdir);
			free(c.dir);
			return 0;
		}
		setsid();
		close_inherited(&c);
		_cleanup_free_ char *log = xasprintf("%s/daemon.log", c.dir);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (null >= 0)
			dup2(null, 0);
		if (lfd >= 0) {
			dup2(lfd, 1);
			dup2(lfd, 2);
		}
		if (null > 2)
			close(null);
		if (lfd > 2)
			close(lfd);
		/* without --log, what it does goes to daemon.log */
		if (kc_log_to_stderr())
			kc_log_init("kata-runtime", log, false,
				    kc_log_level_enabled(KC_LOG_DEBUG) ? KC_LOG_DEBUG
								       : KC_LOG_INFO);
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (write_daemon_json(&c, err) < 0) {
		shut_down(&c);
		goto out;
	}
	serve_loop(&c);
	rc_ = c.restart ? kc_error_set(err, 0, "the VM cache's endpoint changed: stopped") : 0;
	if (c.owned) {
		rtconfig_free(c.owned);
		free(c.owned);
	}
	if (!foreground)
		_exit(rc_ < 0 ? 1 : 0);
out:
	if (c.listen_fd >= 0)
		close(c.listen_fd);
	if (rc_ < 0 && locked) {
		/* it never served: nothing of it stays */
		unlinkat(c.cdir, "daemon.json", 0);
		unlinkat(c.cdir, "lock", 0);
		rmdir(c.dir);
		rmdir(VMCACHE_DIR);
	}
	if (c.lock >= 0)
		close(c.lock);
	if (c.cdir >= 0)
		close(c.cdir);
	free(c.dir);
	return rc_;
}
