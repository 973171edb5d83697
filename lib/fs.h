/* Files on the caller's own filesystem (host-root reads are hostroot.h). */
#ifndef KC_FS_H
#define KC_FS_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "error.h"

/* Read a regular file whole (at most max bytes), NUL-terminated.
 * -errno on failure (-EFBIG beyond max, -EINVAL for a non-regular file). */
int read_file(const char *path, size_t max, char **out, size_t *len);
/* The same from an open descriptor: a regular file only (a FIFO or device
 * is -EINVAL, a directory -EISDIR), at most max bytes (-EFBIG). */
int read_fd_regular(int fd, size_t max, char **out, size_t *len);

/* A JSON document from a regular file (a FIFO or a device in its place is
 * refused without blocking), at most max bytes; NULL with err naming the
 * file, and the line and column of a syntax error. */
json_t *read_json_file(const char *path, size_t max, struct kc_error *err);
/* A command's JSON argument: read_json_file, or standard input for "-". */
json_t *read_json_arg(const char *arg, size_t max, struct kc_error *err);

/* Connect a stream socket to the unix socket at path, never through a
 * symlink in its last component (a process that owns the socket's
 * directory - an unprivileged QEMU - could swap one in to point us at
 * another daemon's socket): the socket file is opened O_PATH|O_NOFOLLOW,
 * checked, and connected to through its handle. Returns the connected
 * descriptor or -errno (-ELOOP for a symlink, -ENOTSOCK for a file). */
int unix_connect_nofollow(const char *path);

/* Write a file atomically: a temporary file in the same directory, fsync,
 * rename over the target, fsync the directory. The target is either the
 * old or the new file, never half-written. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      struct kc_error *err);
/* The same for the entry name of a directory handle (shown: the path
 * errors name). The temporary file is made with O_EXCL, so nothing in the
 * directory is ever opened or followed but what we made. */
int write_atomic_at(int dirfd, const char *name, const char *shown, const void *data, size_t len,
		    mode_t mode, struct kc_error *err);
/* Remove what a write_atomic_at killed before its rename leaves in a
 * directory of ours (".NAME.tmp-XXXXXXXX"), so that the directory can go. */
void remove_atomic_leftovers(int dirfd);

#endif
