/* State directories (see state.h). */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "beneath.h"
#include "oci.h"
#include "strbuf.h"
#include "xalloc.h"

int state_open_root(const char *root, bool create)
{
	if (create) {
		/* --root is the caller's choice of path: its parents as given */
		char buf[4096];
		snprintf(buf, sizeof(buf), "%s", root);
		for (char *p = buf + 1; *p; p++)
			if (*p == '/') {
				*p = '\0';
				if (mkdir(buf, 0711) < 0 && errno != EEXIST)
					return -errno;
				*p = '/';
			}
		if (mkdir(buf, 0711) < 0 && errno != EEXIST)
			return -errno;
	}
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

json_t *state_load_json(int dirfd, const char *name, const char *what, struct kc_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = beneath_read_file(dirfd, name, BENEATH_STRICT, STATE_FILE_MAX, &text, &len);
	if (r < 0)
		return kc_error_set(err, r == -EINVAL ? 0 : -r, "%s%s", what,
				    r == -EINVAL  ? ": not a regular file"
				    : r == -ELOOP ? ": a symlink"
						  : ""),
		       NULL;
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	if (!json_is_object(j)) {
		json_decref(j);
		return kc_error_set(err, 0, "%s: %s", what, j ? "not a JSON object" : je.text),
		       NULL;
	}
	return j;
}

static int init_paths(struct state_dir *s, const char *root, const char *id, bool create,
		      struct kc_error *err)
{
	memset(s, 0, sizeof(*s));
	s->fd = s->rootfd = -1;
	if (!oci_valid_id(id))
		return kc_error_set(
		    err, 0, "invalid container id '%s': use letters, digits and _+-. (not first)",
		    id);
	s->root = xstrdup(root);
	s->id = xstrdup(id);
	struct strbuf sb = STRBUF_INIT;
	strbuf_appendf(&sb, "%s/%s", root, id);
	s->dir = sb.s;
	s->rootfd = state_open_root(root, create);
	if (s->rootfd < 0)
		return kc_error_set(err, -s->rootfd, "state root %s", root);
	return 0;
}

static int lock_dir(struct state_dir *s, struct kc_error *err)
{
	s->fd = beneath_open(s->rootfd, s->id, O_RDONLY | O_DIRECTORY, 0, BENEATH_STRICT);
	if (s->fd < 0) {
		int e = -s->fd;
		s->fd = -1;
		return kc_error_set(err, e, "%s", s->dir);
	}
	while (flock(s->fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return kc_error_set(err, errno, "lock %s", s->dir);
	return 0;
}

int state_create(struct state_dir *s, const char *root, const char *id, struct kc_error *err)
{
	if (init_paths(s, root, id, true, err) < 0)
		return -1;
	int r = beneath_mkdir(s->rootfd, id, 0711, BENEATH_STRICT);
	if (r == -EEXIST)
		return kc_error_setc(err, EEXIST, "container with id exists: %s", id);
	if (r < 0)
		return kc_error_set(err, -r, "%s", s->dir);
	close(r);
	return lock_dir(s, err);
}

int state_open(struct state_dir *s, const char *root, const char *id, struct kc_error *err)
{
	if (init_paths(s, root, id, false, err) < 0) {
		if (err->errnum == ENOENT)
			kc_error_setc(err, ENOENT, "container \"%s\" does not exist", id);
		return -1;
	}
	if (lock_dir(s, err) < 0) {
		if (err->errnum == ENOENT || err->errnum == ENOTDIR || err->errnum == ELOOP)
			kc_error_setc(err, ENOENT, "container \"%s\" does not exist", id);
		return -1;
	}
	/* removed while we waited for the lock */
	struct stat st;
	if (fstat(s->fd, &st) == 0 && st.st_nlink == 0)
		return kc_error_setc(err, ENOENT, "container \"%s\" does not exist", id);
	return 0;
}

void state_close(struct state_dir *s)
{
	if (s->fd >= 0)
		close(s->fd); /* releases the lock */
	if (s->rootfd >= 0)
		close(s->rootfd);
	free(s->root);
	free(s->dir);
	free(s->id);
	memset(s, 0, sizeof(*s));
	s->fd = s->rootfd = -1;
}

int state_remove(struct state_dir *s)
{
	if (s->rootfd < 0 || !s->id)
		return -EINVAL;
	return beneath_remove_tree(s->rootfd, s->id);
}

json_t *state_read(const struct state_dir *s, struct kc_error *err)
{
	if (faccessat(s->fd, "state.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		return kc_error_set(err, 0,
				    "container \"%s\" has no state (a create that did not finish)",
				    s->id),
		       NULL;
	struct strbuf what = STRBUF_INIT;
	strbuf_appendf(&what, "%s/state.json", s->dir);
	json_t *j = state_load_json(s->fd, "state.json", what.s, err);
	strbuf_release(&what);
	return j;
}

int state_write(const struct state_dir *s, json_t *state, struct kc_error *err)
{
	char *text = json_dumps(state, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!text)
		return kc_error_set(err, 0, "state of %s: cannot encode", s->id);
	int rc = beneath_write_atomic(s->fd, "state.json", text, strlen(text), 0600, BENEATH_STRICT,
				      err);
	free(text);
	return rc;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **state_list(const char *root)
{
	size_t n = 0, cap = 8;
	char **v = xcalloc(cap, sizeof(char *));
	int rootfd = state_open_root(root, false);
	int dfd =
	    rootfd >= 0 ? beneath_open(rootfd, ".", O_RDONLY | O_DIRECTORY, 0, BENEATH_STRICT) : -1;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		/* ids only: the runtime's own entries start with a dot */
		if (!oci_valid_id(e->d_name))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/state.json", e->d_name);
		if (fstatat(dirfd(d), path, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (n + 1 >= cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(char *));
		}
		v[n++] = xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	else if (dfd >= 0)
		close(dfd);
	if (rootfd >= 0)
		close(rootfd);
	v[n] = NULL;
	qsort(v, n, sizeof(char *), cmp);
	return v;
}

void rfc3339_now(char *buf, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}
