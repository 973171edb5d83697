/* The active configuration as an input to the rules: found through the
 * chain (inside the host root), loaded, its values checked and every path
 * it names examined. A missing or broken configuration is recorded, never
 * fatal: the host checks run regardless. */
#ifndef KC_CONFIG_PROBE_H
#define KC_CONFIG_PROBE_H

#include "config.h"
#include "config_chain.h"
#include "config_validate.h"
#include "hostroot.h"

struct config_state {
	struct kc_config cfg; /* defaults when nothing was loaded */
	struct config_source src;
	bool loaded;	      /* a file was found and parsed */
	bool missing;	      /* no file anywhere in the chain */
	bool values_ok;	      /* config_check_values passed */
	char *error;	      /* why not loaded, or the value error (whole); NULL when neither */
	struct strlist notes; /* normalisations applied */
	struct config_path paths[CONFIG_PATHS_MAX];
	size_t npaths;
	int qemu_seccomp; /* enum tri_state: the hypervisor binary was built with seccomp */
};

void config_probe(const struct host_root *root, const char *explicit_path, unsigned host_cpus,
		  struct config_state *st);
void config_state_free(struct config_state *st);

#endif
