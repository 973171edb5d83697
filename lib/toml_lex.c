/* TOML scalars: the four string forms with their escapes and quoting
 * rules, integers in four bases with 64-bit range checks, floats, and the
 * four date/time types with calendar validation. */
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml_internal.h"

static void utf8_put(struct strbuf *sb, uint32_t cp)
{
	char b[4];
	if (cp < 0x80) {
		b[0] = (char)cp;
		strbuf_append_len(sb, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		strbuf_append_len(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		strbuf_append_len(sb, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		strbuf_append_len(sb, b, 4);
	}
}

/* After a backslash in a basic string. */
static bool parse_escape(struct parser *p, struct strbuf *sb)
{
	unsigned line = p->line, col = p->col;
	int c = tp_peek_at(p, 1);
	const char *simple = strchr("btnfr\"\\", c > 0 ? c : 'x');

	if (c > 0 && simple) {
		static const char out[] = "\b\t\n\f\r\"\\";
		strbuf_putc(sb, out[simple - "btnfr\"\\"]);
		tp_advance(p, 2);
		return true;
	}
	if (c == 'u' || c == 'U') {
		int digits = c == 'u' ? 4 : 8;
		uint32_t cp = 0;
		tp_advance(p, 2);
		for (int i = 0; i < digits; i++) {
			int h = tp_peek(p);
			if (h < 0 || !isxdigit(h))
				return fail(p, "\\%c needs %d hexadecimal digits", c, digits),
				       false;
			cp = cp * 16 + (uint32_t)(isdigit(h) ? h - '0' : (tolower(h) - 'a' + 10));
			tp_advance(p, 1);
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return tp_fail_at(p, line, col, "\\%c%0*X is not a Unicode scalar value", c,
					  digits, cp),
			       false;
		utf8_put(sb, cp);
		return true;
	}
	if (c < 0)
		return tp_fail_at(p, line, col, "unterminated string"), false;
	if (c >= 0x20 && c < 0x7f)
		return tp_fail_at(p, line, col,
				  "invalid escape '\\%c' (valid: \\b \\t \\n \\f \\r \\\" \\\\ "
				  "\\uXXXX \\UXXXXXXXX)",
				  c),
		       false;
	return tp_fail_at(p, line, col,
			  "invalid escape: a backslash before a non-printing character"),
	       false;
}

/* At a quote character q inside a string: 1 when the string ends here, 0
 * when the quotes belong to a multi-line string's text (up to two may
 * precede its closing three), -1 on error. */
static int at_quote(struct parser *p, struct strbuf *sb, char q, bool multi)
{
	const char two[] = {q, q};
	size_t n = 0;
	if (!multi) {
		tp_advance(p, 1);
		return 1;
	}
	while (tp_peek_at(p, n) == q)
		n++;
	if (n > 5) {
		fail(p, "too many quotes: at most two may precede the closing %c%c%c", q, q, q);
		return -1;
	}
	strbuf_append_len(sb, two, n >= 3 ? n - 3 : n);
	tp_advance(p, n);
	return n >= 3;
}

/* A newline inside a string: text in a multi-line one, an error otherwise. */
static bool at_newline(struct parser *p, struct strbuf *sb, bool multi, const char *delim)
{
	if (!multi)
		return fail(p, "newline in a single-line string (use %s for a multi-line string)",
			    delim),
		       false;
	strbuf_putc(sb, '\n');
	tp_skip_newline(p);
	return true;
}

/* Basic ("...") or multi-line basic ("""...""") string. */
bool tp_basic_string(struct parser *p, struct strbuf *sb, bool allow_multi)
{
	unsigned line = p->line, col = p->col;
	bool multi = allow_multi && tp_looking_at(p, "\"\"\"");

	tp_advance(p, multi ? 3 : 1);
	if (multi && tp_at_newline(p))
		tp_skip_newline(p); /* a newline right after the opening quotes is trimmed */
	for (;;) {
		int c = tp_peek(p);
		if (c < 0)
			return tp_fail_at(p, line, col, "unterminated string (no closing %s)",
					  multi ? "\"\"\"" : "\""),
			       false;
		if (c == '"') {
			int end = at_quote(p, sb, '"', multi);
			if (end)
				return end > 0;
			continue;
		}
		if (c == '\\') {
			if (multi) {
				/* line-ending backslash: trim whitespace and newlines */
				size_t k = 1;
				while (tp_peek_at(p, k) == ' ' || tp_peek_at(p, k) == '\t')
					k++;
				if (tp_peek_at(p, k) == '\n' ||
				    (tp_peek_at(p, k) == '\r' && tp_peek_at(p, k + 1) == '\n')) {
					tp_advance(p, k);
					while (tp_peek(p) == ' ' || tp_peek(p) == '\t' ||
					       tp_at_newline(p))
						tp_advance(p, tp_at_newline(p) && tp_peek(p) == '\r'
								  ? 2
								  : 1);
					continue;
				}
			}
			if (!parse_escape(p, sb))
				return false;
			continue;
		}
		if (tp_at_newline(p)) {
			if (!at_newline(p, sb, multi, "\"\"\""))
				return false;
			continue;
		}
		if (tp_is_control(c))
			return fail(p, "control character U+%04X must be escaped in a string", c),
			       false;
		strbuf_putc(sb, (char)c);
		tp_advance(p, 1);
	}
}

/* Literal ('...') or multi-line literal ('''...''') string. */
bool tp_literal_string(struct parser *p, struct strbuf *sb, bool allow_multi)
{
	unsigned line = p->line, col = p->col;
	bool multi = allow_multi && tp_looking_at(p, "'''");

	tp_advance(p, multi ? 3 : 1);
	if (multi && tp_at_newline(p))
		tp_skip_newline(p);
	for (;;) {
		int c = tp_peek(p);
		if (c < 0)
			return tp_fail_at(p, line, col, "unterminated string (no closing %s)",
					  multi ? "'''" : "'"),
			       false;
		if (c == '\'') {
			int end = at_quote(p, sb, '\'', multi);
			if (end)
				return end > 0;
			continue;
		}
		if (tp_at_newline(p)) {
			if (!at_newline(p, sb, multi, "'''"))
				return false;
			continue;
		}
		if (tp_is_control(c))
			return fail(p,
				    "control character U+%04X is not allowed in a literal string",
				    c),
			       false;
		strbuf_putc(sb, (char)c);
		tp_advance(p, 1);
	}
}

struct toml_value *tp_string_value(struct parser *p)
{
	struct toml_value *v = tp_new_value(p, TOML_STRING, p->line, p->col);
	struct strbuf sb = STRBUF_INIT;
	bool ok =
	    tp_peek(p) == '"' ? tp_basic_string(p, &sb, true) : tp_literal_string(p, &sb, true);

	if (!ok) {
		strbuf_release(&sb);
		free(v);
		return NULL;
	}
	v->u.s.len = sb.len;
	v->u.s.ptr = strbuf_steal(&sb);
	return v;
}

/* ---- numbers and dates ---- */

bool tp_bare_key_char(int c)
{
	return c >= 0 && (isalnum(c) || c == '_' || c == '-');
}

static int digit_value(int c, int base)
{
	int d = isdigit(c)		 ? c - '0'
		: (c >= 'a' && c <= 'f') ? c - 'a' + 10
		: (c >= 'A' && c <= 'F') ? c - 'A' + 10
					 : 99;
	return d < base ? d : -1;
}

/* Digits of a base with '_' only between digits. Returns the count of
 * digits, or -1 (with the message in *why). */
static int check_digits(const char *s, size_t n, int base, const char **why)
{
	int digits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_') {
			if (i == 0 || i + 1 == n || s[i - 1] == '_' ||
			    digit_value(s[i + 1], base) < 0) {
				*why = "'_' must sit between two digits";
				return -1;
			}
			continue;
		}
		if (digit_value((unsigned char)s[i], base) < 0) {
			*why = "invalid digit";
			return -1;
		}
		digits++;
	}
	if (!digits) {
		*why = "no digits";
		return -1;
	}
	return digits;
}

static struct toml_value *parse_integer(struct parser *p, const char *tok, size_t n, unsigned line,
					unsigned col)
{
	const char *s = tok, *why = NULL;
	bool neg = false, sign = false;
	int base = 10;

	if (*s == '+' || *s == '-') {
		neg = *s == '-';
		sign = true;
		s++;
		n--;
	}
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		if (sign)
			return tp_fail_at(
			    p, line, col,
			    "a sign is not allowed on a hexadecimal, octal or binary integer");
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		s += 2;
		n -= 2;
	} else if (n > 1 && s[0] == '0') {
		return tp_fail_at(p, line, col, "leading zeros are not allowed in '%.*s'",
				  (int)(n + sign), tok);
	}
	if (check_digits(s, n, base, &why) < 0)
		return tp_fail_at(p, line, col, "invalid integer '%.*s': %s",
				  (int)(n + sign + (base != 10 ? 2 : 0)), tok, why);
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_')
			continue;
		uint64_t d = (uint64_t)digit_value((unsigned char)s[i], base);
		if (v > (limit - d) / (uint64_t)base)
			return tp_fail_at(p, line, col, "integer '%.*s' is out of the 64-bit range",
					  (int)(n + sign + (base != 10 ? 2 : 0)), tok);
		v = v * (uint64_t)base + d;
	}
	struct toml_value *val = tp_new_value(p, TOML_INTEGER, line, col);
	val->u.i = neg ? (int64_t)(0 - v) : (int64_t)v;
	return val;
}

