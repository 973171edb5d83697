/* VM templates (see factory.h). */
#include "factory.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "beneath.h"
#include "clock.h"
#include "config_validate.h"
#include "crash.h"
#include "daemon.h"
#include "fs.h"
#include "log.h"
#include "qemu.h"
#include "rules.h"
#include "sandbox.h"
#include "state.h"
#include "strbuf.h"
#include "strutil.h"
#include "template.h"
#include "vfio.h"
#include "xalloc.h"

#define BUILD_DIR      ".build"
#define LOCK_FILE      ".lock"
#define PARENTS_FILE   ".parents" /* the parents open_factory made, one per line */
#define TEMPLATE_VM_ID "kata-factory-template"
#define INFO_MAX       4096

bool factory_usable(const struct kc_config *cfg, int nvfio, const char **why)
{
	const char *no = config_template_blocker(cfg);
	if (!no && nvfio)
		no = "the container passes host devices (VFIO), which a saved state cannot hold";
	if (why)
		*why = no;
	return !no;
}

/* ---- the key --------------------------------------------------------------- */

static uint64_t hash_identity(uint64_t h, const char *path)
{
	struct stat st;
	if (!path || stat(path, &st) < 0)
		return fnv1a(h, "missing", 7);
	uint64_t v[] = {(uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size,
			(uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec};
	return fnv1a(h, v, sizeof(v));
}

static unsigned template_vcpus(const struct kc_config *cfg)
{
	return cfg->hypervisor.default_vcpus > 0 ? (unsigned)cfg->hypervisor.default_vcpus : 1;
}

/* QEMU's command line for a template VM, its paths placeholders: what a
 * VM started from it must be given, the same in all but paths. */
static void compute_key(const struct rtconfig *rc, char key[FACTORY_KEY_LEN + 1])
{
	const struct kc_config *cfg = rc->cfg;
	unsigned vcpus = template_vcpus(cfg);
	struct qemu_params qp = {
	    .cfg = cfg,
	    .accel = rc->accel,
	    .name = "template",
	    .vm_dir = "/template",
	    .shared_dir = "/template/shared",
	    .virtiofsd_socket = "/template/vfsd.sock",
	    .vcpus = vcpus,
	    .maxvcpus = sandbox_maxvcpus(rc, vcpus),
	    .memory_mib = cfg->hypervisor.default_memory,
	    .host_memory_mib = rc->host_memory_mib,
	    .tsc_khz = rc->tsc_khz,
	    .template_memory = "/template/memory",
	};
	vfio_port_reserve(rc->facts, &qp.mmio);
	char **argv = qemu_build_argv(&qp);
	uint64_t h = FNV1A_INIT;
	for (char **a = argv; *a; a++)
		h = fnv1a(h, *a, strlen(*a) + 1);
	strv_free(argv);
	/* and what the command line names but does not hold: the kernel,
	 * the initrd (with the agent), the firmware, and QEMU itself (a
	 * saved state loads only into the QEMU that saved it) */
	h = hash_identity(h, cfg->hypervisor.kernel);
	h = hash_identity(h, cfg->hypervisor.initrd);
	h = hash_identity(h, cfg->hypervisor.firmware && *cfg->hypervisor.firmware
				 ? cfg->hypervisor.firmware
				 : NULL);
	h = hash_identity(h, cfg->hypervisor.path);
	/* and how a cached VM mounts the share before it is taken: a create
	 * that wants another msize must not get one mounted with the old */
	char share[64];
	snprintf(share, sizeof(share), "%s msize=%u",
		 cfg->hypervisor.shared_fs ? cfg->hypervisor.shared_fs : "",
		 cfg->hypervisor.msize_9p);
	h = fnv1a(h, share, strlen(share) + 1);
	snprintf(key, FACTORY_KEY_LEN + 1, "%016llx", (unsigned long long)h);
}

void factory_key(const struct rtconfig *rc, char key[FACTORY_KEY_LEN + 1])
{
	compute_key(rc, key);
}

static bool is_key(const char *name)
{
	if (strlen(name) != FACTORY_KEY_LEN)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* ---- the directory ---------------------------------------------------------- */

/* template_path, made (0700, parents too) when make. */
static int open_factory(const struct kc_config *cfg, bool make, struct kc_error *err)
{
	const char *dir = cfg->factory.template_path;
	if (!dir || dir[0] != '/')
		return kc_error_set(err, EINVAL,
				    "[factory] template_path must be an absolute path");
	struct strbuf made = STRBUF_INIT;
	if (make) {
		char *p = xstrdup(dir);
		for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
			if (s)
				*s = '\0';
			if (mkdir(p, 0700) == 0 && s)
				strbuf_appendf(&made, "%s\n", p);
			else if (errno != EEXIST && s) {
				int e = errno;
				free(p);
				strbuf_release(&made);
				return kc_error_set(err, e, "[factory] template_path %s", dir);
			}
			if (!s)
				break;
			*s = '/';
		}
		free(p);
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		strbuf_release(&made);
		return kc_error_set(err, errno, "[factory] template_path %s", dir);
	}
	/* the parents made here go with the factory (factory_destroy), and no
	 * directory that was there before */
	if (made.len) {
		int pf = openat(fd, PARENTS_FILE,
				O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (pf >= 0) {
			if (write(pf, made.s, made.len) < 0)
				kc_warn("%s/" PARENTS_FILE ": %s", dir, strerror(errno));
			close(pf);
		}
	}
	strbuf_release(&made);
	return fd;
}

static int lock_factory(int dfd, struct kc_error *err)
{
	int fd = openat(dfd, LOCK_FILE, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return kc_error_set(err, e, "lock the VM factory");
	}
	return fd;
}

static void fill_paths(struct factory_template *t, const char *dir)
{
	t->dir = xasprintf("%s/%s", dir, t->key);
	t->memory = xasprintf("%s/memory", t->dir);
	t->state = xasprintf("%s/state", t->dir);
}

/* KEY/info.json read into t; -1 when the template is not whole. */
static int read_info(int dfd, struct factory_template *t)
{
	char name[64];
	snprintf(name, sizeof(name), "%s/state", t->key);
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) || !st.st_size)
		return -1;
	snprintf(name, sizeof(name), "%s/memory", t->key);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return -1;
	snprintf(name, sizeof(name), "%s/info.json", t->key);
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char *text = NULL;
	if (fd < 0 || read_fd_regular(fd, INFO_MAX, &text, NULL) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	json_t *j = json_loads(text, 0, NULL);
	free(text);
	t->vcpus = (unsigned)json_integer_value(json_object_get(j, "vcpus"));
	t->memory_mib = (unsigned)json_integer_value(json_object_get(j, "memory_mib"));
	json_decref(j);
	return t->vcpus && t->memory_mib ? 0 : -1;
}

/* What a build that did not finish left: its VM, then its files. */
static void clear_build(const struct kc_config *cfg, int dfd)
{
	_cleanup_free_ char *vm = sandbox_vm_dir(cfg->factory.template_path, TEMPLATE_VM_ID);
	struct sandbox sb = {.id = (char *)TEMPLATE_VM_ID, .vm_dir = vm};
	sandbox_stop(&sb);
	beneath_remove_tree(dfd, BUILD_DIR);
}

/* ---- building ---------------------------------------------------------------- */

static int build(const struct rtconfig *rc, int dfd, struct factory_template *t,
		 struct kc_error *err)
{
	const struct kc_config *cfg = rc->cfg;
	long long t0 = monotonic_ms();
	clear_build(cfg, dfd);
	if (mkdirat(dfd, BUILD_DIR, 0700) < 0)
		return kc_error_set(err, errno, "%s/" BUILD_DIR, cfg->factory.template_path);
	_cleanup_free_ char *memory =
	    xasprintf("%s/" BUILD_DIR "/memory", cfg->factory.template_path);
	struct sandbox_template st = {.role = TEMPLATE_BUILD, .memory = memory, .state_fd = -1};
	t->vcpus = template_vcpus(cfg);
	t->memory_mib = cfg->hypervisor.default_memory;
	/* the template VM's directory is the factory's, whatever --root */
	struct sandbox_params sp = {.id = TEMPLATE_VM_ID,
				    .root = cfg->factory.template_path,
				    .rc = rc,
				    .vcpus = t->vcpus,
				    .memory_mib = t->memory_mib,
				    .netns_mode = NETNS_HOST,
				    .tmpl = &st};
	struct sandbox sb;
	kc_info("building the VM template %s: %u vCPU, %u MiB", t->key, t->vcpus, t->memory_mib);
	if (sandbox_start(&sb, &sp, err) < 0)
		return kc_error_wrap(err, "boot the template VM");
	/* the agent is up; its host goes, so that the saved agent waits for
	 * the next one (each VM's own kata-proxy) */
	process_stop(sb.proxy_pid, sb.proxy_start, 0);
	sb.proxy_pid = 0;
	struct timespec settle = {0, 200 * 1000000L};
	nanosleep(&settle, NULL);
	int rc_ = -1;
	int sfd = openat(dfd, BUILD_DIR "/state", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (sfd < 0) {
		kc_error_set(err, errno, "%s/" BUILD_DIR "/state", cfg->factory.template_path);
	} else {
		_cleanup_free_ char *qmp = sandbox_qmp_socket(&sb);
		rc_ = qemu_template_save(qmp, sfd, err);
		if (rc_ == 0 && fsync(sfd) < 0)
			rc_ = kc_error_set(err, errno, "fsync the template's state");
		close(sfd);
	}
	sandbox_stop(&sb);
	sandbox_free(&sb);
	if (rc_ < 0)
		return -1;
	t->build_ms = (double)(monotonic_ms() - t0);
	char created[64];
	rfc3339_now(created, sizeof(created));
	json_t *info =
	    json_pack("{s:s, s:i, s:i, s:s, s:f, s:s, s:s}", "key", t->key, "vcpus", t->vcpus,
		      "memory_mib", t->memory_mib, "created", created, "build_ms", t->build_ms,
		      "kernel", cfg->hypervisor.kernel, "initrd", cfg->hypervisor.initrd);
	char *text = json_dumps(info, JSON_INDENT(2));
	json_decref(info);
	_cleanup_close_ int bfd = openat(dfd, BUILD_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int w = bfd < 0
		    ? kc_error_set(err, errno, "template")
		    : write_atomic_at(bfd, "info.json", "info.json", text, strlen(text), 0600, err);
	free(text);
	if (w < 0)
		return -1;
	if (renameat(dfd, BUILD_DIR, dfd, t->key) < 0)
		return kc_error_set(err, errno, "%s/%s", cfg->factory.template_path, t->key);
	fsync(dfd);
	kc_info("VM template %s built in %.0f ms", t->key, t->build_ms);
	return 0;
}

int factory_template(const struct rtconfig *rc, bool make, struct factory_template *t,
		     struct kc_error *err)
{
	memset(t, 0, sizeof(*t));
	compute_key(rc, t->key);
	fill_paths(t, rc->cfg->factory.template_path);
	_cleanup_close_ int dfd = open_factory(rc->cfg, make, err);
	if (dfd < 0) {
		if (!make)
			return kc_error_set(err, ENOENT,
					    "no VM template in %s (kata-runtime factory init makes "
					    "one)",
					    rc->cfg->factory.template_path);
		return -1;
	}
	if (read_info(dfd, t) == 0)
		return 0;
	if (!make)
		return kc_error_set(err, ENOENT,
				    "no VM template for this configuration in %s (kata-runtime "
				    "factory init makes one)",
				    rc->cfg->factory.template_path);
	_cleanup_close_ int lock = lock_factory(dfd, err);
	if (lock < 0)
		return -1;
	/* another builder may have finished while this one waited */
	if (read_info(dfd, t) == 0)
		return 0;
	/* the memory guard: a template's memory file stays on tmpfs for as
	 * long as the template does */
	char why[512];
	if (rc->facts &&
	    rules_template_memory(&rc->facts->res, rules_runs_tcg(rc->facts, rc->accel),
				  rc->cfg->hypervisor.default_memory, why, sizeof(why)))
		return kc_error_set(err, ENOMEM, "no VM template is built: %s", why);
	/* a directory of this key that is not whole: a crash's, rebuilt */
	beneath_remove_tree(dfd, t->key);
	int rc_ = build(rc, dfd, t, err);
	if (rc_ < 0)
		clear_build(rc->cfg, dfd);
	return rc_;
}

int factory_start_clone(const struct rtconfig *rc, bool build, struct sandbox *sb,
			const struct sandbox_params *sp, struct kc_error *err)
{
	struct factory_template ft;
	if (factory_template(rc, build, &ft, err) < 0) {
		factory_template_free(&ft);
		return -1;
	}
	crash_point("create:template");
	int fd = open(ft.state, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct sandbox_template st = {.role = TEMPLATE_CLONE, .memory = ft.memory, .state_fd = fd};
	struct sandbox_params tp = *sp;
	tp.tmpl = &st;
	tp.vcpus = ft.vcpus;
	tp.memory_mib = ft.memory_mib;
	int rc_ = fd < 0 ? kc_error_set(err, errno, "%s", ft.state) : sandbox_start(sb, &tp, err);
	if (fd >= 0)
		close(fd);
	if (rc_ < 0)
		kc_error_wrap(err, "starting from VM template %s failed", ft.key);
	else
		kc_info("sandbox %s started from VM template %s", sp->id, ft.key);
	factory_template_free(&ft);
	return rc_;
}

void factory_template_free(struct factory_template *t)
{
	free(t->dir);
	free(t->memory);
	free(t->state);
	memset(t, 0, sizeof(*t));
}

/* ---- status and destroy -------------------------------------------------------- */

/* key is a template's name: is_key() said it is FACTORY_KEY_LEN hex digits */
_Static_assert(FACTORY_KEY_LEN == 16, "template_json bounds keys with %.16s");
static json_t *template_json(int dfd, const char *key, bool current)
{
	struct factory_template t = {0};
	snprintf(t.key, sizeof(t.key), "%.16s", key);
	json_t *j = json_pack("{s:s, s:b, s:b}", "key", key, "current", current, "whole",
			      read_info(dfd, &t) == 0);
	char name[64];
	struct stat st;
	snprintf(name, sizeof(name), "%.16s/memory", key);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		/* what the template's guest touched: the pages VMs share */
		json_object_set_new(j, "memory_bytes",
				    json_integer((json_int_t)st.st_blocks * 512));
	snprintf(name, sizeof(name), "%.16s/state", key);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		json_object_set_new(j, "state_bytes", json_integer((json_int_t)st.st_size));
	if (t.vcpus) {
		json_object_set_new(j, "vcpus", json_integer(t.vcpus));
		json_object_set_new(j, "memory_mib", json_integer(t.memory_mib));
	}
	return j;
}

json_t *factory_status(const struct rtconfig *rc)
{
	const struct kc_config *cfg = rc->cfg;
	const char *why = NULL;
	bool usable = factory_usable(cfg, 0, &why);
	char key[FACTORY_KEY_LEN + 1];
	compute_key(rc, key);
	json_t *j = json_pack("{s:s, s:b, s:b, s:s}", "template_path", cfg->factory.template_path,
			      "enable_template", cfg->factory.enable_template, "usable", usable,
			      "key", key);
	if (why)
		json_object_set_new(j, "why_not", json_string(why));
	json_t *list = json_array();
	_cleanup_error_ struct kc_error err = {0};
	int dfd = open_factory(cfg, false, &err);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (is_key(e->d_name))
			json_array_append_new(
			    list, template_json(dirfd(d), e->d_name, !strcmp(e->d_name, key)));
	if (d)
		closedir(d);
	else if (dfd >= 0)
		close(dfd);
	json_object_set_new(j, "templates", list);
	return j;
}

int factory_destroy(const struct kc_config *cfg, struct kc_error *err)
{
	int dfd = open_factory(cfg, false, err);
	if (dfd < 0) {
		if (err->errnum == ENOENT) {
			kc_error_clear(err);
			return 0; /* nothing there */
		}
		return -1;
	}
	int lock = lock_factory(dfd, err);
	if (lock < 0) {
		close(dfd);
		return -1;
	}
	clear_build(cfg, dfd);
	/* the parents open_factory made: removed after it, when empty */
	char parents[4096] = "";
	int pf = openat(dfd, PARENTS_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (pf >= 0) {
		ssize_t n = read(pf, parents, sizeof(parents) - 1);
		parents[n > 0 ? n : 0] = '\0';
		close(pf);
	}
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int left = 0;
	if (!d) { /* nothing listed, nothing removed: the directory and its lock stay */
		kc_warn("%s: %s", cfg->factory.template_path, strerror(errno));
		close(dfd);
		left++;
	}
	while (d && (e = readdir(d))) {
		if (is_key(e->d_name)) {
			int r = beneath_remove_tree(dirfd(d), e->d_name);
			if (r < 0) {
				kc_warn("%s/%s: %s", cfg->factory.template_path, e->d_name,
					strerror(-r));
				left++;
			}
		} else if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
			   strcmp(e->d_name, LOCK_FILE) && strcmp(e->d_name, PARENTS_FILE)) {
			left++; /* not ours: kept */
		}
	}
	if (!left) {
		unlinkat(dirfd(d), PARENTS_FILE, 0);
		unlinkat(dirfd(d), LOCK_FILE, 0);
	}
	if (d)
		closedir(d);
	close(lock);
	/* VMs started from a template keep their mapping of its memory:
	 * removing the files never pulls memory from under them */
	if (!left && rmdir(cfg->factory.template_path) < 0 && errno != ENOENT)
		return kc_error_set(err, errno, "%s", cfg->factory.template_path);
	/* deepest first; one that holds something else stays */
	for (char *nl; !left && (nl = strrchr(parents, '\n'));) {
		*nl = '\0';
		char *line = strrchr(parents, '\n');
		line = line ? line + 1 : parents;
		if (line[0] == '/')
			rmdir(line);
	}
	return left ? kc_error_set(err, ENOTEMPTY, "%s: %d entries kept",
				   cfg->factory.template_path, left)
		    : 0;
}
