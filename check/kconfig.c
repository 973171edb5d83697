/* Kernel build configuration look-up (see kconfig.h). */
#include "kconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "strutil.h"

#define KCONFIG_MAX (8 * 1024 * 1024)

/* Record the value of every queried symbol found in text (whole lines). */
static void scan_lines(const char *text, struct kconfig_query *q, size_t n)
{
	const char *p = text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *sym = p;
		size_t symlen = 0;
		char val = 0;

		if (len > 7 && !strncmp(p, "CONFIG_", 7)) {
			const char *eq = memchr(p, '=', len);
			if (eq && eq + 1 < p + len) {
				symlen = (size_t)(eq - p);
				val = eq[1] == 'y' ? 'y' : eq[1] == 'm' ? 'm' : 'v';
			}
		} else if (len > 9 && !strncmp(p, "# CONFIG_", 9)) {
			const char *sp = memchr(p + 2, ' ', len - 2);
			if (sp && !strncmp(sp, " is not set", 11)) {
				sym = p + 2;
				symlen = (size_t)(sp - sym);
				val = 'n';
			}
		}
		if (symlen) {
			for (size_t i = 0; i < n; i++)
				if (strlen(q[i].symbol) == symlen &&
				    !strncmp(q[i].symbol, sym, symlen))
					q[i].value = val == 'v'
							 ? 'y'
							 : val; /* a string/int value means "set" */
		}
		p = eol ? eol + 1 : NULL;
	}
}

void kconfig_scan(const char *text, struct kconfig_query *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		q[i].value = '-';
	scan_lines(text, q, n);
}

/* Inflate /proc/config.gz and scan it line by line as it comes: the
 * config is ~300 KB of text, and only a dozen symbols matter. */
static int scan_gz(int fd, struct kconfig_query *q, size_t n)
{
	gzFile gz = gzdopen(fd, "rb");
	char buf[16384];
	size_t keep = 0, total = 0;
	int r;

	if (!gz) {
		close(fd);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		q[i].value = '-';
	while ((r = gzread(gz, buf + keep, (unsigned)(sizeof(buf) - 1 - keep))) > 0) {
		size_t len = keep + (size_t)r;
		char *last_nl;

		total += (size_t)r;
		if (total > KCONFIG_MAX)
			break;
		buf[len] = '\0';
		last_nl = strrchr(buf, '\n');
		if (!last_nl) {
			/* a line longer than the buffer cannot be a CONFIG_ line we want */
			keep = 0;
			continue;
		}
		*last_nl = '\0';
		scan_lines(buf, q, n);
		keep = len - (size_t)(last_nl + 1 - buf);
		memmove(buf, last_nl + 1, keep);
	}
	gzclose(gz);
	if (r < 0 || total > KCONFIG_MAX)
		return -EINVAL;
	buf[keep] = '\0';
	scan_lines(buf, q, n);
	return 0;
}

int kconfig_lookup(const struct host_root *root, const char *release, struct kconfig_query *q,
		   size_t n, char *source, size_t source_len)
{
	_cleanup_free_ char *text = NULL;
	char path[256];
	int r;

	for (size_t i = 0; i < n; i++)
		q[i].value = 0;
	/* /boot first: it is plain text (cheaper than inflating config.gz) and
	 * names the release we were asked about. */
	snprintf(path, sizeof(path), "/boot/config-%s", release);
	r = release[0] ? host_read_file(root, path, KCONFIG_MAX, &text, NULL) : -ENOENT;
	if (r == -ENOENT) {
		int fd = host_open(root, "/proc/config.gz", O_RDONLY);
		if (fd < 0)
			return fd;
		r = scan_gz(fd, q, n);
		if (r < 0)
			return r;
		str_copy(source, source_len, "/proc/config.gz");
		return 0;
	}
	if (r < 0)
		return r;
	kconfig_scan(text, q, n);
	str_copy(source, source_len, path);
	return 0;
}
