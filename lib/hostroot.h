/* Every host path goes through one root: "/" for the running system, or a
 * directory holding another host's tree (a DaemonSet's /host, a test
 * fixture). Files are opened with openat2(RESOLVE_IN_ROOT), so an absolute
 * symlink inside the tree (/etc/alternatives/..., /host/etc/kata-containers
 * -> /opt/...) resolves inside that tree, not on the machine we run on. */
#ifndef KC_HOSTROOT_H
#define KC_HOSTROOT_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "error.h"

struct host_root {
	char *dir; /* absolute path, no trailing slash ("/" for the live host) */
	int fd;	   /* O_PATH directory descriptor of dir */
	bool live; /* dir is "/": the kernel we run on is the host's kernel */
};

/* Open dir (NULL or "/" means the running system). A path that does not
 * exist or is not a directory is an error naming it. */
int host_root_open(struct host_root *root, const char *dir, struct kc_error *err);
void host_root_close(struct host_root *root);

/* open(2) of an absolute host path; returns fd or -errno. */
int host_open(const struct host_root *root, const char *path, int flags);

/* "dir + path" for libraries that take path strings (libkmod, libpci).
 * Caller frees. Such libraries do not get RESOLVE_IN_ROOT semantics. */
char *host_path(const struct host_root *root, const char *path);

/* Whole file, NUL-terminated, at most max bytes (-EFBIG beyond). -errno on
 * error; -EISDIR or -EINVAL for anything but a regular file. */
int host_read_file(const struct host_root *root, const char *path, size_t max, char **out,
		   size_t *len);

/* First line of a small attribute file (sysfs style), trimmed, into buf.
 * -errno on error, -ENAMETOOLONG if it did not fit. */
int host_read_attr(const struct host_root *root, const char *path, char *buf, size_t size);

int host_stat(const struct host_root *root, const char *path, struct stat *st, bool follow);
bool host_exists(const struct host_root *root, const char *path);
/* readlink(2) of the link itself; NUL-terminated; -errno on error. */
int host_readlink(const struct host_root *root, const char *path, char *buf, size_t size);
/* opendir(3); NULL with errno set on failure. */
DIR *host_opendir(const struct host_root *root, const char *path);

/* Writes stay inside the root the same way. Atomic (temporary file,
 * fsync, rename), missing parent directories made (0755). */
int host_write_file(const struct host_root *root, const char *path, const void *data, size_t len,
		    mode_t mode, struct kc_error *err);
int host_mkdir_p(const struct host_root *root, const char *path, mode_t mode);
int host_unlink(const struct host_root *root, const char *path, int flags);
int host_rename(const struct host_root *root, const char *from, const char *to);
int host_link(const struct host_root *root, const char *from, const char *to);

/* Libraries that take path strings (libkmod) cannot resolve inside a root:
 * run fn in a child process whose "/" is the root (chroot, inside a new
 * user namespace when we may not chroot), so nothing they open can be
 * outside it, bounded by timeout_s (a FIFO among the files they read
 * must not hang us). The child has a private mount namespace of its own:
 * fn may mount over what the library must not read. fn fills result (size bytes, shared with us)
 * and returns 0 or -errno. For the live root fn runs here, unconfined. Returns fn's result, or -1
 * with err when the child could not be run or did not finish. */
#define HOST_CONFINED_TIMEOUT_S 20
int host_run_confined(const struct host_root *root, int (*fn)(void *arg, void *result), void *arg,
		      void *result, size_t size, struct kc_error *err);

#endif
