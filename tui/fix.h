/* Fixing one report item from the dashboard, through kata-setup's library:
 * the same plan kata-setup would make, reduced to the action that fixes
 * the item. */
#ifndef KC_FIX_H
#define KC_FIX_H

#include "error.h"

/* Describe the action that fixes `item` on the host at host_root_dir:
 * 0 and *desc (the caller frees it), or -1 with err saying why nothing
 * can be done. They probe the host: call them from the one thread that
 * probes. */
int fix_describe(const char *host_root_dir, const char *item, char **desc, struct kc_error *err);

/* Carry it out: 0 and *result saying what was done, or -1 with err. */
int fix_run(const char *host_root_dir, const char *item, char **result, struct kc_error *err);

#endif
