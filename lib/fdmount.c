/* Mounts through handles (see fdmount.h). */
#include "fdmount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "beneath.h"
#include "macros.h"

/* The new mount API's numbers and flags (glibc's and the kernel's headers
 * disagree with each other in Debian 12, so they are spelled out here). */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#define KC_OPEN_TREE_CLONE	   1
#define KC_OPEN_TREE_CLOEXEC	   O_CLOEXEC
#define KC_AT_RECURSIVE		   0x8000
#define KC_MOVE_MOUNT_F_EMPTY_PATH 0x04
#define KC_MOVE_MOUNT_T_EMPTY_PATH 0x40
#define KC_MOUNT_ATTR_RDONLY	   0x1
#define KC_MOUNT_ATTR_NOSUID	   0x2
#define KC_MOUNT_ATTR_NODEV	   0x4
#define KC_MOUNT_ATTR_NOEXEC	   0x8

struct kc_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static void proc_fd_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* The handle of what is mounted on name now (the top of the stack). */
static int open_target(int dir, const char *name)
{
	int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode)) {
		close(fd);
		return -ELOOP;
	}
	return fd;
}

int fd_bind_mount(int src, int dir, const char *name, bool recursive)
{
	_cleanup_close_ int dst = open_target(dir, name);
	if (dst < 0)
		return dst;
	int tree = (int)syscall(SYS_open_tree, src, "",
				KC_OPEN_TREE_CLONE | KC_OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
				    (recursive ? KC_AT_RECURSIVE : 0));
	if (tree >= 0) {
		if (syscall(SYS_move_mount, tree, "", dst, "",
			    KC_MOVE_MOUNT_F_EMPTY_PATH | KC_MOVE_MOUNT_T_EMPTY_PATH) < 0) {
			int e = errno;
			close(tree);
			return -e;
		}
		return tree;
	}
	if (errno != ENOSYS && errno != EPERM)
		return -errno;
	/* mount(2) through the handles' magic links */
	char s[64], d[64];
	proc_fd_path(s, sizeof(s), src);
	proc_fd_path(d, sizeof(d), dst);
	if (mount(s, d, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		return -errno;
	return open_target(dir, name);
}

int fd_mount_setattr(int mnt, unsigned long flags, unsigned long propagation, bool recursive)
{
	struct kc_mount_attr attr = {.propagation = propagation};
	if (flags & MS_RDONLY)
		attr.attr_set |= KC_MOUNT_ATTR_RDONLY;
	if (flags & MS_NOSUID)
		attr.attr_set |= KC_MOUNT_ATTR_NOSUID;
	if (flags & MS_NODEV)
		attr.attr_set |= KC_MOUNT_ATTR_NODEV;
	if (flags & MS_NOEXEC)
		attr.attr_set |= KC_MOUNT_ATTR_NOEXEC;
	if (syscall(SYS_mount_setattr, mnt, "", AT_EMPTY_PATH | (recursive ? KC_AT_RECURSIVE : 0),
		    &attr, sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS && errno != EPERM)
		return -errno;
	char p[64];
	proc_fd_path(p, sizeof(p), mnt);
	if (flags && mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
		return -errno;
	if (propagation && mount(NULL, p, NULL, propagation | (recursive ? MS_REC : 0), NULL) < 0)
		return -errno;
	return 0;
}

bool fd_is_mount_point(int dir, const char *name)
{
	_cleanup_close_ int fd = open_target(dir, name);
	if (fd < 0)
		return false;
	unsigned long long a = fd_mount_id(dir), b = fd_mount_id(fd);
	if (a && b)
		return a != b;
	struct stat sd, sf;
	return fstat(dir, &sd) == 0 && fstat(fd, &sf) == 0 && sd.st_dev != sf.st_dev;
}

int fd_umount_at(int dir, const char *name)
{
	/* stacked mounts come off one at a time */
	for (int i = 0; i < 64; i++) {
		if (!fd_is_mount_point(dir, name))
			return 0;
		_cleanup_close_ int fd = open_target(dir, name);
		if (fd < 0)
			return fd == -ENOENT ? 0 : fd;
		char p[64];
		proc_fd_path(p, sizeof(p), fd);
		/* the magic link names this very mount, wherever it now is */
		if (umount2(p, MNT_DETACH) < 0)
			return -errno;
	}
	return -EBUSY;
}
