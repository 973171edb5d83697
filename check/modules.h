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

/* What to give kmod_new() for those directories: their *.conf files as
 * kmod orders them (a name in an earlier directory hides the same name in
 * a later one; then by name), regular files only - libkmod opens them
 * blocking, and a FIFO among them would hang it. NULL-terminated; free
 * each and the array. Paths as the caller's root sees them. */
char **modprobe_config_files(void);

/* NULL, or why the module database in dir cannot be handed to libkmod
 * (an index that is not a regular file would block it). */
const char *modules_index_problem(const char *dir, char *buf, size_t len);

#endif
