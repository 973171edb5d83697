/* An OCI bundle: config.json read and checked (errors name the file and
 * the field), its rootfs found, and what kata-runtime needs from it. */
#ifndef KC_BUNDLE_H
#define KC_BUNDLE_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

struct bundle {
	char *dir;       /* absolute */
	char *config;    /* dir/config.json */
	char *rootfs;    /* absolute */
	json_t *spec;
};

/* Load and check dir/config.json: ociVersion 1.x, a process (when
 * need_process), root.path an existing directory. */
int bundle_load(struct bundle *b, const char *dir, bool need_process, struct kc_error *err);
void bundle_free(struct bundle *b);

/* The spec's network namespace: 0 none in the spec (the host's), 1 a new
 * one, 2 an existing one (*path set). */
int bundle_netns(const json_t *spec, const char **path);

#endif
