/* OCI hooks, run on the host with the container's state on stdin. */
#ifndef KC_HOOKS_H
#define KC_HOOKS_H

#include <jansson.h>

#include "error.h"

/* Run spec.hooks[kind] in order; the first failure (non-zero exit,
 * timeout, not executable) stops them: -1 with err naming the hook. */
int hooks_run(const json_t *hooks, const char *kind, const json_t *state, struct kc_error *err);

#endif
