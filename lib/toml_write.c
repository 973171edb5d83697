/* TOML output (see toml_write.h). */
#include "toml_write.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "strbuf.h"

static bool is_table_array(const json_t *v)
{
	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	for (size_t i = 0; i < json_array_size(v); i++)
		if (!json_is_object(json_array_get(v, i)))
			return false;
	return true;
}

static bool bare_key(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		      (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
			return false;
	return true;
}

static void put_string(struct strbuf *sb, const char *s, size_t len)
{
	strbuf_putc(sb, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': strbuf_append(sb, "\\\""); break;
		case '\\': strbuf_append(sb, "\\\\"); break;
		case '\n': strbuf_append(sb, "\\n"); break;
		case '\t': strbuf_append(sb, "\\t"); break;
		case '\r': strbuf_append(sb, "\\r"); break;
		case '\b': strbuf_append(sb, "\\b"); break;
		case '\f': strbuf_append(sb, "\\f"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				strbuf_appendf(sb, "\\u%04X", c);
			else
				strbuf_putc(sb, (char)c);
		}
	}
	strbuf_putc(sb, '"');
}

static void put_key(struct strbuf *sb, const char *k)
{
	if (bare_key(k))
		strbuf_append(sb, k);
	else
		put_string(sb, k, strlen(k));
}

static int put_value(struct strbuf *sb, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: put_string(sb, json_string_value(v), json_string_length(v)); return 0;
	case JSON_INTEGER: strbuf_appendf(sb, "%lld", (long long)json_integer_value(v)); return 0;
	case JSON_REAL: {
		double d = json_real_value(v);
		if (isnan(d))
			strbuf_append(sb, "nan");
		else if (isinf(d))
			strbuf_append(sb, d > 0 ? "inf" : "-inf");
		else {
			char buf[64];
			snprintf(buf, sizeof(buf), "%.17g", d);
			strbuf_append(sb, buf);
			if (!strpbrk(buf, ".eE"))
				strbuf_append(sb, ".0");
		}
		return 0;
	}
	case JSON_TRUE: strbuf_append(sb, "true"); return 0;
	case JSON_FALSE: strbuf_append(sb, "false"); return 0;
	case JSON_ARRAY:
		strbuf_putc(sb, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				strbuf_append(sb, ", ");
			if (put_value(sb, json_array_get(v, i)) < 0)
				return -1;
		}
		strbuf_putc(sb, ']');
		return 0;
	case JSON_OBJECT: {
		/* an inline table, for objects inside plain arrays */
		const char *k;
		json_t *e;
		bool first = true;
		strbuf_putc(sb, '{');
		json_object_foreach ((json_t *)v, k, e) {
			if (json_is_null(e))
				continue;
			strbuf_append(sb, first ? " " : ", ");
			first = false;
			put_key(sb, k);
			strbuf_append(sb, " = ");
			if (put_value(sb, e) < 0)
				return -1;
		}
		strbuf_append(sb, first ? "}" : " }");
		return 0;
	}
	case JSON_NULL: return -1;
	}
	return -1;
}

/* path: the dotted header of this table ("" at the root). Keys are
 * indented two spaces per level, a sub-table's header two less than its
 * keys, as Kata's kata-env prints them. */
static int put_table(struct strbuf *sb, const json_t *t, const char *path, int depth)
{
	const char *k;
	json_t *v;
	char indent[64];
	int n = depth * 2 < (int)sizeof(indent) - 1 ? depth * 2 : (int)sizeof(indent) - 1;

	memset(indent, ' ', (size_t)n);
	indent[n] = '\0';
	json_object_foreach ((json_t *)t, k, v) {
		if (json_is_null(v) || json_is_object(v) || is_table_array(v))
			continue;
		strbuf_append(sb, indent);
		put_key(sb, k);
		strbuf_append(sb, " = ");
		if (put_value(sb, v) < 0)
			return -1;
		strbuf_putc(sb, '\n');
	}
	json_object_foreach ((json_t *)t, k, v) {
		if (!json_is_object(v) && !is_table_array(v))
			continue;
		struct strbuf sub = STRBUF_INIT;
		if (*path)
			strbuf_appendf(&sub, "%s.", path);
		if (bare_key(k))
			strbuf_append(&sub, k);
		else
			put_string(&sub, k, strlen(k));
		size_t count = json_is_object(v) ? 1 : json_array_size(v);
		for (size_t i = 0; i < count; i++) {
			const json_t *elem = json_is_object(v) ? v : json_array_get(v, i);
			strbuf_appendf(sb, "\n%s%s%s%s\n", indent, json_is_object(v) ? "[" : "[[",
				       strbuf_str(&sub), json_is_object(v) ? "]" : "]]");
			if (put_table(sb, elem, strbuf_str(&sub), depth + 1) < 0) {
				strbuf_release(&sub);
				return -1;
			}
		}
		strbuf_release(&sub);
	}
	return 0;
}

int toml_write(FILE *out, const json_t *table)
{
	struct strbuf sb = STRBUF_INIT;
	int r = -1;

	if (json_is_object(table) && put_table(&sb, table, "", 0) == 0) {
		const char *s = strbuf_str(&sb);
		if (*s == '\n')
			s++;
		r = fputs(s, out) < 0 ? -1 : 0;
	}
	strbuf_release(&sb);
	return r;
}