static struct toml_value *parse_float(struct parser *p, const char *tok, size_t n, unsigned line,
				      unsigned col)
{
	const char *s = tok, *end = tok + n, *why = NULL;
	char clean[256];
	size_t o = 0;
	static locale_t c_locale;

	if (*s == '+' || *s == '-')
		s++;
	if ((size_t)(end - s) == 3 && (!memcmp(s, "inf", 3) || !memcmp(s, "nan", 3))) {
		struct toml_value *v = tp_new_value(p, TOML_FLOAT, line, col);
		v->u.f = s[0] == 'i' ? INFINITY : NAN;
		if (*tok == '-')
			v->u.f = -v->u.f;
		return v;
	}
	/* integer part */
	const char *ip = s;
	while (s < end && *s != '.' && *s != 'e' && *s != 'E')
		s++;
	if (check_digits(ip, (size_t)(s - ip), 10, &why) < 0)
		return tp_fail_at(p, line, col, "invalid float '%.*s': %s before the %s", (int)n,
				  tok, why, s < end && *s == '.' ? "decimal point" : "exponent");
	if (ip[0] == '0' && s - ip > 1)
		return tp_fail_at(p, line, col, "leading zeros are not allowed in '%.*s'", (int)n,
				  tok);
	if (s < end && *s == '.') {
		const char *fp = ++s;
		while (s < end && *s != 'e' && *s != 'E')
			s++;
		if (check_digits(fp, (size_t)(s - fp), 10, &why) < 0)
			return tp_fail_at(p, line, col,
					  "invalid float '%.*s': %s after the decimal point",
					  (int)n, tok, why);
	}
	if (s < end && (*s == 'e' || *s == 'E')) {
		const char *ep = ++s;
		if (s < end && (*s == '+' || *s == '-'))
			ep = ++s;
		if (check_digits(ep, (size_t)(end - ep), 10, &why) < 0)
			return tp_fail_at(p, line, col, "invalid float '%.*s': %s in the exponent",
					  (int)n, tok, why);
	}
	for (size_t i = 0; i < n && o + 1 < sizeof(clean); i++)
		if (tok[i] != '_')
			clean[o++] = tok[i];
	clean[o] = '\0';
	if (!c_locale)
		c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	struct toml_value *v = tp_new_value(p, TOML_FLOAT, line, col);
	/* strtod_l: a program that called setlocale() must still read "1.5" */
	v->u.f = c_locale ? strtod_l(clean, NULL, c_locale) : strtod(clean, NULL);
	return v;
}

