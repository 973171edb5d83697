/* Files beneath a directory handle (see beneath.h). */
#include "beneath.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs.h"
#include "macros.h"
#include "strbuf.h"
#include "xalloc.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#define MAX_SYMLINKS   40 /* as the kernel's path walk */
#define MAX_TREE_DEPTH 256

/* 0 unknown, 1 openat2 works, -1 it does not (ENOSYS on old kernels, EPERM
 * under some container seccomp profiles); probed once, shared by threads. */
static int openat2_state;
static bool forced_fallback;

void beneath_force_fallback(bool on)
{
	forced_fallback = on;
}

static bool have_openat2(void)
{
	if (forced_fallback)
		return false;
	int s = __atomic_load_n(&openat2_state, __ATOMIC_RELAXED);
	if (s)
		return s > 0;
	/* a call that cannot fail for any other reason */
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_MAGICLINKS};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
	s = fd >= 0 ? 1 : -1;
	if (fd >= 0)
		close(fd);
	__atomic_store_n(&openat2_state, s, __ATOMIC_RELAXED);
	return s > 0;
}

static const char *relative(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

static int open_with_openat2(int dirfd, const char *path, int flags, mode_t mode,
			     enum beneath_mode how)
{
	struct open_how oh = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
	};
	switch (how) {
	case BENEATH_STRICT:
		oh.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
		break;
	case BENEATH_SYMLINKS: oh.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS; break;
	case BENEATH_IN_ROOT: oh.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS; break;
	}
	int fd;
	do
		fd = (int)syscall(SYS_openat2, dirfd, relative(path), &oh, sizeof(oh));
	while (fd < 0 && errno == EAGAIN); /* a rename raced the lookup: retry */
	return fd >= 0 ? fd : -errno;
}

/* ---- the walk without openat2 -------------------------------------------- */

/* The directories walked through, so that ".." goes back without a lookup
 * (which a rename could redirect); [0] is the starting directory. */
struct walk {
	int fds[MAX_TREE_DEPTH];
	int depth;
	struct strbuf rest; /* components still to resolve */
	int links;
};

static void walk_free(struct walk *w)
{
	for (int i = 0; i <= w->depth; i++)
		if (w->fds[i] >= 0)
			close(w->fds[i]);
	strbuf_release(&w->rest);
}

static void walk_reset(struct walk *w)
{
	while (w->depth > 0)
		close(w->fds[w->depth--]);
}

/* Take the next component off w->rest into comp (NAME_MAX + 1 bytes):
 * 1, or 0 when none is left, or -ENAMETOOLONG. */
