/* TOML value tree: allocation, look-ups, names and formatting. The grammar
 * is in toml_parse.c. */
#include "toml.h"
#include "toml_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

void toml_free(struct toml_value *v)
{
	if (!v)
		return;
	switch (v->type) {
	case TOML_STRING: free(v->u.s.ptr); break;
	case TOML_ARRAY:
		for (size_t i = 0; i < v->u.a.n; i++)
			toml_free(v->u.a.items[i]);
		free(v->u.a.items);
		break;
	case TOML_TABLE:
		for (size_t i = 0; i < v->u.t.n; i++) {
			free(v->u.t.kv[i].key);
			toml_free(v->u.t.kv[i].value);
		}
		free(v->u.t.kv);
		free(v->u.t.slots);
		break;
	default: break;
	}
	free(v);
}

#define INDEX_FROM 16 /* below this many keys a scan is as fast */

static uint32_t key_hash(const char *key, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	return h;
}

static void index_put(struct toml_value *t, size_t pos)
{
	const struct toml_kv *kv = &t->u.t.kv[pos];
	size_t mask = t->u.t.nslots - 1;
	size_t i = key_hash(kv->key, kv->key_len) & mask;
	while (t->u.t.slots[i])
		i = (i + 1) & mask;
	t->u.t.slots[i] = (uint32_t)(pos + 1);
}

void toml_table_indexed(struct toml_value *t)
{
	size_t n = t->u.t.n;
	if (n < INDEX_FROM)
		return;
	if (t->u.t.nslots >= 2 * n) {
		index_put(t, n - 1);
		return;
	}
	/* at most half full: probes stay short */
	size_t want = 64;
	while (want < 4 * n)
		want *= 2;
	free(t->u.t.slots);
	t->u.t.slots = xcalloc(want, sizeof(*t->u.t.slots));
	t->u.t.nslots = want;
	for (size_t i = 0; i < n; i++)
		index_put(t, i);
}

const struct toml_kv *toml_table_find_len(const struct toml_value *table, const char *key,
					  size_t len)
{
	if (!table || table->type != TOML_TABLE)
		return NULL;
	if (table->u.t.nslots) {
		size_t mask = table->u.t.nslots - 1;
		for (size_t i = key_hash(key, len) & mask; table->u.t.slots[i];
		     i = (i + 1) & mask) {
			const struct toml_kv *kv = &table->u.t.kv[table->u.t.slots[i] - 1];
			if (kv->key_len == len && memcmp(kv->key, key, len) == 0)
				return kv;
		}
		return NULL;
	}
	for (size_t i = 0; i < table->u.t.n; i++) {
		const struct toml_kv *kv = &table->u.t.kv[i];
		if (kv->key_len == len && memcmp(kv->key, key, len) == 0)
			return kv;
	}
	return NULL;
}

const struct toml_kv *toml_table_find(const struct toml_value *table, const char *key)
{
	return toml_table_find_len(table, key, strlen(key));
}

const struct toml_value *toml_table_get(const struct toml_value *table, const char *key)
{
	const struct toml_kv *kv = toml_table_find(table, key);
	return kv ? kv->value : NULL;
}

const struct toml_value *toml_get_path(const struct toml_value *root, const char *dotted)
{
	char part[128];
	const char *p = dotted;
	const struct toml_value *v = root;

	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		v = toml_table_get(v, part);
		p += n + (dot ? 1 : 0);
	}
	return v;
}

const char *toml_type_name(enum toml_type t)
{
	switch (t) {
	case TOML_TABLE: return "table";
	case TOML_ARRAY: return "array";
	case TOML_STRING: return "string";
	case TOML_INTEGER: return "integer";
	case TOML_FLOAT: return "float";
	case TOML_BOOLEAN: return "boolean";
	case TOML_DATETIME: return "offset date-time";
	case TOML_DATETIME_LOCAL: return "local date-time";
	case TOML_DATE_LOCAL: return "local date";
	case TOML_TIME_LOCAL: return "local time";
	}
	return "?";
}

bool toml_is_datetime(enum toml_type t)
{
	return t == TOML_DATETIME || t == TOML_DATETIME_LOCAL || t == TOML_DATE_LOCAL ||
	       t == TOML_TIME_LOCAL;
}

void toml_datetime_format(const struct toml_value *v, char *buf, size_t len)
{
	const struct toml_datetime *d = &v->u.dt;
	int n = 0;

	buf[0] = '\0';
	if (v->type != TOML_TIME_LOCAL)
		n +=
		    snprintf(buf + n, len - (size_t)n, "%04d-%02d-%02d", d->year, d->month, d->day);
	if (v->type == TOML_DATE_LOCAL || (size_t)n >= len)
		return;
	if (v->type != TOML_TIME_LOCAL)
		n += snprintf(buf + n, len - (size_t)n, "T");
	n += snprintf(buf + n, len - (size_t)n, "%02d:%02d:%02d%s%s", d->hour, d->minute, d->second,
		      d->frac[0] ? "." : "", d->frac);
	if (v->type != TOML_DATETIME || (size_t)n >= len)
		return;
	if (d->offset_z)
		snprintf(buf + n, len - (size_t)n, "Z");
	else
		snprintf(buf + n, len - (size_t)n, "%c%02d:%02d", d->offset_minutes < 0 ? '-' : '+',
			 abs(d->offset_minutes) / 60, abs(d->offset_minutes) % 60);
}
