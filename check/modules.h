/* Kernel module facts. The only file (with setup's loader, later) that
 * talks to libkmod. */
#ifndef KC_MODULES_H
#define KC_MODULES_H

#include "facts.h"
#include "hostroot.h"

/* Probe every module the runtime may need on this architecture. Never loads
 * anything. `release` is the host's kernel release. */
void modules_probe(const struct host_root *root, const char *release, enum host_arch arch,
		   struct modules_facts *mf);

/* The modprobe.d directories libkmod reads, in its order, relative to the host root. */
extern const char *const modprobe_config_dirs[];

#endif
