/* A container's filesystem, built in its own mount namespace: the rootfs
 * from the host share, the OCI mounts onto it (destinations resolved inside
 * the rootfs, so a symlink in the image cannot point a mount elsewhere),
 * /dev's usual nodes, then pivot_root(2) into it, masked and read-only
 * paths. Runs in the child before it becomes the container's process. */
#include "mounts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "agent.h"

static int openat2_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* Create PATH (a directory, or an empty file for a file mount) inside the
 * root, parents as needed, each step resolved inside the root; return an
 * O_PATH fd for it. */
static int make_in_root(int rootfd, const char *path, bool file, struct kc_error *err)
{
	char prefix[4096] = "";
	_cleanup_close_ int dirfd = dup(rootfd);
	const char *p = path;
	while (dirfd >= 0) {
		p += strspn(p, "/");
		size_t n = strcspn(p, "/");
		if (!n)
			break;
		bool last = !p[n + strspn(p + n, "/")];
		char comp[256];
		if (n >= sizeof(comp) || strlen(prefix) + n + 2 > sizeof(prefix))
			return kc_error_set(err, 0, "mount destination %s: name too long", path);
		memcpy(comp, p, n);
		comp[n] = '\0';
		/* "." and ".." are left to the resolution, which keeps them inside */
		if (strcmp(comp, ".") && strcmp(comp, "..")) {
			if (last && file) {
				/* made, or there already: resolving the whole path
				 * below says which */
				int fd = openat(
				    dirfd, comp,
				    O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
				if (fd >= 0)
					close(fd);
			} else {
				mkdirat(dirfd, comp, 0755);
			}
		}
		strcat(prefix, "/");
		strcat(prefix, comp);
		p += n;
		if (last)
			break;
		/* the prefix so far, from the root: symlinks followed, inside it */
		close(dirfd);
		dirfd = openat2_in_root(rootfd, prefix, O_PATH | O_DIRECTORY);
	}
	if (dirfd < 0)
		return kc_error_set(err, 0, "mount destination %s: %s: %s", path, prefix,
				    strerror(errno));
	int fd = openat2_in_root(rootfd, path, O_PATH);
	if (fd < 0)
		return kc_error_set(err, 0, "mount destination %s: %s", path, strerror(errno));
	return fd;
}

static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} mount_flags[] = {
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"atime", true, MS_NOATIME},
    {"noatime", false, MS_NOATIME},
    {"diratime", true, MS_NODIRATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"bind", false, MS_BIND},
    {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
};

static const struct {
	const char *name;
	unsigned long flag;
} propagation[] = {
    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

struct mount_opts {
	unsigned long flags, prop;
	char data[1024];
};

static void parse_options(const json_t *opts, struct mount_opts *m)
{
	memset(m, 0, sizeof(*m));
	size_t i;
	json_t *v;
	json_array_foreach (opts, i, v) {
		const char *o = json_string_value(v);
		if (!o)
			continue;
		bool known = false;
		for (size_t k = 0; k < sizeof(mount_flags) / sizeof(mount_flags[0]) && !known; k++)
			if (!strcmp(o, mount_flags[k].name)) {
				if (mount_flags[k].clear)
					m->flags &= ~mount_flags[k].flag;
				else
					m->flags |= mount_flags[k].flag;
				known = true;
			}
		for (size_t k = 0; k < sizeof(propagation) / sizeof(propagation[0]) && !known; k++)
			if (!strcmp(o, propagation[k].name)) {
				m->prop |= propagation[k].flag;
				known = true;
			}
		/* the host's SELinux or idmap options mean nothing in the guest */
		if (!known && strncmp(o, "context=", 8) && strcmp(o, "tmpcopyup") &&
		    strncmp(o, "idmap", 5) && strcmp(o, "z") && strcmp(o, "Z") && strcmp(o, "U")) {
			size_t l = strlen(m->data);
			snprintf(m->data + l, sizeof(m->data) - l, "%s%s", l ? "," : "", o);
		}
	}
}

bool safe_relative(const char *s)
{
	if (!*s || s[0] == '/')
		return false;
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && !strncmp(p, "..", 2))
			return false;
		p += n;
		p += strspn(p, "/");
	}
	return true;
}

/* The source of a bind mount: relative to the host share, or a guest path
 * (the sandbox's own directories). */
static int bind_source(const char *src, const char *share, char *out, size_t len,
		       struct kc_error *err)
{
	if (src[0] == '/') {
		snprintf(out, len, "%s", src);
		return 0;
	}
	if (!share)
		return kc_error_set(
		    err, 0, "bind mount source %s: the sandbox has no shared directory", src);
	if (!safe_relative(src))
		return kc_error_set(
		    err, 0, "bind mount source %s: must stay inside the shared directory", src);
	snprintf(out, len, "%s/%s", share, src);
	return 0;
}

