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

#include "fs.h"
#include "oci.h"
#include "strbuf.h"

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, mode) < 0 && errno != EEXIST ? -1 : 0;
}

static int init_paths(struct state_dir *s, const char *root, const char *id, struct kc_error *err)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (!oci_valid_id(id))
		return kc_error_set(err, 0, "invalid container id '%s': use letters, digits and _+-. only", id);
	s->root = xstrdup(root);
	s->id = xstrdup(id);
	struct strbuf sb = STRBUF_INIT;
	strbuf_appendf(&sb, "%s/%s", root, id);
	s->dir = sb.s;
	return 0;
}

static int lock_dir(struct state_dir *s, struct kc_error *err)
{
	s->fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->fd < 0)
		return kc_error_set(err, errno, "%s", s->dir);
	while (flock(s->fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return kc_error_set(err, errno, "lock %s", s->dir);
	return 0;
}

int state_create(struct state_dir *s, const char *root, const char *id, struct kc_error *err)
{
	if (init_paths(s, root, id, err) < 0)
		return -1;
	if (mkdir_p(root, 0711) < 0)
		return kc_error_set(err, errno, "state root %s", root);
	if (mkdir(s->dir, 0711) < 0) {
		if (errno == EEXIST)
			return kc_error_set(err, 0, "container with id exists: %s", id);
		return kc_error_set(err, errno, "%s", s->dir);
	}
	return lock_dir(s, err);
}

int state_open(struct state_dir *s, const char *root, const char *id, struct kc_error *err)
{
	if (init_paths(s, root, id, err) < 0)
		return -1;
	if (lock_dir(s, err) < 0) {
		if (err->errnum == ENOENT || err->errnum == ENOTDIR)
			kc_error_set(err, 0, "container \"%s\" does not exist", id);
		return -1;
	}
	/* removed while we waited for the lock */
	if (faccessat(s->fd, "state.json", F_OK, 0) < 0) {
		struct stat st;
		if (fstat(s->fd, &st) == 0 && st.st_nlink == 0)
			return kc_error_set(err, 0, "container \"%s\" does not exist", id);
	}
	return 0;
}

void state_close(struct state_dir *s)
{
	if (s->fd >= 0)
		close(s->fd); /* releases the lock */
	free(s->root);
	free(s->dir);
	free(s->id);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static void remove_tree_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				remove_tree_at(fd, e->d_name);
		if (d)
			closedir(d);
		else
			close(fd);
		unlinkat(dirfd, name, AT_REMOVEDIR);
	} else {
		unlinkat(dirfd, name, 0);
	}
}

int state_remove(struct state_dir *s)
{
	remove_tree_at(AT_FDCWD, s->dir);
	return 0;
}

json_t *state_read(const struct state_dir *s, struct kc_error *err)
{
	json_error_t je;
	int fd = openat(s->fd, "state.json", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kc_error_set(err, errno == ENOENT ? 0 : errno, "container \"%s\" has no state (a create that did not finish)", s->id), NULL;
	json_t *j = json_loadfd(fd, 0, &je);
	close(fd);
	if (!json_is_object(j)) {
		json_decref(j);
		return kc_error_set(err, 0, "%s/state.json: %s", s->dir, je.text), NULL;
	}
	return j;
}

int state_write(const struct state_dir *s, json_t *state, struct kc_error *err)
{
	char *text = json_dumps(state, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!text)
		return kc_error_set(err, 0, "state of %s: cannot encode", s->id);
	struct strbuf path = STRBUF_INIT;
	strbuf_appendf(&path, "%s/state.json", s->dir);
	int rc = write_file_atomic(path.s, text, strlen(text), 0600, err);
	strbuf_release(&path);
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
	DIR *d = opendir(root);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!oci_valid_id(e->d_name))
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s/state.json", root, e->d_name);
		if (access(path, F_OK) < 0)
			continue;
		if (n + 1 >= cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(char *));
		}
		v[n++] = xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	v[n] = NULL;
	qsort(v, n, sizeof(char *), cmp);
	return v;
}

void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

void rfc3339_now(char *buf, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}
