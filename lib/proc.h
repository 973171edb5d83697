/* Running a helper program: fork, exec, capture its output, bounded time. */
#ifndef KC_PROC_H
#define KC_PROC_H

#include <stddef.h>

#include "error.h"

/* Run argv (argv[0] a path), stdin from /dev/null, capture stdout and
 * stderr (at most outlen-1 bytes kept) and wait up to timeout_ms, killing
 * it after that. *status is the wait status. Returns 0 when it ran to an
 * exit (any code), -1 with err otherwise (not started, killed on timeout). */
int run_capture(const char *const argv[], int timeout_ms, char *out, size_t outlen, int *status,
		struct kc_error *err);

#endif
