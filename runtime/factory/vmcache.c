/* The VM cache's client side: taking a VM, the status, destroying it
 * (see vmcache.h; the daemon is vmcache_daemon.c). */
#include "vmcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "clock.h"
#include "daemon.h"
#include "fs.h"
#include "log.h"
#include "strbuf.h"
#include "strutil.h"
#include "vm_dir.h"
#include "xalloc.h"

#define LINE_MAX_BYTES (256 * 1024)
/* a take is a QMP check and a rename: this is a daemon that is stuck */
#define TAKE_MS	       10000
#define STATUS_MS      3000
#define DAEMON_STOP_MS 60000

char *vmcache_dir(const char *endpoint)
{
	uint64_t h = fnv1a_str(FNV1A_INIT, endpoint ? endpoint : "");
	return xasprintf("%s/%016llx", VMCACHE_DIR, (unsigned long long)h);
}

/* ---- the line protocol ------------------------------------------------------ */

int vmcache_send(int fd, const json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	if (!text)
		return -1;
	struct strbuf line = STRBUF_INIT;
	strbuf_appendf(&line, "%s\n", text);
	free(text);
	size_t off = 0;
	int rc = 0;
	while (off < line.len) {
		ssize_t n = send(fd, line.s + off, line.len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)n;
	}
	strbuf_release(&line);
	return rc;
}

json_t *vmcache_recv(int fd, int timeout_ms, struct kc_error *err)
{
	struct strbuf in = STRBUF_INIT;
	long long end = monotonic_ms() + timeout_ms;
	json_t *j = NULL;
	for (;;) {
		char *nl = in.s ? memchr(in.s, '\n', in.len) : NULL;
		if (nl) {
			*nl = '\0';
			json_error_t jerr;
			j = json_loads(in.s, 0, &jerr);
			if (!json_is_object(j)) {
				json_decref(j);
				j = NULL;
				kc_error_set(err, 0, "a message that is not a JSON object: %s",
					     jerr.text);
			}
			break;
		}
		long long left = end - monotonic_ms();
		struct pollfd p = {fd, POLLIN, 0};
		int r = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			kc_error_set(err, ETIMEDOUT, "no answer within %d ms", timeout_ms);
			break;
		}
		char buf[4096];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			kc_error_set(err, n < 0 ? errno : 0, "the connection ended");
			break;
		}
		if (in.len + (size_t)n > LINE_MAX_BYTES) {
			kc_error_set(err, EMSGSIZE, "a message of more than %d bytes",
				     LINE_MAX_BYTES);
			break;
		}
		strbuf_append_len(&in, buf, (size_t)n);
	}
	strbuf_release(&in);
	return j;
}

/* ---- taking a VM ------------------------------------------------------------ */

static int connect_endpoint(const char *endpoint, struct kc_error *err)
{
	if (!endpoint || endpoint[0] != '/')
		return kc_error_set(err, 0, "[factory] vm_cache_endpoint must be an absolute path");
	int fd = unix_connect_nofollow(endpoint);
	if (fd == -ENOENT)
		return kc_error_set(
		    err, 0, "no VM cache at %s (kata-runtime factory init starts one)", endpoint);
	if (fd == -ECONNREFUSED)
		return kc_error_set(err, 0, "the VM cache at %s is not running", endpoint);
	if (fd < 0)
		return kc_error_set(err, -fd, "the VM cache at %s", endpoint);
	return fd;
}

