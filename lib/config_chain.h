/* Finding the configuration file: the resolution chain. First hit wins:
 *   1. --kata-config PATH (alias --config)   explicit: must exist
 *   2. $KATA_CONF_FILE                        explicit: must exist
 *   3. /etc/kata-containers/configuration.toml
 *   4. <prefix>/share/defaults/kata-containers/configuration.toml
 * Levels 3 and 4 are looked up inside the host root and skipped only when
 * absent; a directory, a dangling symlink or an unreadable file there is an
 * error naming it, not a silent fall-through. Symlinks are followed. */
#ifndef KC_CONFIG_CHAIN_H
#define KC_CONFIG_CHAIN_H

#include "config.h"
#include "hostroot.h"

struct config_source {
	char *path;	      /* the file used */
	const char *origin;   /* "--kata-config", "KATA_CONF_FILE", "system", "default" */
	struct strlist tried; /* "PATH: reason" for every level passed over */
};

/* The default locations (levels 3 and 4), NULL-terminated. */
extern const char *const config_default_paths[];

/* Find the file. `explicit_path` is --kata-config (NULL if not given);
 * the environment is read here. On failure err says which paths were
 * tried and why each was rejected. */
int config_locate(const struct host_root *root, const char *explicit_path,
		  struct config_source *src, struct kc_error *err);

/* Locate, read and parse: defaults, then the file over them. */
int config_load(const struct host_root *root, const char *explicit_path, struct kc_config *c,
		struct config_source *src, struct kc_error *err);

void config_source_free(struct config_source *src);

#endif
