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

/* FNV-1a, 64 bits, over len bytes, from h (FNV1A_INIT to start): the
 * short, stable names of the runtime's directories and sockets (paths must
 * fit in 108 bytes) and the VM factory's keys. */
#define FNV1A_INIT 14695981039346656037ULL
/* The start of the VM directories' and the shim v2's socket names: not
 * FNV's basis (a digit short since they were first named), kept because
 * the names on a host with sandboxes running are made with it. */
#define FNV1A_INIT_SHORT 1469598103934665603ULL
uint64_t fnv1a(uint64_t h, const void *data, size_t len);
static inline uint64_t fnv1a_str(uint64_t h, const char *s)
{
	return fnv1a(h, s, __builtin_strlen(s));
}

/* Copy src into dst of size n, always NUL-terminating; true if it fit. */
bool str_copy(char *dst, size_t n, const char *src);

/* Free a NULL-terminated array of strings and the array. */
void strv_free(char **v);

#endif
