/* TOML value tree: allocation, look-ups, names and formatting. The grammar
 * is in toml_parse.c. */
#include "toml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void toml_free(struct toml_value *v)
{
	if (!v)
		return;
	switch (v->type) {
	case TOML_STRING:
		free(v->u.s.ptr);
		break;
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
		break;
	default:
		break;
	}
	free(v);
}

const struct toml_kv *toml_table_find(const struct toml_value *table, const char *key)
{
	size_t kl = strlen(key);

	if (!table || table->type != TOML_TABLE)
		return NULL;
	for (size_t i = 0; i < table->u.t.n; i++) {
		const struct toml_kv *kv = &table->u.t.kv[i];
		if (kv->key_len == kl && memcmp(kv->key, key, kl) == 0)
			return kv;
	}
	return NULL;
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
		n += snprintf(buf + n, len - (size_t)n, "%04d-%02d-%02d", d->year, d->month, d->day);
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
