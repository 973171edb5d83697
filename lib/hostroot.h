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
	char *dir;  /* absolute path, no trailing slash ("/" for the live host) */
	int fd;     /* O_PATH directory descriptor of dir */
	bool live;  /* dir is "/": the kernel we run on is the host's kernel */
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

#endif
