/* What QEMU each host architecture runs its guests with: the binary, the
 * machine type and the Debian package that ships it. kata-setup writes the
 * host's (not the build's) into the configuration it installs; the path
 * remedies name the host's package. */
#ifndef KC_ARCH_QEMU_H
#define KC_ARCH_QEMU_H

#include "facts.h"

struct arch_qemu {
	enum host_arch arch;
	const char *binary;	  /* "qemu-system-aarch64" */
	const char *machine_type; /* "virt" */
	const char *package;	  /* "qemu-system-arm" */
};

/* NULL for an architecture Kata does not run on. */
const struct arch_qemu *arch_qemu_for(enum host_arch arch);

#endif
