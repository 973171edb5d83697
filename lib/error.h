/* Errors carried up the stack. The project has three contracts, one per
 * layer, and this header says which layer uses which:
 *
 *  - struct kc_error: every function that can fail for a reason a user must
 *    read (the runtime, the shims, setup, the agent's handlers, the parsers
 *    of configuration.toml and config.json) returns a negative int (or
 *    NULL) and fills the struct kc_error passed last. Each layer may add
 *    context with kc_error_wrap(); only main() prints it and picks an exit
 *    code. Callers decide on kc_error_code(), never on the message: the
 *    message is for people and may be reworded at any time.
 *  - -errno: the small system helpers of lib/ (beneath.c, fs.c, fdmount.c,
 *    fdpass.c, netlink.c, proc.c) return -errno and nothing else; the
 *    caller that knows what was being done writes the sentence.
 *  - facts: the probes of check/ never fail a run. What they could not
 *    read is recorded in the facts (a field's "why"), and the rules turn
 *    it into a report item; a probe's `char *why, size_t len` buffer is
 *    that record, not an error.
 *
 * A message is never cut: it lives on the heap, as long as it needs to be.
 * Declare errors with _cleanup_error_ (or call kc_error_clear()) so it is
 * freed; kc_error_set() and kc_error_wrap() free what they replace. */
#ifndef KC_ERROR_H
#define KC_ERROR_H

#include <stdbool.h>

#include "macros.h"

struct kc_error {
	int errnum; /* errno of the root cause, 0 when not a system error */
	int code;   /* what callers test (an errno value): see kc_error_code() */
	bool set;
	char *msg; /* the whole message (heap); NULL until set */
};

/* Record an error, replacing any before it; appends ": strerror(errnum)"
 * when errnum > 0, and its code is errnum. Returns -errnum when errnum > 0,
 * -1 otherwise, so callers can `return kc_error_set(...)`. */
int kc_error_set(struct kc_error *err, int errnum, const char *fmt, ...) _printf_(3, 4);

/* Record an error whose code a caller will test (ENOENT: no such container,
 * EEXIST: the id is taken, ...), without appending strerror: the message
 * says it in the project's words. Returns -code. */
int kc_error_setc(struct kc_error *err, int code, const char *fmt, ...) _printf_(3, 4);

/* Prefix context to an existing error: "context: old message". The code
 * and errnum stay. Returns -errnum when the error has one, -1 otherwise. */
int kc_error_wrap(struct kc_error *err, const char *fmt, ...) _printf_(2, 3);

/* The code callers decide on: the one given to kc_error_setc(), else the
 * root cause's errno, else 0 (no code: only its message says what). */
int kc_error_code(const struct kc_error *err);

/* The message, or "" when none is set: safe to print at any time. */
const char *kc_error_msg(const struct kc_error *err);

/* Move an error: dst takes src's message (freeing its own), src is left empty. */
void kc_error_move(struct kc_error *dst, struct kc_error *src);

/* Free the message and forget the error. Also the cleanup function. */
void kc_error_clear(struct kc_error *err);

#define _cleanup_error_ _cleanup_(kc_error_clear)

#endif
