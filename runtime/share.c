/* Sharing containers' files with the guest (see share.h). */
#include "share.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "fdmount.h"
#include "log.h"
#include "oci.h"
#include "strbuf.h"

/* Host-side flags of everything the guest reaches: what the guest makes
 * in a shared tree is no device and no set-id program for the host. */
#define SHARE_FLAGS (MS_NOSUID | MS_NODEV)

static int tampered(struct kc_error *err, const char *what, int e)
{
	return kc_error_set(
	    err, 0,
	    "the sandbox's shared directory: %s is not what kata-runtime made (%s); "
	    "refusing to act on it",
	    what, e == EEXIST ? "something is in its place" : strerror(e));
}

int share_setup(int vmfd, struct kc_error *err)
{
	/* 0711: the guest's users traverse it to their rootfs, root lists it */
	_cleanup_close_ int mfd = beneath_mkdir(vmfd, "mounts", 0711, BENEATH_STRICT);
	if (mfd < 0)
		return kc_error_set(err, -mfd, "shared directory: mounts");
	_cleanup_close_ int sfd = beneath_mkdir(vmfd, "shared", 0755, BENEATH_STRICT);
	if (sfd < 0)
		return kc_error_set(err, -sfd, "shared directory: shared");
	/* stage/: a private mount where a kernel without mount_setattr gives
	 * a bind its flags before it is moved into mounts/ (fdmount.h) */
	_cleanup_close_ int gfd = beneath_mkdir(vmfd, "stage", 0700, BENEATH_STRICT);
	if (gfd < 0)
		return kc_error_set(err, -gfd, "shared directory: stage");
	_cleanup_close_ int stage = fd_bind_mount(gfd, vmfd, "stage", NULL);
	int r = stage < 0 ? stage : fd_mount_setattr(stage, 0, MS_PRIVATE, false);
	if (r < 0)
		return kc_error_set(err, -r, "shared directory: a private mount for stage/");
	/* mounts/: a mount of its own, in a peer group of its own, so that
	 * what is mounted in it reaches shared/ and nothing else */
	_cleanup_close_ int self = fd_bind_mount(mfd, vmfd, "mounts", NULL);
	if (self < 0)
		return kc_error_set(err, -self, "shared directory: bind mounts/");
	r = fd_mount_setattr(self, 0, MS_PRIVATE, false);
	if (r == 0)
		r = fd_mount_setattr(self, 0, MS_SHARED, false);
	if (r < 0)
		return kc_error_set(err, -r, "shared directory: make mounts/ shared");
	const struct fd_bind ro = {.flags = MS_RDONLY | SHARE_FLAGS, .stage = -1};
	_cleanup_close_ int view = fd_bind_mount(self, vmfd, "shared", &ro);
	if (view < 0)
		return kc_error_set(err, -view, "shared directory: bind shared/");
	r = fd_mount_setattr(view, MS_RDONLY | SHARE_FLAGS, MS_SLAVE, false);
	if (r < 0)
		return kc_error_set(err, -r, "shared directory: make shared/ a read-only slave");
	return 0;
}

void share_teardown(int vmfd)
{
	int r;
	if ((r = fd_umount_at(vmfd, "shared")) < 0)
		kc_warn("unmount the share: %s", strerror(-r));
	if ((r = fd_umount_at(vmfd, "mounts")) < 0)
		kc_warn("unmount the share's mounts: %s", strerror(-r));
	/* with whatever a crash left staged in it */
	if ((r = fd_umount_at(vmfd, "stage")) < 0)
		kc_warn("unmount the share's stage: %s", strerror(-r));
	if ((r = beneath_remove_tree(vmfd, "stage")) < 0)
		kc_warn("remove the share's stage: %s", strerror(-r));
	/* never across a mount: one that refused to go keeps what is below it */
	if ((r = beneath_remove_tree(vmfd, "shared")) < 0)
		kc_warn("remove the share: %s", strerror(-r));
	if ((r = beneath_remove_tree(vmfd, "mounts")) < 0)
		kc_warn("remove the share's mount points: %s", strerror(-r));
}

/* ---- one container -------------------------------------------------------- */

/* Where one container's files go: dir (in mounts/, the host's side) and
 * served (the same directory in shared/, what QEMU or virtiofsd exports),
 * with the share's stage (fdmount.h). */
