/* What the configured QEMU binary itself can do, read from the file in
 * the host root without running it (kata-check and every create judge
 * it, so it must cost next to nothing): whether it was built with
 * seccomp, which its -sandbox option needs. */
#ifndef KC_QEMU_BINARY_H
#define KC_QEMU_BINARY_H

#include "hostroot.h"

enum tri_state { TRI_STATE_UNKNOWN = -1, TRI_STATE_NO = 0, TRI_STATE_YES = 1 };

/* Is libseccomp among the binary's DT_NEEDED libraries? UNKNOWN for a
 * file that is not a dynamically linked 64-bit ELF (a static QEMU, a
 * wrapper script). */
enum tri_state qemu_binary_has_seccomp(const struct host_root *root, const char *path);

#endif
