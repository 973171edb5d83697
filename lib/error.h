/* The one error contract: a fallible function returns a negative int (or
 * NULL) and fills the struct kc_error passed last. Each layer may add
 * context with kc_error_wrap(); only main() prints and picks an exit code. */
#ifndef KC_ERROR_H
#define KC_ERROR_H

#include <stdbool.h>

#include "macros.h"

struct kc_error {
	int errnum; /* errno of the root cause, 0 when not a system error */
	bool set;
	char msg[1024];
};

/* Record an error; appends ": strerror(errnum)" when errnum != 0.
 * Returns -1 (or -errnum when errnum > 0) so callers can `return kc_error_set(...)`. */
int kc_error_set(struct kc_error *err, int errnum, const char *fmt, ...) _printf_(3, 4);

/* Prefix context to an existing error: "context: old message". Returns -1. */
int kc_error_wrap(struct kc_error *err, const char *fmt, ...) _printf_(2, 3);

void kc_error_clear(struct kc_error *err);

#endif
