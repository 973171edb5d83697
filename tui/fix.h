/* Fixing one report item from the dashboard, through kata-setup's library:
 * the same plan kata-setup would make, reduced to the action that fixes
 * the item. */
#ifndef KC_FIX_H
#define KC_FIX_H

#include <stddef.h>

/* Describe the action that fixes `item` on the host at host_root_dir.
 * Returns 0 (desc filled), or -1 with why nothing can be done in desc. */
int fix_describe(const char *host_root_dir, const char *item, char *desc, size_t len);

/* Carry it out; result says what happened. 0 done, -1 failed. */
int fix_run(const char *host_root_dir, const char *item, char *result, size_t len);

#endif
