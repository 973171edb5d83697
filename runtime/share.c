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
	/* mounts/: a mount of its own, in a peer group of its own, so that
	 * what is mounted in it reaches shared/ and nothing else */
	_cleanup_close_ int self = fd_bind_mount(mfd, vmfd, "mounts", false);
	if (self < 0)
		return kc_error_set(err, -self, "shared directory: bind mounts/");
	int r = fd_mount_setattr(self, 0, MS_PRIVATE, false);
	if (r == 0)
		r = fd_mount_setattr(self, 0, MS_SHARED, false);
	if (r < 0)
		return kc_error_set(err, -r, "shared directory: make mounts/ shared");
	_cleanup_close_ int view = fd_bind_mount(self, vmfd, "shared", false);
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
	/* never across a mount: one that refused to go keeps what is below it */
	if ((r = beneath_remove_tree(vmfd, "shared")) < 0)
		kc_warn("remove the share: %s", strerror(-r));
	if ((r = beneath_remove_tree(vmfd, "mounts")) < 0)
		kc_warn("remove the share's mount points: %s", strerror(-r));
}

/* ---- one container -------------------------------------------------------- */

/* Bind src (a handle) onto a new entry name in dir: a directory or an
 * empty file, as src is. The host's side is read-only when ro. */
static int bind_onto(int src, int dir, const char *name, bool recursive, bool ro,
		     struct kc_error *err)
{
	struct stat st;
	if (fstat(src, &st) < 0)
		return kc_error_set(err, errno, "stat");
	if (S_ISDIR(st.st_mode)) {
		int fd = beneath_mkdir(dir, name, 0755, BENEATH_STRICT);
		if (fd < 0)
			return tampered(err, name, -fd);
		close(fd);
	} else {
		int fd =
		    openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return tampered(err, name, errno);
		close(fd);
	}
	_cleanup_close_ int m = fd_bind_mount(src, dir, name, recursive);
	if (m < 0)
		return kc_error_set(err, -m, "bind mount");
	/* mounts made later on the host side still reach the guest, and ours
	 * never propagate back */
	int r = fd_mount_setattr(m, SHARE_FLAGS | (ro ? MS_RDONLY : 0), MS_SLAVE, recursive);
	if (r < 0)
		return kc_error_set(err, -r, "bind mount flags");
	return 0;
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

static int share_mounts(int cfd, const char *id, json_t *mounts, struct kc_error *err)
{
	_cleanup_close_ int mdir = -1;
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
		if (mdir < 0) {
			mdir = beneath_mkdir(cfd, "mounts", 0755, BENEATH_STRICT);
			if (mdir < 0)
				return tampered(err, "mounts", -mdir);
		}
		/* N/NAME: the guest's mountinfo shows the source's own name */
		char index[24];
		snprintf(index, sizeof(index), "%zu", i);
		_cleanup_close_ int idir = beneath_mkdir(mdir, index, 0755, BENEATH_STRICT);
		if (idir < 0)
			return tampered(err, "mounts/N", -idir);
		const char *base = strrchr(src, '/');
		base = base && base[1] && strcmp(base + 1, ".") && strcmp(base + 1, "..") ? base + 1
											  : "root";
		_cleanup_close_ int sfd = open_source(src, err);
		if (sfd < 0 || bind_onto(sfd, idir, base, oci_mount_has_option(m, "rbind"),
					 oci_mount_has_option(m, "ro"), err) < 0)
			return kc_error_wrap(err, "mounts[%zu] (%s)", i, dest ? dest : "?");
		struct strbuf rel = STRBUF_INIT;
		strbuf_appendf(&rel, "%s/mounts/%zu/%s", id, i, base);
		json_object_set_new(m, "source", json_string(rel.s));
		strbuf_release(&rel);
	}
	return 0;
}

json_t *share_container(int vmfd, const char *id, int rootfs_fd, const json_t *spec,
			struct kc_error *err)
{
	_cleanup_close_ int mfd = beneath_open_dir(vmfd, "mounts", BENEATH_STRICT);
	if (mfd < 0)
		return kc_error_set(err, -mfd, "the sandbox's shared directory"), NULL;
	int cfd = beneath_mkdir(mfd, id, 0755, BENEATH_STRICT);
	struct stat st;
	if (cfd == -EEXIST && fstatat(mfd, id, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode)) {
		kc_error_set(
		    err, 0,
		    "the sandbox's shared directory has an entry for %s already, not made by this "
		    "create (left by a crash? delete --force %s removes it)",
		    id, id);
		return NULL;
	}
	if (cfd < 0) {
		tampered(err, id, -cfd);
		return NULL;
	}
	bool ro = json_is_true(json_object_get(json_object_get(spec, "root"), "readonly"));
	json_t *g = json_deep_copy(spec);
	if (bind_onto(rootfs_fd, cfd, "rootfs", true, ro, err) < 0 ||
	    share_mounts(cfd, id, json_object_get(g, "mounts"), err) < 0) {
		close(cfd);
		json_decref(g);
		struct kc_error e2 = {0};
		unshare_container(vmfd, id, &e2);
		return NULL;
	}
	close(cfd);
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
static int umount_bind_points(int mounts_fd, const char *id, const char *index,
			      struct kc_error *err)
{
	_cleanup_closedir_ DIR *d = open_dir_at(mounts_fd, index);
	struct dirent *e;
	int rc = 0, r;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((r = fd_umount_at(dirfd(d), e->d_name)) < 0 && !rc)
			rc = kc_error_set(err, -r, "unmount %s/mounts/%s/%s in the share", id,
					  index, e->d_name);
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
	int rc = 0, r;
	if ((r = fd_umount_at(cfd, "rootfs")) < 0)
		rc = kc_error_set(err, -r, "unmount %s/rootfs in the share", id);
	_cleanup_closedir_ DIR *d = open_dir_at(cfd, "mounts");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		struct kc_error e2 = {0};
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    umount_bind_points(dirfd(d), id, e->d_name, &e2) < 0 && !rc) {
			*err = e2; /* the first failure is the one told */
			rc = -1;
		}
	}
	/* what is left are the mount points we made (and never anything on a
	 * mount that refused to go) */
	if ((r = beneath_remove_tree(mfd, id)) < 0 && !rc)
		rc = kc_error_set(err, -r, "remove %s's mount points in the share", id);
	return rc;
}
