/* Internal to the TOML parser (toml_lex.c, toml_parse.c): parser state,
 * input helpers, error reporting and the value-tree helpers. */
#ifndef KC_TOML_INTERNAL_H
#define KC_TOML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "macros.h"
#include "strbuf.h"
#include "toml.h"

#define T_IMPLICIT  0x01 /* created as a prefix of a [header] */
#define T_DEFINED   0x02 /* opened by its own [header] (or the root) */
#define T_DOTTED    0x04 /* created by a dotted key */
#define T_FROZEN    0x08 /* an inline table (and its sub-tables), closed */
#define A_OF_TABLES 0x10 /* array created by [[header]] */

struct parser {
	const char *s;
	size_t len, pos;
	unsigned line, col;
	const char *name;
	struct kc_error *err;
	struct toml_value *root, *current;
	unsigned current_depth; /* of the table the last header opened */
	unsigned depth;		/* of the table or array being filled */
	bool failed;
};

struct key_part {
	char *s;
	size_t len;
	unsigned line, col;
};

struct key {
	struct key_part *parts;
	size_t n, cap;
};

/* input and positions (toml_parse.c) */
int tp_peek_at(const struct parser *p, size_t off);
int tp_peek(const struct parser *p);
void tp_advance(struct parser *p, size_t n);
bool tp_looking_at(const struct parser *p, const char *lit);
void tp_describe(const struct parser *p, char *buf, size_t len);
bool tp_is_control(int c);
void tp_skip_ws(struct parser *p);
bool tp_at_newline(const struct parser *p);
void tp_skip_newline(struct parser *p);
bool tp_skip_comment(struct parser *p);
bool tp_skip_ws_nl(struct parser *p);
size_t tp_utf8_check(const unsigned char *s, size_t len);

/* errors: the first one wins; these return NULL for `return fail(...)` */
void *tp_fail_at(struct parser *p, unsigned line, unsigned col, const char *fmt, ...)
    _printf_(4, 5);
#define fail(p, ...) tp_fail_at((p), (p)->line, (p)->col, __VA_ARGS__)
void *tp_expected(struct parser *p, const char *what);

/* value tree */
struct toml_value *tp_new_value(struct parser *p, enum toml_type type, unsigned line, unsigned col);
void tp_array_push(struct toml_value *a, struct toml_value *v);
struct toml_value *tp_table_lookup(const struct toml_value *t, const char *key, size_t len,
				   const struct toml_kv **kv_out);
void tp_table_insert(struct toml_value *t, const struct key_part *k, struct toml_value *v);
/* Keep a table's hash index up to date after an insert (toml.c). */
void toml_table_indexed(struct toml_value *t);
void tp_key_free(struct key *k);
const char *tp_key_show(const struct key_part *k, char *buf, size_t len);

/* lexing of scalars (toml_lex.c) */
bool tp_bare_key_char(int c);
bool tp_basic_string(struct parser *p, struct strbuf *sb, bool allow_multi);
bool tp_literal_string(struct parser *p, struct strbuf *sb, bool allow_multi);
struct toml_value *tp_string_value(struct parser *p);
struct toml_value *tp_scalar(struct parser *p);

#endif
