/* A growable string. Allocation failure aborts: every caller would have to
 * give up anyway, and it keeps call sites readable. */
#ifndef KC_STRBUF_H
#define KC_STRBUF_H

#include <stddef.h>

#include "macros.h"

struct strbuf {
	char *s; /* always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
};

#define STRBUF_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void strbuf_append(struct strbuf *sb, const char *s);
void strbuf_append_len(struct strbuf *sb, const char *s, size_t n);
void strbuf_appendf(struct strbuf *sb, const char *fmt, ...) _printf_(2, 3);
void strbuf_putc(struct strbuf *sb, char c);
/* The string so far; "" for an empty buffer. Stays owned by sb. */
const char *strbuf_str(const struct strbuf *sb);
/* Hand the string to the caller (never NULL); sb is left empty. */
char *strbuf_steal(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);

static inline void strbuf_releasep(struct strbuf *sb)
{
	strbuf_release(sb);
}
#define _cleanup_strbuf_ _cleanup_(strbuf_releasep)

#endif
