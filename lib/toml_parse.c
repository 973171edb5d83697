/* TOML 1.0 grammar and table rules (see toml.h). One pass over the input,
 * stopping at the first error with file:line:column.
 *
 * Table rules, as the specification sets them:
 *  - [a.b] creates a and b; a is "implicit" and may later get its own [a]
 *    header once; b may not be defined again.
 *  - Dotted keys (b.c = 1) create "dotted" tables, which later dotted keys
 *    in the same section may extend, and headers may pass through, but no
 *    header may define ([a.b] after a.b.c = 1 is an error), and dotted keys
 *    may not enter tables created any other way.
 *  - Inline tables and static arrays are complete once written.
 *  - [[a]] appends a table to an array of tables; it cannot extend a static
 *    array, and [a] cannot name an array of tables. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml_internal.h"
#include "xalloc.h"

/* ---- input, positions, errors ---- */

int tp_peek_at(const struct parser *p, size_t off)
{
	return p->pos + off < p->len ? (unsigned char)p->s[p->pos + off] : -1;
}

int tp_peek(const struct parser *p)
{
	return tp_peek_at(p, 0);
}

void tp_advance(struct parser *p, size_t n)
{
	while (n-- && p->pos < p->len) {
		unsigned char c = (unsigned char)p->s[p->pos++];
		if (c == '\n') {
			p->line++;
			p->col = 1;
		} else if ((c & 0xc0) != 0x80) {
			p->col++;
		}
	}
}

bool tp_looking_at(const struct parser *p, const char *lit)
{
	size_t n = strlen(lit);
	return p->pos + n <= p->len && memcmp(p->s + p->pos, lit, n) == 0;
}

void tp_describe(const struct parser *p, char *buf, size_t len)
{
	int c = tp_peek(p);

	if (c < 0)
		snprintf(buf, len, "end of file");
	else if (c == '\n' || (c == '\r' && tp_peek_at(p, 1) == '\n'))
		snprintf(buf, len, "end of line");
	else if (c >= 0x20 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else if (c < 0x20 || c == 0x7f)
		snprintf(buf, len, "control character U+%04X", c);
	else {
		/* a multi-byte UTF-8 character, already validated */
		size_t n = 1;
		while (n < 4 && (tp_peek_at(p, n) & 0xc0) == 0x80)
			n++;
		snprintf(buf, len, "'%.*s'", (int)n, p->s + p->pos);
	}
}

void *tp_fail_at(struct parser *p, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	if (p->failed)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kc_error_set(p->err, 0, "%s:%u:%u: %s", p->name, line, col, msg);
	p->failed = true;
	return NULL;
}

/* "expected X, found Y" at the current position. */
void *tp_expected(struct parser *p, const char *what)
{
	char found[64];
	tp_describe(p, found, sizeof(found));
	return fail(p, "expected %s, found %s", what, found);
}

/* Returns the offset of the first byte that breaks UTF-8 (or len). */
size_t tp_utf8_check(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 4;
			cp = c & 0x07;
		} else {
			return i;
		}
		if (i + n > len)
			return i;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return i;
		i += n;
	}
	return len;
}

