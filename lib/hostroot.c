/* Host-root path resolution (see hostroot.h). */
#include "hostroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "beneath.h"
#include "strbuf.h"

/* Every open resolves inside the root (see beneath.h): absolute symlinks
 * and ".." stop at it, and /proc magic links are never followed. */
static int open_in_root(const struct host_root *root, const char *path, int flags)
{
	return beneath_open(root->fd, path, flags, 0, BENEATH_IN_ROOT);
}

int host_root_open(struct host_root *root, const char *dir, struct kc_error *err)
{
	struct stat st;
	char resolved[PATH_MAX];
	int fd;

	memset(root, 0, sizeof(*root));
	root->fd = -1;
	if (!dir || !*dir)
		dir = "/";
	if (!realpath(dir, resolved))
		return kc_error_set(err, errno, "host root '%s'", dir);
	fd = open(resolved, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOTDIR)
			return kc_error_set(err, 0, "host root '%s' is not a directory", dir);
		return kc_error_set(err, errno, "host root '%s'", dir);
	}
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return kc_error_set(err, 0, "host root '%s' is not a directory", dir);
	}
	root->fd = fd;
	root->dir = xstrdup(resolved);
	root->live = strcmp(resolved, "/") == 0;
	return 0;
}

void host_root_close(struct host_root *root)
{
	if (root->fd >= 0)
		close(root->fd);
	free(root->dir);
	root->dir = NULL;
	root->fd = -1;
}

int host_open(const struct host_root *root, const char *path, int flags)
{
	return open_in_root(root, path, flags);
}

char *host_path(const struct host_root *root, const char *path)
{
	if (root->live)
		return xstrdup(path);
	while (*path == '/')
		path++;
	return xasprintf("%s/%s", root->dir, *path ? path : ".");
}

/* Open a file to read: only regular files (procfs and sysfs attributes are
 * regular too). O_NONBLOCK so that a FIFO planted in a host tree cannot
 * block the open; the type check then refuses it. */
static int open_regular(const struct host_root *root, const char *path)
{
	struct stat st;
	int fd = open_in_root(root, path, O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		close(fd);
		return -e;
	}
	return fd;
}

int host_read_file(const struct host_root *root, const char *path, size_t max, char **out,
		   size_t *len)
{
	_cleanup_close_ int fd = open_regular(root, path);
	_cleanup_free_ char *buf = NULL;
	size_t used = 0, cap = 0;

	if (fd < 0)
		return fd;
	for (;;) {
		if (cap - used < 2) {
			cap = cap ? cap * 2 : 4096;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max)
			return -EFBIG;
	}
	if (!buf)
		buf = xmalloc(1);
	buf[used] = '\0';
	if (len)
		*len = used;
	*out = steal_pointer(&buf);
	return 0;
}

int host_read_attr(const struct host_root *root, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open_regular(root, path);
	char tmp[4096];
	ssize_t n;

	if (fd < 0)
		return fd;
	do
		n = read(fd, tmp, sizeof(tmp) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	tmp[n] = '\0';
	char *nl = strchr(tmp, '\n');
	if (nl)
		*nl = '\0';
	/* trim both ends */
	char *s = tmp;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t l = strlen(s);
	while (l > 0 && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r'))
		s[--l] = '\0';
	if (l >= size)
		return -ENAMETOOLONG;
	memcpy(buf, s, l + 1);
	return 0;
}

int host_stat(const struct host_root *root, const char *path, struct stat *st, bool follow)
{
	_cleanup_close_ int fd = open_in_root(root, path, O_PATH | (follow ? 0 : O_NOFOLLOW));

	if (fd < 0)
		return fd;
	return fstat(fd, st) < 0 ? -errno : 0;
}

bool host_exists(const struct host_root *root, const char *path)
{
	struct stat st;
	return host_stat(root, path, &st, true) == 0;
}

int host_readlink(const struct host_root *root, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open_in_root(root, path, O_PATH | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = readlinkat(fd, "", buf, size);
	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

DIR *host_opendir(const struct host_root *root, const char *path)
{
	int fd = open_in_root(root, path, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return d;
}
