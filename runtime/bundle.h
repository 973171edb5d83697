/* An OCI bundle: config.json read and checked whole (errors name the file
 * and the field, before a VM boots), its rootfs opened once, and what
 * kata-runtime needs from it. The bundle is the caller's and untrusted:
 * config.json is read only if it is a regular file beneath the bundle
 * directory, and the rootfs is shared through the handle opened here,
 * whatever its path points to later. */
#ifndef KC_BUNDLE_H
#define KC_BUNDLE_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "sandbox.h"

#define BUNDLE_CONFIG_MAX (16u << 20) /* config.json larger than this is refused */

struct bundle {
	char *dir;     /* absolute, as opened */
	char *config;  /* dir/config.json, for messages */
	char *rootfs;  /* absolute, as opened (for the state and hooks) */
	int dirfd;     /* the bundle directory */
	int rootfs_fd; /* O_PATH handle of the rootfs: what gets shared */
	json_t *spec;
};

/* Load and check dir/config.json (a process is required when
 * need_process), open root.path (a directory), and check that every bind
 * mount's source exists. */
int bundle_load(struct bundle *b, const char *dir, bool need_process, struct kc_error *err);
void bundle_free(struct bundle *b);
/* A struct bundle that bundle_free() may be given before it is loaded. */
#define BUNDLE_INIT                                                                                \
	{                                                                                          \
		.dirfd = -1, .rootfs_fd = -1                                                       \
	}
#define _cleanup_bundle_ _cleanup_(bundle_free)

/* The spec's network namespace: NETNS_HOST when the spec has none (the
 * host's), NETNS_NEW, or NETNS_PATH (*path set). */
enum netns_mode bundle_netns(const json_t *spec, const char **path);

#endif