bool tp_is_control(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

void tp_skip_ws(struct parser *p)
{
	while (tp_peek(p) == ' ' || tp_peek(p) == '\t')
		tp_advance(p, 1);
}

bool tp_at_newline(const struct parser *p)
{
	return tp_peek(p) == '\n' || (tp_peek(p) == '\r' && tp_peek_at(p, 1) == '\n');
}

void tp_skip_newline(struct parser *p)
{
	tp_advance(p, tp_peek(p) == '\r' ? 2 : 1);
}

/* '#' to the end of the line; returns false on a control character. */
bool tp_skip_comment(struct parser *p)
{
	tp_advance(p, 1);
	while (tp_peek(p) >= 0 && !tp_at_newline(p)) {
		if (tp_is_control(tp_peek(p)))
			return fail(p, "control character U+%04X in a comment", tp_peek(p)), false;
		tp_advance(p, 1);
	}
	return true;
}

/* Whitespace, newlines and comments (inside arrays). */
bool tp_skip_ws_nl(struct parser *p)
{
	for (;;) {
		tp_skip_ws(p);
		if (tp_at_newline(p))
			tp_skip_newline(p);
		else if (tp_peek(p) == '#') {
			if (!tp_skip_comment(p))
				return false;
		} else
			return true;
	}
}

struct toml_value *tp_new_value(struct parser *p, enum toml_type type, unsigned line, unsigned col)
{
	struct toml_value *v = xcalloc(1, sizeof(*v));
	(void)p;
	v->type = type;
	v->line = line;
	v->col = col;
	return v;
}

void tp_array_push(struct toml_value *a, struct toml_value *v)
{
	if (a->u.a.n == a->u.a.cap) {
		a->u.a.cap = a->u.a.cap ? a->u.a.cap * 2 : 4;
		a->u.a.items = xrealloc(a->u.a.items, a->u.a.cap * sizeof(*a->u.a.items));
	}
	a->u.a.items[a->u.a.n++] = v;
}

struct toml_value *tp_table_lookup(const struct toml_value *t, const char *key, size_t len,
				   const struct toml_kv **kv_out)
{
	const struct toml_kv *kv = toml_table_find_len(t, key, len);
	if (kv && kv_out)
		*kv_out = kv;
	return kv ? kv->value : NULL;
}

/* Takes ownership of key and value. */
void tp_table_insert(struct toml_value *t, const struct key_part *k, struct toml_value *v)
{
	if (t->u.t.n == t->u.t.cap) {
		t->u.t.cap = t->u.t.cap ? t->u.t.cap * 2 : 8;
		t->u.t.kv = xrealloc(t->u.t.kv, t->u.t.cap * sizeof(*t->u.t.kv));
	}
	struct toml_kv *kv = &t->u.t.kv[t->u.t.n++];
	kv->key = xmalloc(k->len + 1);
	memcpy(kv->key, k->s, k->len);
	kv->key[k->len] = '\0';
	kv->key_len = k->len;
	kv->value = v;
	kv->line = k->line;
	kv->col = k->col;
	toml_table_indexed(t);
}

void tp_key_free(struct key *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->parts[i].s);
	free(k->parts);
	memset(k, 0, sizeof(*k));
}