static bool vm_dir_exists(const char *vm_dir)
{
	_cleanup_close_ int dirs = sandbox_open_vm_dirs(false);
	return dirs >= 0 && faccessat(dirs, vm_dir_base(vm_dir), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The answer did not come: a VM renamed to the sandbox's directory all
 * the same is the sandbox's, and is stopped before the create goes on -
 * unless that directory was there before it asked (then the daemon's
 * rename failed, and what is there is not the cache's). */
static void stop_unanswered(const char *id, const char *vm_dir, bool existed)
{
	if (existed || !vm_dir_exists(vm_dir))
		return;
	kc_warn("the VM cache handed a VM over without answering: stopping it");
	struct sandbox sb = {.id = (char *)id, .vm_dir = (char *)vm_dir};
	sandbox_stop(&sb);
}

void vmcache_claim_name(const char *dir, char *buf, size_t size)
{
	snprintf(buf, size, "%s.take", dir);
}

/* The claim on a VM directory (vmcache.h): made or reused, and locked
 * until release_claim. */
struct claim {
	int cdir, fd;
	char name[64];
};

static int make_claim(const char *endpoint, const char *dir, struct claim *cl, struct kc_error *err)
{
	_cleanup_free_ char *path = vmcache_dir(endpoint);
	cl->fd = -1;
	cl->cdir = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cl->cdir < 0)
		return kc_error_set(err, errno, "the VM cache's directory %s", path);
	vmcache_claim_name(dir, cl->name, sizeof(cl->name));
	cl->fd = openat(cl->cdir, cl->name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
			0600);
	struct stat st;
	if (cl->fd < 0 || fstat(cl->fd, &st) < 0 || flock(cl->fd, LOCK_EX) < 0)
		return kc_error_set(err, errno, "claim %s/%s", path, cl->name);
	if (!S_ISREG(st.st_mode))
		return kc_error_set(err, 0, "claim %s/%s: not a regular file", path, cl->name);
	return 0;
}

static void release_claim(struct claim *cl)
{
	if (cl->fd >= 0) {
		unlinkat(cl->cdir, cl->name, 0);
		close(cl->fd);
	}
	if (cl->cdir >= 0)
		close(cl->cdir);
	cl->fd = cl->cdir = -1;
}

/* The exchange itself, the claim held. */
static int ask_take(int fd, const char *endpoint, const char *key, const char *id,
		    const char *vm_dir, bool existed, json_t **vm, struct kc_error *err)
{
	json_t *req =
	    json_pack("{s:s, s:s, s:s}", "op", "take", "key", key, "dir", vm_dir_base(vm_dir));
	int sent = vmcache_send(fd, req);
	json_decref(req);
	if (sent < 0)
		return kc_error_set(err, errno, "the VM cache at %s", endpoint);
	json_t *ans = vmcache_recv(fd, TAKE_MS, err);
	if (!ans) {
		/* hung up first: from here on the daemon renames nothing */
		shutdown(fd, SHUT_RDWR);
		stop_unanswered(id, vm_dir, existed);
		return kc_error_wrap(err, "the VM cache at %s", endpoint);
	}
	const char *why = json_string_value(json_object_get(ans, "error"));
	json_t *v = json_object_get(ans, "vm");
	int rc = 0;
	if (why || !json_is_object(v)) {
		rc = kc_error_set(err, 0, "the VM cache at %s: %s", endpoint,
				  why ? why : "an answer without a VM");
		if (!why)
			stop_unanswered(id, vm_dir, existed);
	} else {
		*vm = json_incref(v);
	}
	json_decref(ans);
	return rc;
}

int vmcache_take(const struct kc_config *cfg, const char *key, const char *root, const char *id,
		 json_t **vm, struct kc_error *err)
{
	*vm = NULL;
	const char *endpoint = cfg->factory.vm_cache_endpoint;
	_cleanup_close_ int fd = connect_endpoint(endpoint, err);
	if (fd < 0)
		return -1;
	_cleanup_free_ char *vm_dir = sandbox_vm_dir(root, id);
	bool existed = vm_dir_exists(vm_dir);
	struct claim cl;
	if (make_claim(endpoint, vm_dir_base(vm_dir), &cl, err) < 0) {
		release_claim(&cl);
		return kc_error_wrap(err, "the VM cache at %s", endpoint);
	}
	int rc = ask_take(fd, endpoint, key, id, vm_dir, existed, vm, err);
	release_claim(&cl);
	return rc;
}

/* ---- the records --------------------------------------------------------------- */

static bool is_record(const char *name, char *id, size_t size)
{
	size_t n = strlen(name);
	if (n < 6 || n - 5 >= size || strcmp(name + n - 5, ".json") || name[0] == '.' ||
	    !strcmp(name, "daemon.json"))
		return false;
	memcpy(id, name, n - 5);
	id[n - 5] = '\0';
	for (const char *c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
			return false;
	return true;
}

int vmcache_list_ids(int cdir, char (*ids)[64], int max)
{
	int dup = fcntl(cdir, F_DUPFD_CLOEXEC, 0);
	DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
	if (!d) {
		if (dup >= 0)
			close(dup);
		return 0;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max)
		if (is_record(e->d_name, ids[n], sizeof(ids[n])))
			n++;
	closedir(d);
	return n;
}

void vmcache_stop_vm(int cdir, const char *cache_dir, const char *id)
{
	_cleanup_free_ char *vm_dir = sandbox_vm_dir(cache_dir, id);
	/* handed over (renamed) or never made: not the cache's to stop - and
	 * the QEMU a sandbox now owns still names this path */
	if (vm_dir_exists(vm_dir)) {
		struct sandbox sb = {.id = (char *)id, .vm_dir = vm_dir};
		sandbox_stop(&sb);
	}
	char name[80];
	snprintf(name, sizeof(name), "%s.json", id);
	unlinkat(cdir, name, 0);
}

json_t *vmcache_read_record(int cdir, const char *name)
{
	_cleanup_close_ int fd = openat(cdir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	_cleanup_free_ char *text = NULL;
	if (fd < 0 || read_fd_regular(fd, LINE_MAX_BYTES, &text, NULL) < 0)
		return NULL;
	json_t *j = json_loads(text, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* ---- status -------------------------------------------------------------------- */

json_t *vmcache_status(const struct kc_config *cfg)
{
	const char *endpoint = cfg->factory.vm_cache_endpoint;
	_cleanup_error_ struct kc_error err = {0};
	_cleanup_close_ int fd = connect_endpoint(endpoint, &err);
	if (fd >= 0) {
		json_t *req = json_pack("{s:s}", "op", "status");
		int sent = vmcache_send(fd, req);
		json_decref(req);
		json_t *ans = NULL;
		if (sent < 0)
			kc_error_set(&err, errno, "the VM cache at %s", endpoint);
		else if (!(ans = vmcache_recv(fd, STATUS_MS, &err)))
			kc_error_wrap(&err, "the VM cache at %s does not answer", endpoint);
		if (ans)
			return ans;
	}
	json_t *j = json_pack("{s:b, s:s, s:s}", "running", false, "endpoint", endpoint ?: "",
			      "why", kc_error_msg(&err));
	/* what a daemon that died left */
	_cleanup_free_ char *dir = vmcache_dir(endpoint);
	_cleanup_close_ int cdir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	json_t *vms = json_array();
	char ids[VMCACHE_MAX * 2][64];
	int n = cdir >= 0 ? vmcache_list_ids(cdir, ids, VMCACHE_MAX * 2) : 0;
	for (int i = 0; i < n; i++) {
		char name[80];
		snprintf(name, sizeof(name), "%.63s.json", ids[i]); /* ids are < 64 bytes */
		json_t *r = vmcache_read_record(cdir, name);
		json_array_append_new(
		    vms, r ? r : json_pack("{s:s, s:s}", "id", ids[i], "state", "unreadable"));
	}
	json_object_set_new(j, "vms", vms);
	return j;
}

/* ---- destroy ------------------------------------------------------------------- */

/* The daemon asked to stop (it stops its VMs), waited for: its lock is
 * free once it has gone. Killed when it does not go in time. */
static void stop_daemon(int cdir, const char *dir)
{
	_cleanup_close_ int lock = openat(cdir, "lock", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) == 0)
		return; /* no daemon */
	/* the lock's holder is the daemon daemon.json names - or, while a
	 * daemon starts (it clears what a dead one left before it writes its
	 * own record), the one that will: the record is read again until a
	 * live daemon is found and told to stop */
	pid_t pid = 0;
	uint64_t start = 0;
	bool told = false;
	long long end = monotonic_ms() + DAEMON_STOP_MS;
	do {
		if (!told) {
			json_t *d = vmcache_read_record(cdir, "daemon.json");
			pid = (pid_t)json_integer_value(json_object_get(d, "pid"));
			start = (uint64_t)json_integer_value(json_object_get(d, "start"));
			json_decref(d);
			if (pid > 0 && process_alive(pid, start)) {
				kill(pid, SIGTERM);
				told = true;
			}
		}
		usleep(20000);
	} while (flock(lock, LOCK_EX | LOCK_NB) < 0 && monotonic_ms() < end);
	if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
		kc_warn("the VM cache daemon (pid %d) did not stop: killing it", (int)pid);
		if (pid > 0)
			process_stop(pid, start, 0);
		if (flock(lock, LOCK_EX | LOCK_NB) < 0)
			kc_warn("%s: still locked", dir);
	}
}

/* Claims that crashed creates left (no daemon is left to hand anything
 * over against them). */
static void remove_stale_claims(int cdir)
{
	_cleanup_close_ int fd = openat(cdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d)
		(void)kc_steal_fd(&fd); /* the DIR has it */
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 5 && !strcmp(e->d_name + n - 5, ".take") && e->d_name[0] != '.')
			unlinkat(cdir, e->d_name, 0);
	}
}

int vmcache_destroy(const struct kc_config *cfg, struct kc_error *err)
{
	const char *endpoint = cfg->factory.vm_cache_endpoint;
	_cleanup_free_ char *dir = vmcache_dir(endpoint);
	_cleanup_close_ int cdir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (cdir < 0) {
		if (errno == ENOENT)
			return 0; /* no cache was ever started for this endpoint */
		return kc_error_set(err, errno, "%s", dir);
	}
	stop_daemon(cdir, dir);
	char ids[VMCACHE_MAX * 2][64];
	int n;
	/* a pass at a time (the list is bounded); each removes its records */
	for (int pass = 0; pass < 8 && (n = vmcache_list_ids(cdir, ids, VMCACHE_MAX * 2)) > 0;
	     pass++)
		for (int i = 0; i < n; i++)
			vmcache_stop_vm(cdir, dir, ids[i]);
	/* the endpoint, if it is still a socket (never anything else there) */
	struct stat st;
	if (endpoint && lstat(endpoint, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(endpoint);
	static const char *const files[] = {"daemon.json", "daemon.log", "lock"};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		unlinkat(cdir, files[i], 0);
	remove_stale_claims(cdir);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return kc_error_set(err, errno, "%s: entries kept", dir);
	rmdir(VMCACHE_DIR); /* when it was the only cache */
	return 0;
}
