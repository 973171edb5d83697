/* Files beneath a directory handle. Every path that a less trusted party
 * can write into (the guest's share, a bundle or its rootfs, a --host-root
 * tree, the runtime's own state under --root) is resolved from a directory
 * file descriptor opened once, never as a string from "/":
 *
 *   BENEATH_STRICT   no symlinks at all, never above the directory
 *                    (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): our own trees;
 *   BENEATH_SYMLINKS symlinks followed while they stay beneath it
 *                    (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): a bundle;
 *   BENEATH_IN_ROOT  the directory is "/" for the path and its symlinks
 *                    (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): a host root.
 *
 * openat2(2) does it where the kernel has it (5.6+) and a seccomp profile
 * lets it through; elsewhere a walk one component at a time with
 * O_NOFOLLOW gives the same answers (tests run both).
 *
 * Creation never takes over what is there (O_EXCL, mkdirat), removal works
 * on one name relative to a handle and never descends through a symlink or
 * into another mount. Functions return a descriptor or 0 on success and
 * -errno on failure, unless they say otherwise. */
#ifndef KC_BENEATH_H
#define KC_BENEATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

enum beneath_mode {
	BENEATH_STRICT,
	BENEATH_SYMLINKS,
	BENEATH_IN_ROOT,
};

/* open(2) of path beneath dirfd (O_CLOEXEC always added). path may be
 * absolute: it is taken relative to dirfd all the same. With O_CREAT the
 * last component is created (mode) after its parent was resolved. */
int beneath_open(int dirfd, const char *path, int flags, mode_t mode, enum beneath_mode how);

/* An O_PATH handle of the directory at path. */
int beneath_open_dir(int dirfd, const char *path, enum beneath_mode how);

/* A whole regular file, NUL-terminated, at most max bytes (-EFBIG beyond).
 * Opened O_NONBLOCK and refused unless regular (-EINVAL; -EISDIR for a
 * directory), so a FIFO or a device planted in its place cannot block or
 * feed us. */
int beneath_read_file(int dirfd, const char *path, enum beneath_mode how, size_t max, char **out,
		      size_t *len);

/* Make the directory path (its parent must exist) and return an O_PATH
 * handle of the directory made: -EEXIST if anything is there already. */
int beneath_mkdir(int dirfd, const char *path, mode_t mode, enum beneath_mode how);
/* Make path and its missing parents; an existing directory is fine (and
 * anything else in the way is -ENOTDIR). Returns an O_PATH handle. */
int beneath_mkdir_p(int dirfd, const char *path, mode_t mode, enum beneath_mode how);

/* Write a file atomically beneath dirfd: a temporary file made with O_EXCL
 * in the target's directory, fsync, renameat over the target, fsync of the
 * directory. On failure nothing is left and err names path. */
int beneath_write_atomic(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
			 enum beneath_mode how, struct kc_error *err);

/* unlinkat(2) of path's last component in its parent resolved beneath
 * dirfd (flags: 0 or AT_REMOVEDIR). A symlink is removed, not followed. */
int beneath_unlink(int dirfd, const char *path, int flags, enum beneath_mode how);
/* renameat(2) of one name to another, both in the directory at dir. */
int beneath_rename(int dirfd, const char *from, const char *to, enum beneath_mode how);
/* linkat(2): a new name (made, never replacing anything) for what from
 * names - a symlink itself, not what it points to. */
int beneath_link(int dirfd, const char *from, const char *to, enum beneath_mode how);

/* Remove name (a directory of dirfd) and everything in it. Symlinks are
 * removed as links; nothing on another mount is touched (a mount left in
 * the tree keeps it, and -EBUSY is returned). 0 when it is gone. */
int beneath_remove_tree(int dirfd, const char *name);

/* The mount id of what fd refers to (statx), 0 if unknown. */
unsigned long long fd_mount_id(int fd);

/* Tests: resolve without openat2, as on a kernel or seccomp profile that
 * lacks it. */
void beneath_force_fallback(bool on);

#endif
