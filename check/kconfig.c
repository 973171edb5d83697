/* Kernel build configuration look-up (see kconfig.h). */
#include "kconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "strbuf.h"
#include "strutil.h"

#define KCONFIG_MAX (8 * 1024 * 1024)

void kconfig_scan(const char *text, struct kconfig_query *q, size_t n)
{
	const char *p = text;

	for (size_t i = 0; i < n; i++)
		q[i].value = 'n';
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
				if (strlen(q[i].symbol) == symlen && !strncmp(q[i].symbol, sym, symlen))
					q[i].value = val == 'v' ? 'y' : val; /* a string/int value means "set" */
		}
		p = eol ? eol + 1 : NULL;
	}
}

static int read_gz(int fd, char **out)
{
	gzFile gz = gzdopen(fd, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	int n;

	if (!gz) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = gzread(gz, buf, sizeof(buf))) > 0) {
		strbuf_append_len(&sb, buf, (size_t)n);
		if (sb.len > KCONFIG_MAX) {
			n = -1;
			break;
		}
	}
	gzclose(gz);
	if (n < 0) {
		strbuf_release(&sb);
		return -EINVAL;
	}
	*out = strbuf_steal(&sb);
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
		str_copy(path, sizeof(path), "/proc/config.gz");
		r = read_gz(fd, &text);
	}
	if (r < 0)
		return r;
	kconfig_scan(text, q, n);
	str_copy(source, source_len, path);
	return 0;
}