static bool digits_at(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

/* HH:MM:SS[.frac] at s; returns characters used or -1. */
static int parse_time(const char *s, size_t n, struct toml_datetime *dt, const char **why)
{
	if (n < 8 || !digits_at(s, 2) || s[2] != ':' || !digits_at(s + 3, 2) || s[5] != ':' ||
	    !digits_at(s + 6, 2)) {
		*why = "expected HH:MM:SS";
		return -1;
	}
	dt->hour = num2(s);
	dt->minute = num2(s + 3);
	dt->second = num2(s + 6);
	if (dt->hour > 23 || dt->minute > 59 || dt->second > 60) {
		*why = "hour, minute or second out of range";
		return -1;
	}
	size_t i = 8;
	if (i < n && s[i] == '.') {
		size_t start = ++i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		if (i == start) {
			*why = "expected digits after the decimal point of the seconds";
			return -1;
		}
		size_t k = i - start < sizeof(dt->frac) - 1 ? i - start : sizeof(dt->frac) - 1;
		memcpy(dt->frac, s + start, k);
		dt->frac[k] = '\0';
	}
	return (int)i;
}

static struct toml_value *parse_datetime(struct parser *p, const char *tok, size_t n, unsigned line,
					 unsigned col)
{
	struct toml_datetime dt = {0};
	const char *why = "malformed date or time";
	enum toml_type type;
	size_t i;

	if (n >= 3 && tok[2] == ':') {
		int used = parse_time(tok, n, &dt, &why);
		if (used < 0 || (size_t)used != n)
			goto bad;
		type = TOML_TIME_LOCAL;
		goto done;
	}
	if (n < 10 || !digits_at(tok, 4) || tok[4] != '-' || !digits_at(tok + 5, 2) ||
	    tok[7] != '-' || !digits_at(tok + 8, 2)) {
		why = "expected YYYY-MM-DD";
		goto bad;
	}
	dt.year = (tok[0] - '0') * 1000 + (tok[1] - '0') * 100 + num2(tok + 2);
	dt.month = num2(tok + 5);
	dt.day = num2(tok + 8);
	if (dt.month < 1 || dt.month > 12 || dt.day < 1 ||
	    dt.day > days_in_month(dt.year, dt.month)) {
		why = "no such date";
		goto bad;
	}
	if (n == 10) {
		type = TOML_DATE_LOCAL;
		goto done;
	}
	if (tok[10] != 'T' && tok[10] != 't' && tok[10] != ' ') {
		why = "expected T or a space between the date and the time";
		goto bad;
	}
	int used = parse_time(tok + 11, n - 11, &dt, &why);
	if (used < 0)
		goto bad;
	i = 11 + (size_t)used;
	if (i == n) {
		type = TOML_DATETIME_LOCAL;
		goto done;
	}
	type = TOML_DATETIME;
	if ((tok[i] == 'Z' || tok[i] == 'z') && i + 1 == n) {
		dt.offset_z = true;
	} else if ((tok[i] == '+' || tok[i] == '-') && n - i == 6 && digits_at(tok + i + 1, 2) &&
		   tok[i + 3] == ':' && digits_at(tok + i + 4, 2)) {
		int h = num2(tok + i + 1), m = num2(tok + i + 4);
		if (h > 23 || m > 59) {
			why = "time zone offset out of range";
			goto bad;
		}
		dt.offset_minutes = (tok[i] == '-' ? -1 : 1) * (h * 60 + m);
	} else {
		why = "expected Z or a +HH:MM offset after the time";
		goto bad;
	}
done:;
	struct toml_value *v = tp_new_value(p, type, line, col);
	v->u.dt = dt;
	return v;
bad:
	return tp_fail_at(p, line, col, "invalid date/time '%.*s': %s", (int)(n > 60 ? 60 : n), tok,
			  why);
}

/* Numbers, booleans, dates and times: read the token, then classify. */
struct toml_value *tp_scalar(struct parser *p)
{
	unsigned line = p->line, col = p->col;
	size_t start = p->pos;

	while (tp_peek(p) >= 0 && (tp_bare_key_char(tp_peek(p)) || tp_peek(p) == '+' ||
				   tp_peek(p) == '.' || tp_peek(p) == ':'))
		tp_advance(p, 1);
	/* "1979-05-27 07:32:00": a space may separate date and time */
	if (p->pos - start == 10 && tp_peek(p) == ' ' && isdigit(tp_peek_at(p, 1)) &&
	    isdigit(tp_peek_at(p, 2)) && tp_peek_at(p, 3) == ':' && digits_at(p->s + start, 4) &&
	    p->s[start + 4] == '-') {
		tp_advance(p, 1);
		while (tp_peek(p) >= 0 && (tp_bare_key_char(tp_peek(p)) || tp_peek(p) == '+' ||
					   tp_peek(p) == '.' || tp_peek(p) == ':'))
			tp_advance(p, 1);
	}
	const char *tok = p->s + start;
	size_t n = p->pos - start;

	if (n == 0)
		return tp_expected(
		    p, "a value (string, number, boolean, date, array or inline table)");
	if ((n == 4 && !memcmp(tok, "true", 4)) || (n == 5 && !memcmp(tok, "false", 5))) {
		struct toml_value *v = tp_new_value(p, TOML_BOOLEAN, line, col);
		v->u.b = n == 4;
		return v;
	}
	bool is_date = (n >= 3 && tok[2] == ':') || (n >= 5 && digits_at(tok, 4) && tok[4] == '-');
	if (is_date)
		return parse_datetime(p, tok, n, line, col);
	const char *body = (*tok == '+' || *tok == '-') ? tok + 1 : tok;
	size_t bn = n - (size_t)(body - tok);
	bool special = bn == 3 && (!memcmp(body, "inf", 3) || !memcmp(body, "nan", 3));
	if (bn > 0 && body[0] == '.')
		return tp_fail_at(
		    p, line, col,
		    "invalid float '%.*s': a digit must come before the decimal point", (int)n,
		    tok);
	if (!special && (bn == 0 || !isdigit((unsigned char)body[0])))
		return tp_fail_at(p, line, col,
				  "expected a value, found '%.*s' (strings need quotes; booleans "
				  "are true and false)",
				  (int)(n > 60 ? 60 : n), tok);
	if (bn >= 2 && body[0] == '0' && isalpha((unsigned char)body[1]) &&
	    !strchr("xobeE", body[1]))
		return tp_fail_at(p, line, col,
				  "invalid integer '%.*s': base prefixes are 0x, 0o and 0b", (int)n,
				  tok);
	bool based =
	    bn >= 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o' || body[1] == 'b');
	if (special ||
	    (!based && (memchr(tok, '.', n) || memchr(tok, 'e', n) || memchr(tok, 'E', n))))
		return parse_float(p, tok, n, line, col);
	return parse_integer(p, tok, n, line, col);
}