/* Key text for messages: printable, quoted as needed, cut when long. */
const char *tp_key_show(const struct key_part *k, char *buf, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < k->len && o + 5 < len; i++) {
		unsigned char c = (unsigned char)k->s[i];
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

static struct toml_value *parse_value(struct parser *p);
static bool parse_keyval(struct parser *p, struct toml_value *table);

/* One level deeper for what is being filled: false (with the error) past
 * TOML_MAX_DEPTH, so that no document can build a tree that recursion
 * (freeing, printing) cannot walk. */
static bool deeper(struct parser *p, unsigned levels)
{
	if (p->depth + levels > TOML_MAX_DEPTH) {
		fail(p,
		     "nested more than %d levels deep (tables, dotted keys, arrays and inline "
		     "tables together)",
		     TOML_MAX_DEPTH);
		return false;
	}
	p->depth += levels;
	return true;
}

static struct toml_value *parse_array(struct parser *p)
{
	if (!deeper(p, 1))
		return NULL;
	struct toml_value *a = tp_new_value(p, TOML_ARRAY, p->line, p->col);

	tp_advance(p, 1);
	for (;;) {
		if (!tp_skip_ws_nl(p))
			goto fail;
		if (tp_peek(p) == ']') {
			tp_advance(p, 1);
			p->depth--;
			return a;
		}
		struct toml_value *v = parse_value(p);
		if (!v)
			goto fail;
		tp_array_push(a, v);
		if (!tp_skip_ws_nl(p))
			goto fail;
		if (tp_peek(p) == ',') {
			tp_advance(p, 1);
			continue;
		}
		if (tp_peek(p) == ']') {
			tp_advance(p, 1);
			p->depth--;
			return a;
		}
		char what[96];
		snprintf(what, sizeof(what), "',' or ']' in the array opened at %u:%u", a->line,
			 a->col);
		tp_expected(p, what);
		goto fail;
	}
fail:
	p->depth--;
	toml_free(a);
	return NULL;
}

static void freeze(struct toml_value *t)
{
	t->flags |= T_FROZEN;
	for (size_t i = 0; i < t->u.t.n; i++)
		if (t->u.t.kv[i].value->type == TOML_TABLE)
			freeze(t->u.t.kv[i].value);
}

static struct toml_value *parse_inline_table(struct parser *p)
{
	struct toml_value *t = tp_new_value(p, TOML_TABLE, p->line, p->col);

	tp_advance(p, 1);
	tp_skip_ws(p);
	if (tp_peek(p) == '}') {
		tp_advance(p, 1);
		freeze(t);
		return t;
	}
	for (;;) {
		if (tp_at_newline(p)) {
			fail(p, "newlines are not allowed inside an inline table");
			goto fail;
		}
		if (!parse_keyval(p, t))
			goto fail;
		tp_skip_ws(p);
		if (tp_peek(p) == ',') {
			tp_advance(p, 1);
			tp_skip_ws(p);
			if (tp_peek(p) == '}') {
				fail(p, "a trailing comma is not allowed in an inline table");
				goto fail;
			}
			continue;
		}
		if (tp_peek(p) == '}') {
			tp_advance(p, 1);
			freeze(t);
			return t;
		}
		if (tp_at_newline(p))
			fail(p, "newlines are not allowed inside an inline table");
		else
			tp_expected(p, "',' or '}' in the inline table");
		goto fail;
	}
fail:
	toml_free(t);
	return NULL;
}

static struct toml_value *parse_value(struct parser *p)
{
	switch (tp_peek(p)) {
	case '"':
	case '\'': return tp_string_value(p);
	case '[': return parse_array(p);
	case '{': return parse_inline_table(p);
	default: return tp_scalar(p);
	}
}

/* ---- keys, key/value pairs, headers ---- */

static bool parse_simple_key(struct parser *p, struct key *k)
{
	struct key_part part = {.line = p->line, .col = p->col};
	struct strbuf sb = STRBUF_INIT;
	int c = tp_peek(p);

	if (c == '"' || c == '\'') {
		bool ok =
		    c == '"' ? tp_basic_string(p, &sb, false) : tp_literal_string(p, &sb, false);
		if (!ok) {
			strbuf_release(&sb);
			return false;
		}
	} else if (tp_bare_key_char(c)) {
		while (tp_bare_key_char(tp_peek(p))) {
			strbuf_putc(&sb, (char)tp_peek(p));
			tp_advance(p, 1);
		}
	} else {
		tp_expected(p, "a key");
		return false;
	}
	if (k->n >= TOML_MAX_DEPTH) {
		strbuf_release(&sb);
		fail(p, "a key of more than %d parts", TOML_MAX_DEPTH);
		return false;
	}
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 4;
		k->parts = xrealloc(k->parts, k->cap * sizeof(*k->parts));
	}
	part.len = sb.len;
	part.s = strbuf_steal(&sb);
	k->parts[k->n++] = part;
	return true;
}

static bool parse_key(struct parser *p, struct key *k)
{
	for (;;) {
		if (!parse_simple_key(p, k))
			return false;
		tp_skip_ws(p);
		if (tp_peek(p) != '.')
			return true;
		tp_advance(p, 1);
		tp_skip_ws(p);
	}
}

static bool parse_keyval(struct parser *p, struct toml_value *table)
{
	struct key k = {0};
	struct toml_value *v = NULL, *t = table;
	char show[128];
	bool ok = false;

	if (!parse_key(p, &k))
		goto out;
	if (tp_peek(p) != '=') {
		tp_expected(p, "'=' after the key");
		goto out;
	}
	tp_advance(p, 1);
	tp_skip_ws(p);
	/* the value sits k.n levels below the table being filled */
	unsigned outer = p->depth;
	if (!deeper(p, (unsigned)k.n))
		goto out;
	v = parse_value(p);
	p->depth = outer;
	if (!v)
		goto out;
	for (size_t i = 0; i + 1 < k.n; i++) {
		const struct key_part *kp = &k.parts[i];
		const struct toml_kv *kv = NULL;
		struct toml_value *child = tp_table_lookup(t, kp->s, kp->len, &kv);
		if (!child) {
			child = tp_new_value(p, TOML_TABLE, kp->line, kp->col);
			child->flags = T_DOTTED;
			tp_table_insert(t, kp, child);
		} else if (child->type != TOML_TABLE || !(child->flags & T_DOTTED) ||
			   (child->flags & T_FROZEN)) {
			tp_fail_at(
			    p, kp->line, kp->col,
			    child->type != TOML_TABLE
				? "cannot use dotted keys under '%s': it is already a %s (line %u)"
				: "cannot add keys to table '%s' with dotted keys here: it was %s "
				  "at line %u",
			    tp_key_show(kp, show, sizeof(show)),
			    child->type != TOML_TABLE	? toml_type_name(child->type)
			    : (child->flags & T_FROZEN) ? "written as an inline table"
							: "defined by a [table] header",
			    kv->line);
			goto out;
		}
		t = child;
	}
	const struct key_part *last = &k.parts[k.n - 1];
	const struct toml_kv *dup = NULL;
	if (tp_table_lookup(t, last->s, last->len, &dup)) {
		tp_fail_at(p, last->line, last->col,
			   "duplicate key '%s' (first defined at line %u)",
			   tp_key_show(last, show, sizeof(show)), dup->line);
		goto out;
	}
	tp_table_insert(t, last, v);
	v = NULL;
	ok = true;
out:
	toml_free(v);
	tp_key_free(&k);
	return ok;
}