struct share_dest {
	int dir, served, stage;
};

static void share_dest_close(struct share_dest *d)
{
	int *fds[] = {&d->dir, &d->served, &d->stage};
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(kc_steal_fd(fds[i]));
}

/* What QEMU or virtiofsd would serve under name: a copy that propagation
 * made of our bind. Checked to carry every flag, or nothing is shared. */
static int check_served(const struct share_dest *d, const char *name, unsigned long flags,
			struct kc_error *err)
{
	_cleanup_close_ int copy =
	    beneath_open(d->served, name, O_PATH | O_NOFOLLOW, 0, BENEATH_STRICT);
	if (copy < 0)
		return tampered(err, name, -copy);
	long have = fd_mount_flags(copy);
	if (have < 0)
		return kc_error_set(err, (int)-have, "the shared copy of %s", name);
	if (((unsigned long)have & flags) != flags)
		return kc_error_set(err, 0,
				    "the shared copy of %s lacks flags the host side requires "
				    "(has 0x%lx, needs 0x%lx); refusing to share it",
				    name, (unsigned long)have, flags);
	return 0;
}

/* Bind src (a handle) onto a new entry name in d->dir: a directory or an
 * empty file, as src is, with flags on the host's side (and on its copy
 * in shared/) from the start. */
static int bind_onto(const struct share_dest *d, int src, const char *name, bool recursive,
		     unsigned long flags, unsigned long propagation, struct kc_error *err)
{
	struct stat st;
	if (fstat(src, &st) < 0)
		return kc_error_set(err, errno, "stat");
	if (S_ISDIR(st.st_mode)) {
		int fd = beneath_mkdir(d->dir, name, 0755, BENEATH_STRICT);
		if (fd < 0)
			return tampered(err, name, -fd);
		close(fd);
	} else {
		int fd = openat(d->dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
				0644);
		if (fd < 0)
			return tampered(err, name, errno);
		close(fd);
	}
	const struct fd_bind how = {
	    .recursive = recursive, .flags = flags, .propagation = propagation, .stage = d->stage};
	_cleanup_close_ int m = fd_bind_mount(src, d->dir, name, &how);
	if (m < 0)
		return kc_error_set(err, -m, "bind mount");
	return check_served(d, name, flags, err);
}

/* The host-side flags of an OCI bind mount: nosuid and nodev always, ro
 * and noexec as its options say (the last of a pair wins, as in runc).
 * They hold on every submount of a recursive bind, so the recursive
 * forms (runtime-spec 1.1's "rro", "rnoexec") are the same. */
static unsigned long bind_flags(const json_t *m)
{
	unsigned long flags = SHARE_FLAGS;
	size_t i;
	json_t *o;
	json_array_foreach (json_object_get(m, "options"), i, o) {
		const char *s = json_string_value(o);
		if (!s)
			continue;
		if (!strcmp(s, "ro") || !strcmp(s, "rro"))
			flags |= MS_RDONLY;
		else if (!strcmp(s, "rw") || !strcmp(s, "rrw"))
			flags &= ~(unsigned long)MS_RDONLY;
		else if (!strcmp(s, "noexec") || !strcmp(s, "rnoexec"))
			flags |= MS_NOEXEC;
		else if (!strcmp(s, "exec") || !strcmp(s, "rexec"))
			flags &= ~(unsigned long)MS_NOEXEC;
	}
	return flags;
}

/* A bind's propagation from the host. A slave of its source by default,
 * as runc's rslave root makes it: mounts the host makes later under the
 * source reach the guest (through the copy in shared/, a slave of ours)
 * with the flags the host gave them, and none of ours propagates back.
 * Private when the spec says "private" or "rprivate" (Kubernetes'
 * default), and always when it is read-only (flags): a mount arriving
 * later would be writable, and read-only must stay read-only. */
static unsigned long bind_propagation(const json_t *m, unsigned long flags)
{
	if (flags & MS_RDONLY)
		return MS_PRIVATE;
	unsigned long prop = MS_SLAVE;
	size_t i;
	json_t *o;
	json_array_foreach (json_object_get(m, "options"), i, o) {
		const char *s = json_string_value(o);
		if (s && (!strcmp(s, "private") || !strcmp(s, "rprivate")))
			prop = MS_PRIVATE;
		else if (s && (!strcmp(s, "slave") || !strcmp(s, "rslave") ||
			       !strcmp(s, "shared") || !strcmp(s, "rshared")))
			prop = MS_SLAVE;
	}
	return prop;
}

