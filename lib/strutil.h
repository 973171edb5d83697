/* String parsing helpers for the text formats the kernel and Debian write
 * (sysfs attributes, /proc tables, key=value files). All are strict: they
 * report failure rather than guess. */
#ifndef KC_STRUTIL_H
#define KC_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Strip leading and trailing whitespace in place; returns s advanced. */
char *str_trim(char *s);
bool str_startswith(const char *s, const char *prefix);
bool str_endswith(const char *s, const char *suffix);
bool str_eq(const char *a, const char *b);

/* Whole-string numeric parsing; base 0 accepts 0x/0 prefixes. Leading and
 * trailing whitespace are allowed, anything else is an error (-EINVAL);
 * out-of-range is -ERANGE. */
int parse_u64(const char *s, int base, uint64_t *out);
int parse_i64(const char *s, int base, int64_t *out);
int parse_uint(const char *s, int base, unsigned *out);

/* Parse a kernel boolean as sysfs prints it: Y/N, 1/0, y/n.
 * Returns 1, 0, or -EINVAL for anything else. */
int parse_kernel_bool(const char *s);

/* True if the space-separated word list contains word exactly. */
bool word_list_contains(const char *list, const char *word);

/* Split a NUL-terminated buffer into lines in place: returns the next line
 * and advances *cursor; NULL at the end. */
char *next_line(char **cursor);

/* Parse one `KEY=VALUE` line of an os-release style file, unquoting VALUE
 * (single or double quotes, backslash escapes in double quotes). Returns
 * false for comments, blank or malformed lines. key/value point into line. */
bool parse_env_line(char *line, char **key, char **value);

/* Copy src into dst of size n, always NUL-terminating; true if it fit. */
bool str_copy(char *dst, size_t n, const char *src);

/* Free a NULL-terminated array of strings and the array. */
void strv_free(char **v);

#endif
