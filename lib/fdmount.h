/* Mounts made and unmade through handles, never through path strings: the
 * source and the target are descriptors resolved beforehand (beneath.h),
 * so a symlink or rename swapped in after the checks cannot redirect the
 * mount. The new mount API (open_tree/move_mount/mount_setattr, Linux 5.2
 * and 5.12) where the kernel has it, mount(2) on /proc/self/fd/N
 * otherwise. Functions return 0 (or a descriptor) or -errno. */
#ifndef KC_FDMOUNT_H
#define KC_FDMOUNT_H

#include <stdbool.h>

/* How fd_bind_mount binds; NULL: a plain bind of src alone. */
struct fd_bind {
	bool recursive; /* src's submounts too */
	/* The new mount's flags (MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC;
	 * on its submounts too) and propagation (MS_SLAVE, MS_PRIVATE; 0
	 * keeps src's), from the moment it appears: when the target is on a
	 * shared mount, the copies propagation makes of it (in a slave, in
	 * another mount namespace) carry the flags too, which flags set once
	 * it is attached would not reach. The flags src had are kept. */
	unsigned long flags, propagation;
	/* A directory handle on a private mount of the caller's, or -1. A
	 * kernel without mount_setattr (before Linux 5.12) cannot change a
	 * mount before it is attached: there the bind is made in the stage,
	 * changed, and moved into place. Without a stage such a kernel gets
	 * the changes after the bind, on the original alone. */
	int stage;
};

/* Bind what src refers to onto the directory or file called name in the
 * directory dir. name must be what we made there: a symlink is refused
 * (-ELOOP). Returns an O_PATH handle of the new mount (for
 * fd_mount_setattr), or -errno. */
int fd_bind_mount(int src, int dir, const char *name, const struct fd_bind *how);

/* Change a mount, given a handle of its root: flags among MS_RDONLY,
 * MS_NOSUID, MS_NODEV, MS_NOEXEC are set (the others kept), and
 * propagation (MS_PRIVATE, MS_SHARED, MS_SLAVE; 0 for no change) applied,
 * to the mounts below it too when recursive. */
int fd_mount_setattr(int mnt, unsigned long flags, unsigned long propagation, bool recursive);

/* The flags among MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC that the mount
 * fd is on has, or -errno. */
long fd_mount_flags(int fd);

/* Tests: use mount(2) alone, as on a kernel without the new mount API. */
void fdmount_force_legacy(bool on);

/* Is something mounted on name in dir (a symlink never is)? */
bool fd_is_mount_point(int dir, const char *name);

/* Unmount everything mounted on name in dir (lazily, with whatever is
 * below it), found through a handle: 0 also when nothing was mounted
 * there. */
int fd_umount_at(int dir, const char *name);

#endif
