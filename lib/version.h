/* The project version (the Makefile passes -DKC_VERSION from VERSION) and
 * the source commit. */
#ifndef KC_VERSION_H
#define KC_VERSION_H

#ifndef KC_VERSION
#define KC_VERSION "0.0.0-dev"
#endif

extern const char kc_version[];
extern const char kc_commit[]; /* short git commit, or "unknown" */

/* Every program's --version, in runc's format (Docker's `info` parses the
 * runtime's): "PROG version X", "commit: C", then EXTRA's lines ("spec:
 * 1.0.2" for the runtime), if any. */
void kc_print_version(const char *prog, const char *extra);

#endif