/* Walks a header's key up to its last part, creating implicit tables on
 * the way and entering the last table of each array of tables; the parent
 * table, or NULL after an error. *depth grows by one per array entered. */
static struct toml_value *header_parent(struct parser *p, const struct key *k, unsigned line,
					unsigned col, unsigned *depth)
{
	struct toml_value *t = p->root;
	char show[128];
	for (size_t i = 0; i + 1 < k->n; i++) {
		const struct key_part *kp = &k->parts[i];
		const struct toml_kv *kv = NULL;
		struct toml_value *child = tp_table_lookup(t, kp->s, kp->len, &kv);
		if (!child) {
			child = tp_new_value(p, TOML_TABLE, line, col);
			child->flags = T_IMPLICIT;
			tp_table_insert(t, kp, child);
		} else if (child->type == TOML_ARRAY && (child->flags & A_OF_TABLES)) {
			child = child->u.a.items[child->u.a.n - 1];
			(*depth)++;
		} else if (child->type != TOML_TABLE || (child->flags & T_FROZEN)) {
			tp_fail_at(p, kp->line, kp->col,
				   "cannot open a table under '%s': it is %s (line %u)",
				   tp_key_show(kp, show, sizeof(show)),
				   child->type == TOML_TABLE   ? "an inline table"
				   : child->type == TOML_ARRAY ? "a static array"
							       : "already a value",
				   kv->line);
			return NULL;
		}
		t = child;
	}
	return t;
}

/* [a.b]: defines the table, once; an implicit one becomes defined. */
static struct toml_value *define_table(struct parser *p, struct toml_value *t,
				       const struct key_part *last, unsigned line, unsigned col)
{
	char show[128];
	const struct toml_kv *kv = NULL;
	struct toml_value *child = tp_table_lookup(t, last->s, last->len, &kv);
	tp_key_show(last, show, sizeof(show));
	if (!child) {
		child = tp_new_value(p, TOML_TABLE, line, col);
		child->flags = T_DEFINED;
		tp_table_insert(t, last, child);
	} else if (child->type == TOML_TABLE && child->flags == T_IMPLICIT) {
		child->flags = T_DEFINED;
		child->line = line;
		child->col = col;
	} else if (child->type == TOML_TABLE) {
		tp_fail_at(p, line, col, "table '%s' is already defined (%s at line %u)", show,
			   (child->flags & T_FROZEN)   ? "as an inline table"
			   : (child->flags & T_DOTTED) ? "by dotted keys"
						       : "by a header",
			   child->flags & T_DEFINED ? child->line : kv->line);
		return NULL;
	} else if (child->type == TOML_ARRAY && (child->flags & A_OF_TABLES)) {
		tp_fail_at(p, line, col,
			   "'%s' is an array of tables (line %u); write [[%s]] to add to it", show,
			   kv->line, show);
		return NULL;
	} else {
		tp_fail_at(p, line, col, "key '%s' already has a value (line %u)", show, kv->line);
		return NULL;
	}
	return child;
}

