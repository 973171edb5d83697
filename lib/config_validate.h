/* Validating a loaded configuration as Kata does, with better messages. */
#ifndef KC_CONFIG_VALIDATE_H
#define KC_CONFIG_VALIDATE_H

#include <limits.h>

#include "config.h"
#include "hostroot.h"

/* Allowed values, ranges, exclusive and conflicting options; then Kata's
 * normalisation (vCPUs clamped to host_cpus, memory 0 -> default, bridges
 * 1..5, ...), each change described in `notes`. No filesystem access.
 * host_cpus 0 means unknown (no clamping). */
int config_check_values(struct kc_config *c, unsigned host_cpus, struct strlist *notes,
			struct kc_error *err);

/* One path the configuration names. */
struct config_path {
	const char *section, *key;  /* "hypervisor.qemu", "path" */
	const char *what;	    /* "hypervisor", "guest kernel", ... */
	const char *path;	    /* as configured (points into the config) */
	bool executable;	    /* must be an executable file */
	int error;		    /* 0 usable, else errno-like code */
	char reason[PATH_MAX + 96]; /* why not usable: a whole path, and what is wrong with it */
};

#define CONFIG_PATHS_MAX 12

/* Check every path the configuration uses (hypervisor, kernel, initrd or
 * image, firmware, virtiofsd, proxy, shim, netmon, entropy source),
 * through the host root. Returns how many were filled. */
size_t config_check_paths(const struct kc_config *c, const struct host_root *root,
			  struct config_path *out, size_t max);

/* Why a VM template (and a cache of VMs made from one) cannot serve this
 * configuration, or NULL when it can: one answer for kata-runtime's
 * factory and for kata-setup, which turns templates on where they can. */
const char *config_template_blocker(const struct kc_config *c);

/* All of the above: the first problem is an error naming file:line. */
int config_validate(struct kc_config *c, const struct host_root *root, unsigned host_cpus,
		    struct strlist *notes, struct kc_error *err);

#endif