/* The flags a bind remount must keep: in a user namespace the kernel locks
 * those the mount had when the namespace was made, and refuses a remount
 * that would clear one (runc keeps them the same way). */
static unsigned long kept_flags(const char *path)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		return 0;
	unsigned long f = 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

static int do_mount(int rootfd, const char *share, const json_t *m, struct kc_error *err)
{
	const char *dest = json_string_value(json_object_get(m, "destination"));
	const char *type = json_string_value(json_object_get(m, "type"));
	const char *src = json_string_value(json_object_get(m, "source"));
	if (!dest || dest[0] != '/')
		return kc_error_set(err, 0, "mount: destination must be an absolute path");
	struct mount_opts o;
	parse_options(json_object_get(m, "options"), &o);
	if (type && !strcmp(type, "bind"))
		o.flags |= MS_BIND;
	bool bind = o.flags & MS_BIND;
	char source[4096];
	struct stat st;
	bool file = false;
	if (bind) {
		if (!src)
			return kc_error_set(err, 0, "mount %s: bind mount without a source", dest);
		if (bind_source(src, share, source, sizeof(source), err) < 0)
			return -1;
		if (stat(source, &st) < 0)
			return kc_error_set(err, 0, "mount %s: source %s: %s", dest, src,
					    strerror(errno));
		file = !S_ISDIR(st.st_mode);
	} else {
		snprintf(source, sizeof(source), "%s", src ? src : (type ? type : "none"));
	}
	/* cgroup v1 hierarchies do not exist in the guest: the container gets
	 * its own cgroup v2 view (it has a cgroup namespace) */
	if (type && (!strcmp(type, "cgroup") || !strcmp(type, "cgroup2"))) {
		type = "cgroup2";
		snprintf(source, sizeof(source), "cgroup2");
		o.data[0] = '\0';
	}
	_cleanup_close_ int fd = make_in_root(rootfd, dest, file, err);
	if (fd < 0)
		return -1;
	char target[64];
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	unsigned long first = bind ? (o.flags & (MS_BIND | MS_REC)) : (o.flags & ~MS_REMOUNT);
	int rc = mount(source, target, bind ? NULL : type, first,
		       bind ? NULL : (o.data[0] ? o.data : NULL));
	if (rc < 0 && !bind && type && !strcmp(type, "sysfs") && errno == EPERM)
		rc = 0; /* sysfs in a restricted namespace: leave the directory */
	if (rc < 0)
		return kc_error_set(err, 0, "mount %s on %s (%s): %s", src ? src : "", dest,
				    type ? type : "bind", strerror(errno));
	/* the fd names what was covered: remount and propagation act on the
	 * new mount, reached by resolving the destination again */
	if ((bind && (o.flags & ~(MS_BIND | MS_REC))) || o.prop) {
		close(fd);
		fd = openat2_in_root(rootfd, dest, O_PATH);
		if (fd < 0)
			return kc_error_set(err, 0, "mount %s: %s", dest, strerror(errno));
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	}
	if (bind && (o.flags & ~(MS_BIND | MS_REC)) &&
	    mount(NULL, target, NULL,
		  MS_REMOUNT | MS_BIND | kept_flags(target) | (o.flags & ~MS_REC), NULL) < 0)
		return kc_error_set(err, 0, "remount %s: %s", dest, strerror(errno));
	if (o.prop && mount(NULL, target, NULL, o.prop, NULL) < 0)
		return kc_error_set(err, 0, "propagation of %s: %s", dest, strerror(errno));
	return 0;
}

/* The guest's node of this kind and numbers, in /dev or a directory of
 * it (devtmpfs; there is no udev to make /dev/char links): PATH, or -1. */
static int find_guest_node(const char *dir, mode_t kind, dev_t rdev, char *path, size_t len,
			   int depth)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[512];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if ((st.st_mode & S_IFMT) == kind && st.st_rdev == rdev) {
			snprintf(path, len, "%s", p);
			return 0;
		}
		if (S_ISDIR(st.st_mode) && depth > 0 &&
		    find_guest_node(p, kind, rdev, path, len, depth - 1) == 0)
			return 0;
	}
	return -1;
}

/* That node bound onto an empty file made at BASE. */
static int bind_guest_node(int dirfd, const char *base, mode_t kind, dev_t rdev)
{
	char src[512];
	if (find_guest_node("/dev", kind, rdev, src, sizeof(src), 1) < 0)
		return -1;
	int fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	char target[64];
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	int rc = mount(src, target, NULL, MS_BIND, NULL);
	close(fd);
	return rc;
}