/* [[a.b]]: a new table at the end of the array of tables. */
static struct toml_value *append_table(struct parser *p, struct toml_value *t,
				       const struct key_part *last, unsigned line, unsigned col)
{
	char show[128];
	const struct toml_kv *kv = NULL;
	struct toml_value *child = tp_table_lookup(t, last->s, last->len, &kv);
	tp_key_show(last, show, sizeof(show));
	if (!child) {
		child = tp_new_value(p, TOML_ARRAY, line, col);
		child->flags = A_OF_TABLES;
		tp_table_insert(t, last, child);
	} else if (child->type != TOML_ARRAY || !(child->flags & A_OF_TABLES)) {
		tp_fail_at(p, line, col, "cannot add to '%s' with [[%s]]: it is %s (line %u)", show,
			   show,
			   child->type == TOML_ARRAY   ? "a static array"
			   : child->type == TOML_TABLE ? "a table"
						       : "already a value",
			   kv->line);
		return NULL;
	}
	struct toml_value *elem = tp_new_value(p, TOML_TABLE, line, col);
	elem->flags = T_DEFINED;
	tp_array_push(child, elem);
	return elem;
}

static bool parse_header(struct parser *p)
{
	unsigned line = p->line, col = p->col;
	bool aot = tp_looking_at(p, "[[");
	struct key k = {0};
	bool ok = false;

	tp_advance(p, aot ? 2 : 1);
	tp_skip_ws(p);
	if (!parse_key(p, &k))
		goto out;
	if (aot ? !tp_looking_at(p, "]]") : tp_peek(p) != ']') {
		tp_expected(p, aot ? "']]' to close the array-of-tables header"
				   : "']' to close the table header");
		goto out;
	}
	tp_advance(p, aot ? 2 : 1);

	/* each part is a level, and each array of tables on the way one more */
	unsigned depth = (unsigned)k.n + (aot ? 1 : 0);
	struct toml_value *t = header_parent(p, &k, line, col, &depth);
	if (!t)
		goto out;
	if (depth > TOML_MAX_DEPTH) {
		tp_fail_at(p, line, col,
			   "nested more than %d levels deep (tables, dotted keys, arrays and "
			   "inline tables together)",
			   TOML_MAX_DEPTH);
		goto out;
	}
	p->current_depth = depth;
	const struct key_part *last = &k.parts[k.n - 1];
	struct toml_value *current =
	    aot ? append_table(p, t, last, line, col) : define_table(p, t, last, line, col);
	if (!current)
		goto out;
	p->current = current;
	ok = true;
out:
	tp_key_free(&k);
	return ok;
}

/* After a key/value pair or a header: only a comment may follow on the line. */
static bool end_of_line(struct parser *p, const char *after)
{
	tp_skip_ws(p);
	if (tp_peek(p) == '#' && !tp_skip_comment(p))
		return false;
	if (tp_peek(p) < 0)
		return true;
	if (tp_at_newline(p)) {
		tp_skip_newline(p);
		return true;
	}
	char what[80];
	snprintf(what, sizeof(what), "a new line after the %s", after);
	tp_expected(p, what);
	return false;
}

struct toml_value *toml_parse(const char *text, size_t len, const char *name, struct kc_error *err)
{
	struct parser p = {.s = text,
			   .len = len,
			   .line = 1,
			   .col = 1,
			   .name = name ? name : "<input>",
			   .err = err};
	size_t bad;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p.pos = 3; /* a byte-order mark is tolerated */
	bad = tp_utf8_check((const unsigned char *)text, len);
	if (bad < len) {
		struct parser at = p;
		tp_advance(&at, bad - at.pos);
		tp_fail_at(&p, at.line, at.col, "invalid UTF-8 (byte 0x%02X)",
			   (unsigned char)text[bad]);
		return NULL;
	}
	p.root = tp_new_value(&p, TOML_TABLE, 1, 1);
	p.root->flags = T_DEFINED;
	p.current = p.root;
	while (p.pos < p.len) {
		tp_skip_ws(&p);
		int c = tp_peek(&p);
		if (c < 0)
			break;
		if (tp_at_newline(&p)) {
			tp_skip_newline(&p);
			continue;
		}
		if (c == '#') {
			if (!tp_skip_comment(&p))
				goto fail;
			continue;
		}
		if (c == '\r') {
			fail(&p, "a carriage return must be followed by a line feed");
			goto fail;
		}
		if (c == '[') {
			if (!parse_header(&p) || !end_of_line(&p, "table header"))
				goto fail;
		} else if ((p.depth = p.current_depth, !parse_keyval(&p, p.current)) ||
			   !end_of_line(&p, "value")) {
			goto fail;
		}
	}
	return p.root;
fail:
	toml_free(p.root);
	return NULL;
}