/* The source of a bind mount: the caller's choice of host path, opened
 * once (following symlinks, as runc does); we act on the handle. */
static int open_source(const char *src, struct kc_error *err)
{
	int fd = open(src, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return kc_error_set(err, errno, "bind mount source %s", src);
	return fd;
}

/* mounts/N in a container's directory, in mounts/ and in shared/. */
static int volume_dest(const struct share_dest *c, size_t i, struct share_dest *d,
		       struct kc_error *err)
{
	char index[32];
	snprintf(index, sizeof(index), "mounts/%zu", i);
	d->dir = beneath_mkdir(c->dir, index, 0755, BENEATH_STRICT);
	if (d->dir < 0)
		return tampered(err, "mounts/N", -d->dir);
	d->served = beneath_open_dir(c->served, index, BENEATH_STRICT);
	if (d->served < 0)
		return tampered(err, "mounts/N", -d->served);
	d->stage = c->stage;
	return 0;
}

static int share_mounts(const struct share_dest *c, const char *id, json_t *mounts,
			struct kc_error *err)
{
	bool made = false;
	size_t i;
	json_t *m;
	json_array_foreach (mounts, i, m) {
		if (!oci_mount_is_bind(m))
			continue;
		const char *dest = json_string_value(json_object_get(m, "destination"));
		const char *src = json_string_value(json_object_get(m, "source"));
		if (dest && !strcmp(dest, "/dev/shm")) {
			/* POSIX shared memory over 9p would not be shared memory: the
			 * guest gets a tmpfs (as Kata does) */
			json_object_set_new(m, "type", json_string("tmpfs"));
			json_object_set_new(m, "source", json_string("shm"));
			json_object_set_new(
			    m, "options",
			    json_pack("[s,s,s,s]", "nosuid", "nodev", "noexec", "mode=1777"));
			continue;
		}
		if (!src || src[0] != '/')
			return kc_error_set(
			    err, 0, "mounts[%zu] (%s): a bind mount needs an absolute source", i,
			    dest ? dest : "?");
		if ((!strncmp(src, "/proc", 5) && (!src[5] || src[5] == '/')) ||
		    (!strncmp(src, "/sys", 4) && (!src[4] || src[4] == '/'))) {
			kc_warn("mounts[%zu]: %s is the host's kernel interface: not shared into "
				"the VM",
				i, src);
			json_object_set_new(m, "type", json_string("tmpfs"));
			json_object_set_new(m, "source", json_string("tmpfs"));
			json_object_set_new(m, "options", json_pack("[s]", "ro"));
			continue;
		}
		if (!made) {
			int fd = beneath_mkdir(c->dir, "mounts", 0755, BENEATH_STRICT);
			if (fd < 0)
				return tampered(err, "mounts", -fd);
			close(fd);
			made = true;
		}
		/* N/NAME: the guest's mountinfo shows the source's own name */
		struct share_dest d = {-1, -1, -1};
		const char *base = strrchr(src, '/');
		base = base && base[1] && strcmp(base + 1, ".") && strcmp(base + 1, "..") ? base + 1
											  : "root";
		int rc = volume_dest(c, i, &d, err);
		_cleanup_close_ int sfd = rc < 0 ? -1 : open_source(src, err);
		unsigned long flags = bind_flags(m);
		if (sfd < 0 || bind_onto(&d, sfd, base, oci_mount_has_option(m, "rbind"), flags,
					 bind_propagation(m, flags), err) < 0)
			rc = -1;
		d.stage = -1; /* the container's */
		share_dest_close(&d);
		if (rc < 0)
			return kc_error_wrap(err, "mounts[%zu] (%s)", i, dest ? dest : "?");
		struct strbuf rel = STRBUF_INIT;
		strbuf_appendf(&rel, "%s/mounts/%zu/%s", id, i, base);
		json_object_set_new(m, "source", json_string(rel.s));
		strbuf_release(&rel);
	}
	return 0;
}

/* dest without "." components, repeated and trailing slashes, into buf. */
static void normalize_dest(const char *dest, char *buf, size_t size)
{
	size_t n = 0;
	for (const char *p = dest; *p && n + 2 < size;) {
		p += strspn(p, "/");
		size_t len = strcspn(p, "/");
		if (!len)
			break;
		if (!(len == 1 && p[0] == '.') && n + len + 2 < size) {
			buf[n++] = '/';
			memcpy(buf + n, p, len);
			n += len;
		}
		p += len;
	}
	buf[n] = '\0';
}

/* Is mounts[i]'s destination below that of an earlier mount? */
static bool below_earlier_mount(const json_t *mounts, size_t i, const char *dest)
{
	char mine[4096], other[4096];
	normalize_dest(dest, mine, sizeof(mine));
	for (size_t j = 0; j < i; j++) {
		const char *d =
		    json_string_value(json_object_get(json_array_get(mounts, j), "destination"));
		if (!d)
			continue;
		normalize_dest(d, other, sizeof(other));
		size_t len = strlen(other);
		if (!strncmp(mine, other, len) && (mine[len] == '/' || (!len && mine[0])))
			return true;
	}
	return false;
}

/* A directory or an empty file at dest beneath the rootfs, its missing
 * parents made; what is there already is left as it is. */
static void make_mount_point(int rootfs_fd, const char *dest, bool file)
{
	char parent[4096];
	snprintf(parent, sizeof(parent), "%s", dest);
	char *slash = strrchr(parent, '/');
	const char *base = dest + (slash - parent) + 1;
	*slash = '\0';
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return;
	_cleanup_close_ int pfd =
	    beneath_mkdir_p(rootfs_fd, *parent ? parent : "/", 0755, BENEATH_IN_ROOT);
	int r = pfd;
	if (pfd >= 0 && file)
		r = beneath_open(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644,
				 BENEATH_STRICT);
	else if (pfd >= 0)
		r = beneath_mkdir(pfd, base, 0755, BENEATH_STRICT);
	if (r >= 0)
		close(r);
	else if (r != -EEXIST)
		kc_debug("mount point %s in the read-only rootfs: %s", dest, strerror(-r));
}

/* A read-only root is read-only on the host's side too, so the guest
 * cannot make the mount points its spec needs there: they are made here,
 * before the rootfs is shared, as runc makes them (beneath the rootfs,
 * its symlinks resolved inside it). Only those on the rootfs itself: a
 * destination below an earlier mount's is made in that mount, in the
 * guest. What cannot be made is reported by the agent, which then finds
 * no mount point. */
static void make_mount_points(int rootfs_fd, const json_t *spec)
{
	const json_t *mounts = json_object_get(spec, "mounts");
	size_t i;
	json_t *m;
	json_array_foreach (mounts, i, m) {
		const char *dest = json_string_value(json_object_get(m, "destination"));
		if (!dest || dest[0] != '/' || below_earlier_mount(mounts, i, dest))
			continue;
		const char *src = json_string_value(json_object_get(m, "source"));
		struct stat st;
		bool file =
		    oci_mount_is_bind(m) && src && stat(src, &st) == 0 && !S_ISDIR(st.st_mode);
		char path[4096];
		normalize_dest(dest, path, sizeof(path));
		make_mount_point(rootfs_fd, path, file);
	}
}

/* The container's directory, made in mounts/ and seen in shared/. */
static int container_dest(int vmfd, const char *id, struct share_dest *c, struct kc_error *err)
{
	_cleanup_close_ int mfd = beneath_open_dir(vmfd, "mounts", BENEATH_STRICT);
	if (mfd < 0)
		return kc_error_set(err, -mfd, "the sandbox's shared directory");
	c->dir = beneath_mkdir(mfd, id, 0755, BENEATH_STRICT);
	struct stat st;
	if (c->dir == -EEXIST && fstatat(mfd, id, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode))
		return kc_error_set(
		    err, 0,
		    "the sandbox's shared directory has an entry for %s already, not made by this "
		    "create (left by a crash? delete --force %s removes it)",
		    id, id);
	if (c->dir < 0)
		return tampered(err, id, -c->dir);
	_cleanup_close_ int sfd = beneath_open_dir(vmfd, "shared", BENEATH_STRICT);
	c->served = sfd < 0 ? sfd : beneath_open_dir(sfd, id, BENEATH_STRICT);
	if (c->served < 0)
		return tampered(err, "shared/", -c->served);
	/* made by share_setup; a sandbox made before it had one goes without
	 * (only a kernel without mount_setattr needs it) */
	c->stage = beneath_open_dir(vmfd, "stage", BENEATH_STRICT);
	return 0;
}

json_t *share_container(int vmfd, const char *id, int rootfs_fd, const json_t *spec,
			struct kc_error *err)
{
	struct share_dest c = {-1, -1, -1};
	bool ro = json_is_true(json_object_get(json_object_get(spec, "root"), "readonly"));
	json_t *g = NULL;
	if (ro)
		make_mount_points(rootfs_fd, spec);
	int rc = container_dest(vmfd, id, &c, err);
	bool made = c.dir >= 0;
	if (rc == 0) {
		g = json_deep_copy(spec);
		if (bind_onto(&c, rootfs_fd, "rootfs", true, SHARE_FLAGS | (ro ? MS_RDONLY : 0),
			      ro ? MS_PRIVATE : MS_SLAVE, err) < 0 ||
		    share_mounts(&c, id, json_object_get(g, "mounts"), err) < 0)
			rc = -1;
	}
	share_dest_close(&c);
	if (rc < 0) {
		json_decref(g);
		_cleanup_error_ struct kc_error e2 = {0};
		if (made)
			unshare_container(vmfd, id, &e2);
		return NULL;
	}
	return g;
}

/* A directory entry of ours, for reading: never through a symlink. */
static DIR *open_dir_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d && fd >= 0)
		close(fd);
	return d;
}