/* linux.devices: each node made in the container, as runc does (the
 * numbers are the host's; the guest kernel has the same for the common
 * devices, and a node without a driver fails only when opened). A node the
 * image already has is replaced; one that is a mount point stays. */
static int spec_devices(int rootfd, const json_t *devices, struct kc_error *err)
{
	size_t i;
	json_t *d;
	json_array_foreach (devices, i, d) {
		const char *path = json_string_value(json_object_get(d, "path"));
		const char *type = json_string_value(json_object_get(d, "type"));
		if (!path || path[0] != '/' || !path[1])
			return kc_error_set(
			    err, 0, "linux.devices[%zu].path: an absolute path is required", i);
		mode_t kind;
		if (type && (!strcmp(type, "c") || !strcmp(type, "u")))
			kind = S_IFCHR;
		else if (type && !strcmp(type, "b"))
			kind = S_IFBLK;
		else if (type && !strcmp(type, "p"))
			kind = S_IFIFO;
		else
			return kc_error_set(err, 0,
					    "linux.devices[%zu].type: '%s' is not c, b, u or p", i,
					    type ? type : "");
		json_t *jmaj = json_object_get(d, "major"), *jmin = json_object_get(d, "minor");
		if (kind != S_IFIFO &&
		    (!json_is_integer(jmaj) || !json_is_integer(jmin) ||
		     json_integer_value(jmaj) < 0 || json_integer_value(jmin) < 0))
			return kc_error_set(
			    err, 0, "linux.devices[%zu] (%s): major and minor numbers are required",
			    i, path);
		json_t *jmode = json_object_get(d, "fileMode");
		mode_t perm =
		    json_is_integer(jmode) ? (mode_t)json_integer_value(jmode) & 07777 : 0666;
		uid_t uid = (uid_t)json_integer_value(json_object_get(d, "uid"));
		gid_t gid = (gid_t)json_integer_value(json_object_get(d, "gid"));
		dev_t rdev = kind == S_IFIFO ? 0
					     : makedev((unsigned)json_integer_value(jmaj),
						       (unsigned)json_integer_value(jmin));

		/* its directory, made and resolved inside the root */
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s", path);
		char *slash = strrchr(dir, '/');
		const char *base = path + (slash - dir) + 1;
		if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
			return kc_error_set(
			    err, 0, "linux.devices[%zu].path: '%s' does not name a file", i, path);
		*slash = '\0';
		_cleanup_close_ int dirfd = make_in_root(rootfd, *dir ? dir : "/", false, err);
		if (dirfd < 0)
			return -1;
		int made = mknodat(dirfd, base, kind | perm, rdev);
		if (made < 0 && errno == EEXIST) {
			struct stat st;
			bool same = fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				    (st.st_mode & S_IFMT) == kind && st.st_rdev == rdev;
			if (!same && unlinkat(dirfd, base, 0) == 0)
				mknodat(dirfd, base, kind | perm, rdev);
		} else if (made < 0 && errno == EPERM && kind != S_IFIFO) {
			/* in a user namespace no node can be made: the guest's own
			 * node with these numbers is bound there instead, as runc
			 * binds the host's */
			if (bind_guest_node(dirfd, base, kind, rdev) < 0)
				return kc_error_set(
				    err, 0,
				    "linux.devices[%zu] (%s): in a user namespace the guest's node "
				    "is bound, and the guest has no %s %u:%u",
				    i, path, kind == S_IFBLK ? "block device" : "character device",
				    major(rdev), minor(rdev));
			continue;
		}
		/* the mode without the umask, and the owner */
		int rc = fchmodat(dirfd, base, perm, 0);
		if (rc == 0)
			rc = fchownat(dirfd, base, uid, gid, AT_SYMLINK_NOFOLLOW);
		if (rc < 0)
			return kc_error_set(err, 0, "linux.devices[%zu] (%s): %s", i, path,
					    strerror(errno));
	}
	return 0;
}

/* The nodes every container has (runc's default devices), bound from the
 * guest's devtmpfs, and the usual links. */
