/* Scope-based release of jansson values: `_cleanup_json_ json_t *r = ...;`
 * drops the reference when r goes out of scope (json_decref takes NULL). */
#ifndef KC_JSON_CLEANUP_H
#define KC_JSON_CLEANUP_H

#include <jansson.h>

#include "macros.h"

static inline void kc_json_decrefp(json_t **j)
{
	json_decref(*j);
}

#define _cleanup_json_ _cleanup_(kc_json_decrefp)

#endif
