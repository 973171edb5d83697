/* The xmalloc family: allocations that cannot fail. On exhaustion they
 * print "fatal: out of memory" and abort - for the runtime's small,
 * bounded allocations, where no caller could do better. Code that can
 * refuse one request and go on (a daemon serving many) uses malloc and
 * says so. */
#ifndef KC_XALLOC_H
#define KC_XALLOC_H

#include <stddef.h>

#include "macros.h"

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s); /* NULL duplicates as "" */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) _printf_(1, 2);

#endif
