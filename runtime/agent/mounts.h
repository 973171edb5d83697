/* A container's root filesystem and mounts (see mounts.c). */
#ifndef KC_AGENT_MOUNTS_H
#define KC_AGENT_MOUNTS_H

#include "error.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* In the child, in its new mount namespace: mount what the OCI spec asks
 * onto rootfs (bind sources relative to share), add /dev's nodes (console:
 * the terminal to show as /dev/console, or NULL), pivot_root into it. */
int rootfs_setup(const json_t *spec, const char *rootfs, const char *share, const char *console,
		 struct kc_error *err);

/* A non-empty relative path with no ".." component: it names something
 * under the directory it is taken from (the host share). */
bool safe_relative(const char *s);

int rootfs_finish(const json_t *spec, struct kc_error *err);

#endif
