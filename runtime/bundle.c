/* OCI bundles (see bundle.h). */
#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "beneath.h"
#include "log.h"
#include "oci.h"
#include "oci_spec.h"
#include "strbuf.h"
#include "xalloc.h"

/* The path a handle stands for (for messages, the state and hooks). */
static char *fd_path(int fd)
{
	char link[64], buf[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static int read_config(struct bundle *b, struct kc_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = beneath_read_file(b->dirfd, "config.json", BENEATH_SYMLINKS, BUNDLE_CONFIG_MAX,
				  &text, &len);
	if (r == -ENOENT)
		return kc_error_set(err, 0, "%s: no such file (is %s an OCI bundle?)", b->config,
				    b->dir);
	if (r == -EINVAL)
		return kc_error_set(err, 0, "%s: not a regular file", b->config);
	if (r == -EFBIG)
		return kc_error_set(err, 0, "%s: larger than %u MiB", b->config,
				    BUNDLE_CONFIG_MAX >> 20);
	if (r == -EXDEV || r == -ELOOP) {
		/* what openat2 says of a symlink out of the bundle, or of a loop */
		char target[PATH_MAX] = "";
		ssize_t n = readlinkat(b->dirfd, "config.json", target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		return kc_error_set(
		    err, 0, "%s: %s%s%s; the configuration must be a file in the bundle", b->config,
		    r == -EXDEV ? "a symbolic link out of the bundle" : "a symbolic link loop",
		    n > 0 ? " to " : "", target);
	}
	if (r < 0)
		return kc_error_set(err, -r, "%s", b->config);
	json_error_t je;
	b->spec = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!b->spec)
		return kc_error_set(err, 0, "%s:%d:%d: %s", b->config, je.line, je.column, je.text);
	if (oci_spec_validate(b->spec, err) < 0)
		return kc_error_wrap(err, "%s", b->config);
	return 0;
}

static int open_rootfs(struct bundle *b, struct kc_error *err)
{
	const char *rp =
	    json_string_value(json_object_get(json_object_get(b->spec, "root"), "path"));
	if (!rp || !*rp)
		return kc_error_set(err, 0, "%s: root.path: missing", b->config);
	/* a relative root stays in the bundle; an absolute one is the caller's
	 * choice (podman's and containerd's are), opened as given */
	b->rootfs_fd = rp[0] == '/' ? open(rp, O_PATH | O_DIRECTORY | O_CLOEXEC)
				    : beneath_open_dir(b->dirfd, rp, BENEATH_SYMLINKS);
	if (b->rootfs_fd < 0) {
		int e = rp[0] == '/' ? errno : -b->rootfs_fd;
		b->rootfs_fd = -1;
		if (e == ENOTDIR)
			return kc_error_set(err, 0, "%s: root.path: %s is not a directory",
					    b->config, rp);
		if (e == EXDEV)
			return kc_error_set(err, 0, "%s: root.path: %s leads out of the bundle",
					    b->config, rp);
		return kc_error_set(err, 0, "%s: root.path: %s: %s", b->config, rp, strerror(e));
	}
	b->rootfs = fd_path(b->rootfs_fd);
	if (!b->rootfs)
		return kc_error_set(err, errno, "%s: root.path: %s", b->config, rp);
	return 0;
}

/* A bind mount whose source is missing fails in the guest after a boot:
 * say so now. */
static int check_bind_sources(const struct bundle *b, struct kc_error *err)
{
	size_t i;
	json_t *m;
	json_array_foreach (json_object_get(b->spec, "mounts"), i, m) {
		const char *src = json_string_value(json_object_get(m, "source"));
		if (!oci_mount_is_bind(m))
			continue;
		if (!src || src[0] != '/')
			return kc_error_set(
			    err, 0, "%s: mounts[%zu].source: a bind mount needs an absolute source",
			    b->config, i);
		struct stat st;
		if (stat(src, &st) < 0)
			return kc_error_set(err, 0, "%s: mounts[%zu].source: %s: %s", b->config, i,
					    src, strerror(errno));
	}
	return 0;
}

/* A namespace joined by path must be one, of the kind its entry names: a
 * pid namespace given as the cgroup one would otherwise pass unnoticed
 * (the guest has its own namespaces; the host's path says which of the
 * pod's to join). Opened only once it is known to be a regular file, as
 * nsfs files are: a device or a FIFO is never opened. */
static int check_namespace_paths(const struct bundle *b, struct kc_error *err)
{
	static const struct {
		const char *type;
		int flag;
	} kinds[] = {
	    {"pid", CLONE_NEWPID},	 {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
	    {"ipc", CLONE_NEWIPC},	 {"uts", CLONE_NEWUTS},	    {"user", CLONE_NEWUSER},
	    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
	};
	size_t i;
	json_t *ns;
	json_array_foreach (json_object_get(json_object_get(b->spec, "linux"), "namespaces"), i,
			    ns) {
		const char *type = json_string_value(json_object_get(ns, "type"));
		const char *path = json_string_value(json_object_get(ns, "path"));
		if (!type || !path || !*path)
			continue;
		int want = 0;
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (!strcmp(kinds[k].type, type))
				want = kinds[k].flag;
		struct stat st;
		struct statfs sfs;
		_cleanup_close_ int fd = -1;
		const char *why = NULL;
		int r = stat(path, &st);
		if (r == 0 && S_ISREG(st.st_mode))
			r = fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		/* a process's namespace that the kernel will not let us inspect
		 * (ptrace's rules): its kind cannot be known, and it is only used
		 * to name which of the pod's to join (the network namespace is
		 * opened again, and checked by setns, when the VM starts) */
		if (r < 0 && (errno == EACCES || errno == EPERM)) {
			kc_debug("linux.namespaces[%zu].path: %s: %s; not checked", i, path,
				 strerror(errno));
			continue;
		}
		if (r < 0)
			why = strerror(errno);
		else if (!S_ISREG(st.st_mode))
			why = "not a namespace";
		else if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC)
			why = "not a namespace";
		if (why)
			return kc_error_set(err, 0, "%s: linux.namespaces[%zu].path: %s: %s",
					    b->config, i, path, why);
		int got = ioctl(fd, NS_GET_NSTYPE);
		if (got != want) {
			const char *name = "another kind of";
			for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
				if (kinds[k].flag == got)
					name = kinds[k].type;
			return kc_error_set(
			    err, 0, "%s: linux.namespaces[%zu].path: %s is a %s namespace, not %s",
			    b->config, i, path, name, type);
		}
	}
	return 0;
}

int bundle_load(struct bundle *b, const char *dir, bool need_process, struct kc_error *err)
{
	memset(b, 0, sizeof(*b));
	b->dirfd = b->rootfs_fd = -1;
	b->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (b->dirfd < 0)
		return kc_error_set(err, errno, "bundle %s", dir);
	b->dir = fd_path(b->dirfd);
	if (!b->dir)
		return kc_error_set(err, errno, "bundle %s", dir);
	struct strbuf sb = STRBUF_INIT;
	strbuf_appendf(&sb, "%s/config.json", b->dir);
	b->config = sb.s;
	if (read_config(b, err) < 0 || open_rootfs(b, err) < 0)
		return -1;
	if (need_process && !json_object_get(b->spec, "process"))
		return kc_error_set(err, 0, "%s: process: missing", b->config);
	if (check_namespace_paths(b, err) < 0)
		return -1;
	return check_bind_sources(b, err);
}

void bundle_free(struct bundle *b)
{
	if (b->dirfd >= 0)
		close(b->dirfd);
	if (b->rootfs_fd >= 0)
		close(b->rootfs_fd);
	free(b->dir);
	free(b->config);
	free(b->rootfs);
	json_decref(b->spec);
	memset(b, 0, sizeof(*b));
	b->dirfd = b->rootfs_fd = -1;
}

enum netns_mode bundle_netns(const json_t *spec, const char **path)
{
	*path = NULL;
	const json_t *ns = oci_spec_namespace(spec, "network");
	if (!ns)
		return NETNS_HOST;
	const char *p = json_string_value(json_object_get(ns, "path"));
	if (!p || !*p)
		return NETNS_NEW;
	*path = p;
	return NETNS_PATH;
}
