/* Host-root path resolution (see hostroot.h). */
#include "hostroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "beneath.h"
#include "strbuf.h"
#include "xalloc.h"

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

int host_write_file(const struct host_root *root, const char *path, const void *data, size_t len,
		    mode_t mode, struct kc_error *err)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		int fd = beneath_mkdir_p(root->fd, dir, 0755, BENEATH_IN_ROOT);
		if (fd < 0)
			return kc_error_set(err, -fd, "cannot create the directory of %s", path);
		close(fd);
	}
	return beneath_write_atomic(root->fd, path, data, len, mode, BENEATH_IN_ROOT, err);
}

int host_mkdir_p(const struct host_root *root, const char *path, mode_t mode)
{
	int fd = beneath_mkdir_p(root->fd, path, mode, BENEATH_IN_ROOT);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int host_unlink(const struct host_root *root, const char *path, int flags)
{
	return beneath_unlink(root->fd, path, flags, BENEATH_IN_ROOT);
}

int host_rename(const struct host_root *root, const char *from, const char *to)
{
	return beneath_rename(root->fd, from, to, BENEATH_IN_ROOT);
}

int host_link(const struct host_root *root, const char *from, const char *to)
{
	return beneath_link(root->fd, from, to, BENEATH_IN_ROOT);
}

/* One write to /proc/self/NAME; what the kernel refuses shows in the
 * chroot that follows. */
static void write_proc_self(const char *name, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/%s", name);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0)
		(void)!write(fd, text, strlen(text));
}

/* In the child: make the root our "/", in a mount namespace of our own
 * whose mounts propagate nowhere. As root a chroot is enough; as anyone
 * else, a user namespace of our own gives us the right to both. */
static int enter_root(int rootfd)
{
	if (fchdir(rootfd) < 0)
		return -errno;
	if (unshare(CLONE_NEWNS) == 0) {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return -errno;
		if (chroot(".") == 0)
			return chdir("/") < 0 ? -errno : 0;
	}
	if (errno != EPERM)
		return -errno;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return -EPERM;
	char map[64];
	write_proc_self("setgroups", "deny");
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
	write_proc_self("uid_map", map);
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
	write_proc_self("gid_map", map);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || chroot(".") < 0)
		return -errno;
	return chdir("/") < 0 ? -errno : 0;
}

int host_run_confined(const struct host_root *root, int (*fn)(void *arg, void *result), void *arg,
		      void *result, size_t size, struct kc_error *err)
{
	if (root->live)
		return fn(arg, result);
	/* the child's word on how it ended, then the result (plain data), each
	 * at an alignment any type may need */
	const size_t head = sizeof(max_align_t);
	size_t total = head + size;
	unsigned char *map =
	    mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return kc_error_set(err, errno, "shared memory for a confined child");
	int *status = (int *)(void *)map;
	unsigned char *shared = map + head;
	status[0] = status[1] = 0;
	memcpy(shared, result, size);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		munmap(map, total);
		return kc_error_set(err, e, "fork");
	}
	if (pid == 0) {
		alarm(HOST_CONFINED_TIMEOUT_S);
		int r = enter_root(root->fd);
		if (r < 0) {
			status[0] = 1;
			status[1] = -r;
			_exit(0);
		}
		status[1] = fn(arg, shared);
		status[0] = 2;
		_exit(0);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int rc;
	if (status[0] == 2) {
		memcpy(result, shared, size);
		rc = status[1];
	} else if (status[0] == 1) {
		rc = kc_error_set(err, status[1],
				  "cannot confine a library to the host root %s (chroot)",
				  root->dir);
	} else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) {
		rc = kc_error_set(
		    err, 0,
		    "reading the host root %s did not finish within %d s (a FIFO or a device in "
		    "place of a file?)",
		    root->dir, HOST_CONFINED_TIMEOUT_S);
	} else {
		rc = kc_error_set(err, 0, "reading the host root %s: the confined child %s %d",
				  root->dir,
				  WIFSIGNALED(st) ? "died of signal" : "exited with status",
				  WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
	munmap(map, total);
	return rc;
}