static void default_devices(int rootfd, const char *console)
{
	static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
	_cleanup_error_ struct kc_error err = {0};
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		char src[64], dst[64];
		snprintf(src, sizeof(src), "/dev/%s", nodes[i]);
		snprintf(dst, sizeof(dst), "/dev/%s", nodes[i]);
		_cleanup_close_ int fd = make_in_root(rootfd, dst, true, &err);
		if (fd < 0)
			continue;
		char target[64];
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
		if (mount(src, target, NULL, MS_BIND, NULL) < 0)
			log_debug("bind %s: %s", src, strerror(errno));
	}
	if (console) {
		_cleanup_close_ int fd = make_in_root(rootfd, "/dev/console", true, &err);
		if (fd >= 0) {
			char target[64];
			snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
			if (mount(console, target, NULL, MS_BIND, NULL) < 0)
				log_debug("bind console: %s", strerror(errno));
		}
	}
	_cleanup_close_ int dev = openat2_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
	if (dev < 0)
		return;
	static const char *const links[][2] = {
	    {"/proc/self/fd", "fd"},	   {"/proc/self/fd/0", "stdin"},
	    {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
	    {"pts/ptmx", "ptmx"},	   {"/proc/kcore", "core"},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno == EEXIST &&
		    !strcmp(links[i][1], "ptmx")) {
			/* an image's /dev/ptmx node would open the guest's pty instance */
			unlinkat(dev, "ptmx", 0);
			if (symlinkat(links[i][0], dev, links[i][1]) < 0)
				log_debug("/dev/ptmx: %s", strerror(errno));
		}
}

static void mask_paths(const json_t *paths)
{
	size_t i;
	json_t *v;
	json_array_foreach (paths, i, v) {
		const char *p = json_string_value(v);
		struct stat st;
		if (!p || stat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0");
		else
			mount("/dev/null", p, NULL, MS_BIND, NULL);
	}
}

static void readonly_paths(const json_t *paths)
{
	size_t i;
	json_t *v;
	json_array_foreach (paths, i, v) {
		const char *p = json_string_value(v);
		if (!p || mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
			continue;
		mount(NULL, p, NULL,
		      MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
			  kept_flags(p),
		      NULL);
	}
}

/* The OCI mounts, the spec's devices and /dev's usual nodes, each made
 * inside the rootfs. */
static int populate_rootfs(const char *rootfs, const json_t *spec, const char *share,
			   const char *console, struct kc_error *err)
{
	_cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return kc_error_set(err, 0, "rootfs %s: %s", rootfs, strerror(errno));
	size_t i;
	json_t *m;
	bool dev_mounted = false;
	json_array_foreach (json_object_get(spec, "mounts"), i, m) {
		if (do_mount(rootfd, share, m, err) < 0)
			return -1;
		const char *dest = json_string_value(json_object_get(m, "destination"));
		if (dest && !strcmp(dest, "/dev"))
			dev_mounted = true;
	}
	if (spec_devices(rootfd, json_object_get(json_object_get(spec, "linux"), "devices"), err) <
	    0)
		return -1;
	if (dev_mounted || console)
		default_devices(rootfd, console);
	return 0;
}

/* pivot_root(".", "."): the old root is stacked on top of the new one;
 * from inside it (fchdir) it is detached, as runc does. */
static int pivot_into(const char *rootfs, struct kc_error *err)
{
	_cleanup_close_ int oldroot = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0 || chdir(rootfs) < 0)
		return kc_error_set(err, 0, "chdir %s: %s", rootfs, strerror(errno));
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return kc_error_set(err, 0, "pivot_root into %s: %s", rootfs, strerror(errno));
	if (fchdir(oldroot) < 0 || mount(NULL, ".", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    umount2(".", MNT_DETACH) < 0)
		return kc_error_set(err, 0, "detach the old root: %s", strerror(errno));
	if (chdir("/") < 0)
		return kc_error_set(err, 0, "chdir /: %s", strerror(errno));
	return 0;
}

int rootfs_setup(const json_t *spec, const char *rootfs, const char *share, const char *console,
		 struct kc_error *err)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return kc_error_set(err, 0, "make mounts private: %s", strerror(errno));
	/* the rootfs must be a mount point to pivot into */
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return kc_error_set(err, 0, "rootfs %s: %s", rootfs, strerror(errno));
	if (populate_rootfs(rootfs, spec, share, console, err) < 0)
		return -1;
	return pivot_into(rootfs, err);
}

/* After the sysctls: the paths the spec masks or makes read-only (which
 * include /proc/sys), and a read-only root. */
int rootfs_finish(const json_t *spec, struct kc_error *err)
{
	const json_t *linux_ = json_object_get(spec, "linux");
	mask_paths(json_object_get(linux_, "maskedPaths"));
	readonly_paths(json_object_get(linux_, "readonlyPaths"));
	if (json_is_true(json_object_get(json_object_get(spec, "root"), "readonly")) &&
	    mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags("/"), NULL) < 0)
		return kc_error_set(err, 0, "read-only root: %s", strerror(errno));
	return 0;
}
