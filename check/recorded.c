/* Recorded host answers (see recorded.h). */
#include "recorded.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strutil.h"

/* a whole `cpuid -r` of a 256-CPU host, or a long-running host's dmesg */
#define RECORDING_MAX (4 * 1024 * 1024)

int recorded_read(const struct host_root *root, const char *name, char **out)
{
	char path[128];
	int r;

	if (root->live)
		return 0;
	snprintf(path, sizeof(path), RECORDED_DIR "/%s", name);
	r = host_read_file(root, path, RECORDING_MAX, out, NULL);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : 1;
}

bool recorded_present(const struct host_root *root)
{
	struct stat st;
	return !root->live && host_stat(root, RECORDED_DIR, &st, false) == 0 && S_ISDIR(st.st_mode);
}

int errno_from_name(const char *s)
{
	unsigned v;

	if (!s || !*s)
		return -1;
	if (!strcmp(s, "ok"))
		return 0;
	if (parse_uint(s, 10, &v) == 0)
		return v < 4096 ? (int)v : -1;
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);
		if (n && !strcmp(n, s))
			return e;
	}
	return -1;
}

const char *errno_name(int e)
{
	static __thread char buf[16];
	const char *n;

	if (e == 0)
		return "ok";
	n = strerrorname_np(e);
	if (n)
		return n;
	snprintf(buf, sizeof(buf), "%d", e);
	return buf;
}
