/* A container's OCI seccomp profile (see seccomp_filter.c). */
#ifndef KC_AGENT_SECCOMP_FILTER_H
#define KC_AGENT_SECCOMP_FILTER_H

#include "error.h"
#include <jansson.h>
#include <stddef.h>

/* Build PROFILE (linux.seccomp) into *FILTER (NULL when there is none);
 * -1 with err naming the field. */
int seccomp_build(const json_t *profile, void **filter, struct kc_error *err);
/* Load FILTER on the calling thread (nothing if NULL), and release it. */
int seccomp_load_filter(void *filter, struct kc_error *err);

#endif
