/* Plain file helpers (see fs.h). */
#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "strbuf.h"
#include "xalloc.h"

int read_fd_regular(int fd, size_t max, char **out, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	char buf[16384];

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			strbuf_release(&sb);
			return -e;
		}
		if (n == 0)
			break;
		strbuf_append_len(&sb, buf, (size_t)n);
		if (sb.len > max) {
			strbuf_release(&sb);
			return -EFBIG;
		}
	}
	if (len)
		*len = sb.len;
	*out = sb.s ? strbuf_steal(&sb) : xstrdup("");
	return 0;
}

int read_file(const char *path, size_t max, char **out, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return read_fd_regular(fd, max, out, len);
}

json_t *read_json_file(const char *path, size_t max, struct kc_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = read_file(path, max, &text, &len);
	if (r == -EINVAL)
		return kc_error_set(err, 0, "%s: not a regular file", path), NULL;
	if (r == -EFBIG)
		return kc_error_set(err, 0, "%s: larger than %zu bytes", path, max), NULL;
	if (r < 0)
		return kc_error_set(err, -r, "%s", path), NULL;
	json_error_t je;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return kc_error_set(err, 0, "%s:%d:%d: %s", path, je.line, je.column, je.text),
		       NULL;
	return j;
}

json_t *read_json_arg(const char *arg, size_t max, struct kc_error *err)
{
	if (strcmp(arg, "-"))
		return read_json_file(arg, max, err);
	json_error_t je;
	json_t *j = json_loadf(stdin, 0, &je);
	if (!j)
		kc_error_set(err, 0, "standard input:%d:%d: %s", je.line, je.column, je.text);
	return j;
}

int unix_connect_nofollow(const char *path)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", fd);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(s);
		return -e;
	}
	return s;
}

/* ".NAME.tmp-" and eight hex digits: write_atomic_at's temporaries */
static bool is_atomic_temporary(const char *n)
{
	const char *t = strstr(n, ".tmp-");
	if (n[0] != '.' || !t || t <= n + 1 || strlen(t + 5) != 8)
		return false;
	for (const char *h = t + 5; *h; h++)
		if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
			return false;
	return true;
}

void remove_atomic_leftovers(int dirfd)
{
	_cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d)
		(void)kc_steal_fd(&fd); /* the DIR has it */
	struct dirent *e;
	while (d && (e = readdir(d)))
		if ((e->d_type == DT_REG || e->d_type == DT_UNKNOWN) &&
		    is_atomic_temporary(e->d_name))
			unlinkat(dirfd, e->d_name, 0);
}

int write_atomic_at(int dirfd, const char *name, const char *shown, const void *data, size_t len,
		    mode_t mode, struct kc_error *err)
{
	char tmp[NAME_MAX + 1];
	int fd = -1;
	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		unsigned rnd = 0;
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) < 0)
			rnd = (unsigned)getpid() ^ (unsigned)tries * 2654435761u;
		snprintf(tmp, sizeof(tmp), ".%.200s.tmp-%08x", name, rnd);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return kc_error_set(err, errno, "cannot create a temporary file next to %s",
					    shown);
	}
	if (fd < 0)
		return kc_error_set(err, EEXIST, "cannot create a temporary file next to %s",
				    shown);
	const char *p = data;
	int e = 0;
	while (len > 0 && !e) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno != EINTR)
			e = errno;
		else if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
	if (!e && (fchmod(fd, mode) < 0 || fsync(fd) < 0))
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && renameat(dirfd, tmp, dirfd, name) < 0)
		e = errno;
	if (e) {
		unlinkat(dirfd, tmp, 0);
		return kc_error_set(err, e, "cannot write %s", shown);
	}
	fsync(dirfd); /* the rename itself, durable */
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      struct kc_error *err)
{
	_cleanup_free_ char *dircopy = xstrdup(path), *basecopy = xstrdup(path);
	_cleanup_close_ int dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return kc_error_set(err, errno, "cannot write %s: its directory", path);
	return write_atomic_at(dfd, basename(basecopy), path, data, len, mode, err);
}
