/* The configuration resolution chain (see config_chain.h). */
#include "config_chain.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_paths.h"
#include "fs.h"
#include "strbuf.h"
#include "xalloc.h"

#define CONFIG_MAX (1024 * 1024)

const char *const config_default_paths[] = {KC_CONFIG_SYSTEM, KC_CONFIG_DEFAULT, NULL};

void config_source_free(struct config_source *src)
{
	free(src->path);
	strlist_free(&src->tried);
	memset(src, 0, sizeof(*src));
}

/* Why a path cannot serve as the configuration, or NULL when it can.
 * `in_root` picks host-root resolution (default levels) or the caller's
 * own filesystem (explicit paths). */
static const char *reject_reason(const struct host_root *root, const char *path, bool in_root,
				 char *buf, size_t len)
{
	struct stat lst, st;
	int lr, r;

	if (in_root) {
		lr = host_stat(root, path, &lst, false);
		r = host_stat(root, path, &st, true);
	} else {
		lr = lstat(path, &lst) < 0 ? -errno : 0;
		r = stat(path, &st) < 0 ? -errno : 0;
	}
	if (lr == -ENOENT)
		return "does not exist";
	if (lr == -ENOTDIR)
		return "a parent is not a directory";
	if (r == -ENOENT || r == -ELOOP) {
		char target[PATH_MAX] = "?";
		if (in_root)
			host_readlink(root, path, target, sizeof(target));
		else {
			ssize_t n = readlink(path, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = '\0';
		}
		snprintf(buf, len, "%s symlink to %s", r == -ELOOP ? "looping" : "dangling",
			 target);
		return buf;
	}
	if (r < 0) {
		snprintf(buf, len, "cannot be examined: %s", strerror(-r));
		return buf;
	}
	if (S_ISDIR(st.st_mode))
		return "is a directory";
	if (!S_ISREG(st.st_mode))
		return "is not a regular file";
	int fd = in_root ? host_open(root, path, O_RDONLY | O_NONBLOCK)
			 : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(buf, len, "cannot be read: %s", strerror(in_root ? -fd : errno));
		return buf;
	}
	close(fd);
	return NULL;
}

int config_locate(const struct host_root *root, const char *explicit_path,
		  struct config_source *src, struct kc_error *err)
{
	const char *env = getenv(KC_CONFIG_ENV);
	char why[PATH_MAX + 64];
	const char *reason;

	memset(src, 0, sizeof(*src));
	if (explicit_path || (env && *env)) {
		const char *path = explicit_path ? explicit_path : env;
		const char *origin = explicit_path ? "--kata-config" : KC_CONFIG_ENV;
		if (!*path)
			return kc_error_set(err, 0, "%s: the path is empty", origin);
		reason = reject_reason(root, path, false, why, sizeof(why));
		if (reason)
			return kc_error_set(err, 0, "configuration file %s (from %s) %s", path,
					    origin, reason);
		src->path = xstrdup(path);
		src->origin = origin;
		return 0;
	}
	for (size_t i = 0; config_default_paths[i]; i++) {
		const char *path = config_default_paths[i];
		reason = reject_reason(root, path, true, why, sizeof(why));
		if (!reason) {
			src->path = xstrdup(path);
			src->origin = i == 0 ? "system" : "default";
			return 0;
		}
		if (strcmp(reason, "does not exist")) {
			/* present but unusable: say so rather than fall back */
			return kc_error_set(err, 0, "configuration file %s %s", path, reason);
		}
		char *entry = xasprintf("%s: %s", path, reason);
		strlist_add(&src->tried, entry);
		free(entry);
	}
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < src->tried.n; i++)
		strbuf_appendf(&sb, "%s%s", i ? "; " : "", src->tried.v[i]);
	kc_error_set(err, 0,
		     "no configuration file found (--kata-config not given, %s not set; %s)",
		     KC_CONFIG_ENV, strbuf_str(&sb));
	strbuf_release(&sb);
	return -ENOENT;
}

int config_load(const struct host_root *root, const char *explicit_path, struct kc_config *c,
		struct config_source *src, struct kc_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	config_defaults(c);
	r = config_locate(root, explicit_path, src, err);
	if (r < 0)
		return r;
	/* default levels live in the host root; explicit paths are the caller's */
	if (!strcmp(src->origin, "system") || !strcmp(src->origin, "default"))
		r = host_read_file(root, src->path, CONFIG_MAX, &text, &len);
	else
		r = read_file(src->path, CONFIG_MAX, &text, &len);
	if (r < 0)
		return kc_error_set(err, -r, "configuration file %s", src->path);
	return config_load_text(c, text, len, src->path, err);
}
