/* Strict parsing helpers (see strutil.h). */
#include "strutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *str_trim(char *s)
{
	char *end;

	while (*s && isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

bool str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_endswith(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lf = strlen(suffix);
	return ls >= lf && memcmp(s + ls - lf, suffix, lf) == 0;
}

bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static int check_number_text(const char *s, const char *end)
{
	if (end == s)
		return -EINVAL;
	while (*end && isspace((unsigned char)*end))
		end++;
	return *end ? -EINVAL : 0;
}

int parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '-')
		return -ERANGE;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (check_number_text(s, end) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_i64(const char *s, int base, int64_t *out)
{
	char *end;
	long long v;

	if (!s)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (check_number_text(s, end) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_uint(const char *s, int base, unsigned *out)
{
	uint64_t v;
	int r = parse_u64(s, base, &v);
	if (r < 0)
		return r;
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = (unsigned)v;
	return 0;
}

int parse_kernel_bool(const char *s)
{
	char buf[8];

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	char *t = str_trim(buf);
	if (!strcmp(t, "Y") || !strcmp(t, "y") || !strcmp(t, "1"))
		return 1;
	if (!strcmp(t, "N") || !strcmp(t, "n") || !strcmp(t, "0"))
		return 0;
	return -EINVAL;
}

bool word_list_contains(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *p = list;

	if (!list || wl == 0)
		return false;
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		const char *start = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if ((size_t)(p - start) == wl && memcmp(start, word, wl) == 0)
			return true;
	}
	return false;
}

char *next_line(char **cursor)
{
	char *line = *cursor, *nl;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*cursor = nl + 1;
	} else {
		*cursor = line + strlen(line);
	}
	return line;
}

bool parse_env_line(char *line, char **key, char **value)
{
	char *eq, *v;

	line = str_trim(line);
	if (!*line || *line == '#')
		return false;
	eq = strchr(line, '=');
	if (!eq || eq == line)
		return false;
	*eq = '\0';
	for (char *k = line; *k; k++)
		if (!(isalnum((unsigned char)*k) || *k == '_'))
			return false;
	v = eq + 1;
	if (*v == '"' || *v == '\'') {
		char q = *v++;
		char *w = v;
		char *r = v;
		while (*r && *r != q) {
			if (q == '"' && *r == '\\' && r[1])
				r++;
			*w++ = *r++;
		}
		if (*r != q)
			return false;
		*w = '\0';
	}
	*key = line;
	*value = v;
	return true;
}

bool str_copy(char *dst, size_t n, const char *src)
{
	size_t l;

	if (n == 0)
		return false;
	if (!src)
		src = "";
	l = strlen(src);
	if (l >= n) {
		memcpy(dst, src, n - 1);
		dst[n - 1] = '\0';
		return false;
	}
	memcpy(dst, src, l + 1);
	return true;
}

void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}