static int next_component(struct walk *w, char *comp, bool *last)
{
	const char *s = w->rest.s ? w->rest.s : "";
	size_t skip = strspn(s, "/");
	size_t n = strcspn(s + skip, "/");
	if (!n)
		return 0;
	if (n > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(comp, s + skip, n);
	comp[n] = '\0';
	const char *after = s + skip + n;
	*last = after[strspn(after, "/")] == '\0';
	struct strbuf tail = STRBUF_INIT;
	strbuf_append(&tail, after);
	strbuf_release(&w->rest);
	w->rest = tail;
	return 1;
}

/* A symlink's target goes in front of what is left to resolve. */
static int follow_link(struct walk *w, int linkfd, enum beneath_mode how)
{
	char target[4096];
	ssize_t n = readlinkat(linkfd, "", target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (++w->links > MAX_SYMLINKS)
		return -ELOOP;
	if (target[0] == '/') {
		if (how != BENEATH_IN_ROOT)
			return -EXDEV;
		walk_reset(w);
	}
	struct strbuf s = STRBUF_INIT;
	strbuf_appendf(&s, "%s/%s", target, w->rest.s ? w->rest.s : "");
	strbuf_release(&w->rest);
	w->rest = s;
	return 0;
}

static int open_by_walk(int dirfd, const char *path, int flags, mode_t mode, enum beneath_mode how)
{
	struct walk w = {.depth = 0};
	char comp[NAME_MAX + 1];
	bool last = false;
	int rc;

	w.fds[0] = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (w.fds[0] < 0)
		return -errno;
	strbuf_append(&w.rest, path);
	for (;;) {
		int more = next_component(&w, comp, &last);
		if (more < 0) {
			rc = more;
			break;
		}
		if (!more) {
			/* nothing left: the directory we are in */
			rc = openat(w.fds[w.depth], ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
			rc = rc >= 0 ? rc : -errno;
			break;
		}
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			if (w.depth > 0)
				close(w.fds[w.depth--]);
			else if (how != BENEATH_IN_ROOT) {
				rc = -EXDEV;
				break;
			}
			continue;
		}
		int fd = openat(w.fds[w.depth], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
			bool follow = how != BENEATH_STRICT && !(last && (flags & O_NOFOLLOW));
			if (!follow) {
				if (last && (flags & O_PATH) && (flags & O_NOFOLLOW) &&
				    !(flags & O_CREAT)) {
					rc = fd; /* O_PATH | O_NOFOLLOW: the link itself */
					break;
				}
				close(fd);
				rc = last && (flags & O_CREAT) && (flags & O_EXCL) ? -EEXIST
										   : -ELOOP;
				break;
			}
			rc = follow_link(&w, fd, how);
			close(fd);
			if (rc < 0)
				break;
			continue;
		}
		if (last) {
			if (fd >= 0)
				close(fd);
			else if (errno != ENOENT || !(flags & O_CREAT)) {
				rc = -errno;
				break;
			}
			/* O_NOFOLLOW: a symlink swapped in since the look above fails */
			rc = openat(w.fds[w.depth], comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
			rc = rc >= 0 ? rc : -errno;
			break;
		}
		if (fd < 0) {
			rc = -errno;
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			rc = -ENOTDIR;
			break;
		}
		if (w.depth + 1 >= MAX_TREE_DEPTH) {
			close(fd);
			rc = -ELOOP;
			break;
		}
		w.fds[++w.depth] = fd;
	}
	walk_free(&w);
	return rc;
}

/* ---- the interface ------------------------------------------------------- */

int beneath_open(int dirfd, const char *path, int flags, mode_t mode, enum beneath_mode how)
{
	if (!path)
		return -EINVAL;
	if (have_openat2())
		return open_with_openat2(dirfd, path, flags, mode, how);
	return open_by_walk(dirfd, path, flags, mode, how);
}

int beneath_open_dir(int dirfd, const char *path, enum beneath_mode how)
{
	return beneath_open(dirfd, path, O_PATH | O_DIRECTORY, 0, how);
}

int beneath_read_file(int dirfd, const char *path, enum beneath_mode how, size_t max, char **out,
		      size_t *len)
{
	_cleanup_close_ int fd =
	    beneath_open(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, how);
	if (fd < 0)
		return fd;
	return read_fd_regular(fd, max, out, len);
}

/* Split path into its parent (a new string, "." when none) and its last
 * component; -EINVAL for a path whose last component is "", "." or "..". */
static int split_last(const char *path, char **parent, const char **last)
{
	size_t n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	size_t start = n;
	while (start > 0 && path[start - 1] != '/')
		start--;
	size_t ln = n - start;
	if (!ln || ln > NAME_MAX || (ln == 1 && path[start] == '.') ||
	    (ln == 2 && path[start] == '.' && path[start + 1] == '.'))
		return -EINVAL;
	if (path[n]) /* a trailing slash: not ours to keep */
		return -EINVAL;
	*parent = start ? xasprintf("%.*s", (int)start, path) : xstrdup(".");
	*last = path + start;
	return 0;
}

/* The directory path names an entry of (as an O_PATH handle), and the
 * entry's name in it (inside path). */
static int open_parent(int dirfd, const char *path, enum beneath_mode how, const char **last)
{
	_cleanup_free_ char *parent = NULL;
	int r = split_last(path, &parent, last);
	return r < 0 ? r : beneath_open_dir(dirfd, parent, how);
}

int beneath_mkdir(int dirfd, const char *path, mode_t mode, enum beneath_mode how)
{
	const char *last;
	_cleanup_close_ int pfd = open_parent(dirfd, path, how, &last);
	if (pfd < 0)
		return pfd;
	if (mkdirat(pfd, last, mode) < 0)
		return -errno;
	/* the directory just made: O_NOFOLLOW refuses a symlink swapped in */
	int fd = openat(pfd, last, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

int beneath_mkdir_p(int dirfd, const char *path, mode_t mode, enum beneath_mode how)
{
	struct strbuf prefix = STRBUF_INIT;
	const char *p = path;
	int fd = beneath_open_dir(dirfd, ".", how);

	while (fd >= 0) {
		p += strspn(p, "/");
		size_t n = strcspn(p, "/");
		if (!n)
			break;
		strbuf_appendf(&prefix, "%s%.*s", prefix.len ? "/" : "", (int)n, p);
		p += n;
		/* each prefix from the start: symlinks resolve as the mode says */
		int next = beneath_open_dir(dirfd, prefix.s, how);
		if (next == -ENOENT) {
			char name[NAME_MAX + 1];
			snprintf(name, sizeof(name), "%.*s",
				 (int)(n < sizeof(name) ? n : sizeof(name) - 1), p - n);
			if (n > NAME_MAX || (mkdirat(fd, name, mode) < 0 && errno != EEXIST))
				next = n > NAME_MAX ? -ENAMETOOLONG : -errno;
			else
				next = beneath_open_dir(dirfd, prefix.s, how);
		}
		close(fd);
		fd = next;
	}
	strbuf_release(&prefix);
	return fd;
}

int beneath_write_atomic(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
			 enum beneath_mode how, struct kc_error *err)
{
	_cleanup_free_ char *parent = NULL;
	const char *last;
	int r = split_last(path, &parent, &last);
	if (r < 0)
		return kc_error_set(err, -r, "cannot write %s", path);
	_cleanup_close_ int pfd = beneath_open(dirfd, parent, O_RDONLY | O_DIRECTORY, 0, how);
	if (pfd < 0)
		return kc_error_set(err, -pfd, "cannot write %s: its directory", path);
	return write_atomic_at(pfd, last, path, data, len, mode, err);
}

int beneath_unlink(int dirfd, const char *path, int flags, enum beneath_mode how)
{
	const char *last;
	_cleanup_close_ int pfd = open_parent(dirfd, path, how, &last);
	if (pfd < 0)
		return pfd;
	return unlinkat(pfd, last, flags) < 0 ? -errno : 0;
}

/* renameat(2) or linkat(2) of one name to another, each resolved in its
 * parent beneath dirfd. */
static int two_names(int dirfd, const char *from, const char *to, enum beneath_mode how, bool link)
{
	const char *flast, *tlast;
	_cleanup_close_ int ffd = open_parent(dirfd, from, how, &flast);
	if (ffd < 0)
		return ffd;
	_cleanup_close_ int tfd = open_parent(dirfd, to, how, &tlast);
	if (tfd < 0)
		return tfd;
	int r = link ? linkat(ffd, flast, tfd, tlast, 0) : renameat(ffd, flast, tfd, tlast);
	return r < 0 ? -errno : 0;
}

int beneath_rename(int dirfd, const char *from, const char *to, enum beneath_mode how)
{
	return two_names(dirfd, from, to, how, false);
}

int beneath_link(int dirfd, const char *from, const char *to, enum beneath_mode how)
{
	return two_names(dirfd, from, to, how, true);
}

unsigned long long fd_mount_id(int fd)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID))
		return 0;
	return stx.stx_mnt_id;
}

/* Is fd on the same mount as its parent pfd? */
static bool same_mount(int pfd, int fd)
{
	unsigned long long a = fd_mount_id(pfd), b = fd_mount_id(fd);
	if (a && b)
		return a == b;
	struct stat sa, sb;
	return fstat(pfd, &sa) == 0 && fstat(fd, &sb) == 0 && sa.st_dev == sb.st_dev;
}

static int sweep_dir(int parent, const char *name, int depth)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno != ENOTDIR && errno != ELOOP)
			return -errno;
		/* not a directory (or a symlink): one name to unlink */
		struct stat st;
		if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return errno == ENOENT ? 0 : -errno;
		return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	}
	if (!same_mount(parent, fd)) {
		close(fd);
		return -EBUSY;
	}
	if (depth >= MAX_TREE_DEPTH) {
		close(fd);
		return -ELOOP;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return -e;
	}
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		int r = sweep_dir(dirfd(d), e->d_name, depth + 1);
		if (r < 0 && !rc)
			rc = r;
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT && !rc)
		rc = -errno;
	return rc;
}

int beneath_remove_tree(int dirfd, const char *name)
{
	return sweep_dir(dirfd, name, 0);
}
