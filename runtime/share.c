/* Sharing a container's files with the guest (see share.h). */
#include "share.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "strbuf.h"

static bool has_option(const json_t *m, const char *opt)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(m, "options"), i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), opt))
			return true;
	return false;
}

static bool is_bind(const json_t *m)
{
	const char *type = json_string_value(json_object_get(m, "type"));
	return (type && !strcmp(type, "bind")) || has_option(m, "bind") || has_option(m, "rbind");
}

static int bind_into(const char *src, const char *dst, bool recursive, struct kc_error *err)
{
	struct stat st;
	if (stat(src, &st) < 0)
		return kc_error_set(err, errno, "bind mount source %s", src);
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(dst, 0755) < 0 && errno != EEXIST)
			return kc_error_set(err, errno, "%s", dst);
	} else {
		int fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			return kc_error_set(err, errno, "%s", dst);
		close(fd);
	}
	if (mount(src, dst, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		return kc_error_set(err, errno, "bind %s into the shared directory", src);
	/* mounts made later on the host side still reach the guest, and ours
	 * never propagate back */
	mount(NULL, dst, NULL, MS_SLAVE | (recursive ? MS_REC : 0), NULL);
	return 0;
}

json_t *share_container(const char *shared_dir, const char *id, const char *rootfs, const json_t *spec,
			struct kc_error *err)
{
	struct strbuf path = STRBUF_INIT;
	strbuf_appendf(&path, "%s/%s", shared_dir, id);
	if (mkdir(path.s, 0755) < 0 && errno != EEXIST) {
		kc_error_set(err, errno, "%s", path.s);
		strbuf_release(&path);
		return NULL;
	}
	strbuf_append(&path, "/rootfs");
	int rc = bind_into(rootfs, path.s, true, err);
	strbuf_release(&path);
	if (rc < 0)
		return NULL;

	json_t *g = json_deep_copy(spec);
	json_t *mounts = json_object_get(g, "mounts");
	bool mounts_dir_made = false;
	size_t i;
	json_t *m;
	json_array_foreach(mounts, i, m) {
		if (!is_bind(m))
			continue;
		const char *dest = json_string_value(json_object_get(m, "destination"));
		const char *src = json_string_value(json_object_get(m, "source"));
		if (dest && !strcmp(dest, "/dev/shm")) {
			/* POSIX shared memory over 9p would not be shared memory: the
			 * guest gets a tmpfs (as Kata does) */
			json_object_set_new(m, "type", json_string("tmpfs"));
			json_object_set_new(m, "source", json_string("shm"));
			json_object_set_new(m, "options", json_pack("[s,s,s,s]", "nosuid", "nodev", "noexec", "mode=1777"));
			continue;
		}
		if (!src || src[0] != '/') {
			kc_error_set(err, 0, "mounts[%zu] (%s): a bind mount needs an absolute source", i, dest ? dest : "?");
			goto fail;
		}
		if (!strncmp(src, "/proc", 5) || !strncmp(src, "/sys", 4)) {
			kc_warn("mounts[%zu]: %s is the host's kernel interface: not shared into the VM", i, src);
			json_object_set_new(m, "type", json_string("tmpfs"));
			json_object_set_new(m, "source", json_string("tmpfs"));
			json_object_set_new(m, "options", json_pack("[s]", "ro"));
			continue;
		}
		const char *base = strrchr(src, '/');
		base = base && base[1] ? base + 1 : "root";
		/* everything of a container under shared/ID/: no other container's
		 * names can collide with it */
		char name[512];
		snprintf(name, sizeof(name), "%s/mounts/%zu-%s", id, i, base);
		if (i == 0 || !mounts_dir_made) {
			struct strbuf md = STRBUF_INIT;
			strbuf_appendf(&md, "%s/%s/mounts", shared_dir, id);
			mkdir(md.s, 0755);
			strbuf_release(&md);
			mounts_dir_made = true;
		}
		struct strbuf dst = STRBUF_INIT;
		strbuf_appendf(&dst, "%s/%s", shared_dir, name);
		rc = bind_into(src, dst.s, has_option(m, "rbind"), err);
		strbuf_release(&dst);
		if (rc < 0) {
			kc_error_wrap(err, "mounts[%zu] (%s)", i, dest ? dest : "?");
			goto fail;
		}
		json_object_set_new(m, "source", json_string(name));
	}
	return g;
fail:
	json_decref(g);
	unshare_container(shared_dir, id);
	return NULL;
}

struct mnt_list {
	char **v;
	size_t n, cap;
};

/* Mount points from mountinfo, octal escapes decoded. */
static void mounts_below(const char *dir, struct mnt_list *out)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	size_t dl = strlen(dir);
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		char *save, *tok = strtok_r(line, " ", &save);
		for (int i = 0; tok && i < 4; i++)
			tok = strtok_r(NULL, " ", &save);
		if (!tok)
			continue;
		char mp[4096];
		size_t k = 0;
		for (const char *p = tok; *p && k + 1 < sizeof(mp); p++) {
			if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3]) {
				mp[k++] = (char)(((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
				p += 3;
			} else {
				mp[k++] = *p;
			}
		}
		mp[k] = '\0';
		if (strncmp(mp, dir, dl) || (mp[dl] && mp[dl] != '/'))
			continue;
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 16;
			out->v = xrealloc(out->v, out->cap * sizeof(char *));
		}
		out->v[out->n++] = xstrdup(mp);
	}
	free(line);
	fclose(f);
}

static int longer_first(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

void umount_below(const char *dir)
{
	/* stacked mounts need more than one pass */
	for (int pass = 0; pass < 8; pass++) {
		struct mnt_list l = {0};
		mounts_below(dir, &l);
		if (!l.n) {
			free(l.v);
			return;
		}
		qsort(l.v, l.n, sizeof(char *), longer_first);
		for (size_t i = 0; i < l.n; i++) {
			if (umount2(l.v[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
				kc_warn("unmount %s: %s", l.v[i], strerror(errno));
			free(l.v[i]);
		}
		free(l.v);
	}
}

void unshare_container(const char *shared_dir, const char *id)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", shared_dir, id);
	umount_below(path);
	/* rmdir and unlink only: what we made are empty mount points, and a
	 * mount that refused to go is never deleted through */
	char sub[4200];
	snprintf(sub, sizeof(sub), "%s/rootfs", path);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/mounts", path);
	DIR *d = opendir(sub);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[4400];
		snprintf(p, sizeof(p), "%s/%s", sub, e->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rmdir(p);
		else if (S_ISREG(st.st_mode) && st.st_size == 0)
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(sub);
	rmdir(path);
}