/* Unmount the bind mount in mounts/INDEX/ (share_mounts makes one there). */
static int umount_bind_points(int mounts_fd, const char *side, const char *id, const char *index,
			      struct kc_error *err)
{
	_cleanup_closedir_ DIR *d = open_dir_at(mounts_fd, index);
	struct dirent *e;
	int rc = 0, r;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((r = fd_umount_at(dirfd(d), e->d_name)) < 0 && !rc)
			rc = kc_error_set(err, -r, "unmount %s/%s/mounts/%s/%s", side, id, index,
					  e->d_name);
	}
	return rc;
}

/* Unmount what share_container mounted in one container's directory (in
 * mounts/ or its copy in shared/): 0, or -1 with the first failure. */
static int umount_container(int cfd, const char *id, const char *side, struct kc_error *err)
{
	int rc = 0, r;
	if ((r = fd_umount_at(cfd, "rootfs")) < 0)
		rc = kc_error_set(err, -r, "unmount %s/%s/rootfs", side, id);
	_cleanup_closedir_ DIR *d = open_dir_at(cfd, "mounts");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		_cleanup_error_ struct kc_error e2 = {0};
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    umount_bind_points(dirfd(d), side, id, e->d_name, &e2) < 0 && !rc) {
			kc_error_move(err, &e2); /* the first failure is the one told */
			rc = -1;
		}
	}
	return rc;
}

