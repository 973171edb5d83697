/* TOML 1.0: a parser into a tree of values. No TOML library is packaged in
 * Debian, so we own one. Everything TOML forbids is an error carrying
 * file:line:column and what was expected.
 *
 * Tables keep their keys in document order. Strings are UTF-8 and may hold
 * NUL (from "\u0000"), so they carry a length. */
#ifndef KC_TOML_H
#define KC_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum toml_type {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOLEAN,
	TOML_DATETIME,	     /* offset date-time: 1979-05-27T07:32:00Z */
	TOML_DATETIME_LOCAL, /* 1979-05-27T07:32:00 */
	TOML_DATE_LOCAL,     /* 1979-05-27 */
	TOML_TIME_LOCAL,     /* 07:32:00 */
};

struct toml_datetime {
	int year, month, day;
	int hour, minute, second;
	char frac[24];	    /* fractional-second digits as written, "" if none */
	int offset_minutes; /* TOML_DATETIME only; Z is 0 */
	bool offset_z;	    /* written as Z/z */
};

struct toml_value;

struct toml_kv {
	char *key;
	size_t key_len;
	struct toml_value *value;
	unsigned line, col; /* where the key was written */
};

struct toml_value {
	enum toml_type type;
	unsigned line, col; /* where the value (or table header) starts */
	unsigned flags;	    /* parser bookkeeping (table origin, frozen, ...) */
	union {
		struct {
			char *ptr;
			size_t len;
		} s;
		int64_t i;
		double f;
		bool b;
		struct toml_datetime dt;
		struct {
			struct toml_value **items;
			size_t n, cap;
		} a;
		struct {
			struct toml_kv *kv;
			size_t n, cap;
			uint32_t *slots; /* hash index (kv position + 1, 0 empty) once big */
			size_t nslots;	 /* a power of two, or 0 */
		} t;
	} u;
};

/* Documents nested deeper than this (tables by headers or dotted keys,
 * arrays, inline tables, all counted together) are an error. */
#define TOML_MAX_DEPTH 100

/* Parse a whole document. `name` is used in error messages (a path, or
 * "<stdin>"). Returns the root table, or NULL with err set to
 * "NAME:LINE:COL: message". */
struct toml_value *toml_parse(const char *text, size_t len, const char *name, struct kc_error *err);
void toml_free(struct toml_value *v);

/* Look-ups (NULL when absent). Keys are compared as bytes; big tables have
 * a hash index, so a look-up costs the same in a table of 100k keys. */
const struct toml_kv *toml_table_find(const struct toml_value *table, const char *key);
const struct toml_kv *toml_table_find_len(const struct toml_value *table, const char *key,
					  size_t len);
const struct toml_value *toml_table_get(const struct toml_value *table, const char *key);
/* Follow "a.b.c" through nested tables (keys without dots in them only). */
const struct toml_value *toml_get_path(const struct toml_value *root, const char *dotted);

const char *toml_type_name(enum toml_type t); /* "string", "integer", ... */
bool toml_is_datetime(enum toml_type t);
/* RFC 3339 text of a date/time value ("1979-05-27T07:32:00.5-07:00"). */
void toml_datetime_format(const struct toml_value *v, char *buf, size_t len);

#endif