int unshare_container(int vmfd, const char *id, struct kc_error *err)
{
	_cleanup_close_ int mfd = beneath_open_dir(vmfd, "mounts", BENEATH_STRICT);
	if (mfd < 0)
		return mfd == -ENOENT ? 0
				      : kc_error_set(err, -mfd, "the sandbox's shared directory");
	_cleanup_close_ int cfd = beneath_open_dir(mfd, id, BENEATH_STRICT);
	if (cfd < 0)
		return cfd == -ENOENT ? 0 : tampered(err, id, -cfd);
	int rc = umount_container(cfd, id, "mounts", err);
	/* unmounting in mounts/ takes the copies in shared/ along; one that
	 * stayed would go on serving the host's files to the guest */
	_cleanup_close_ int sfd = beneath_open_dir(vmfd, "shared", BENEATH_STRICT);
	_cleanup_close_ int scfd = sfd < 0 ? -1 : beneath_open_dir(sfd, id, BENEATH_STRICT);
	_cleanup_error_ struct kc_error e2 = {0};
	if (scfd >= 0 && umount_container(scfd, id, "shared", &e2) < 0 && !rc) {
		kc_error_move(err, &e2);
		rc = -1;
	}
	/* what is left are the mount points we made (and never anything on a
	 * mount that refused to go) */
	int r;
	if ((r = beneath_remove_tree(mfd, id)) < 0 && !rc)
		rc = kc_error_set(err, -r, "remove %s's mount points in the share", id);
	return rc;
}
