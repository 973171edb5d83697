/* Per-architecture QEMU (see arch_qemu.h). Kata 1 shipped the same choices
 * in its per-architecture configuration-qemu.toml. */
#include "arch_qemu.h"

#include "macros.h"

static const struct arch_qemu table[] = {
    {ARCH_X86_64, "qemu-system-x86_64", "q35", "qemu-system-x86"},
    {ARCH_ARM64, "qemu-system-aarch64", "virt", "qemu-system-arm"},
    {ARCH_PPC64LE, "qemu-system-ppc64", "pseries", "qemu-system-ppc"},
    /* Debian ships qemu-system-s390x in qemu-system-misc */
    {ARCH_S390X, "qemu-system-s390x", "s390-ccw-virtio", "qemu-system-misc"},
};

const struct arch_qemu *arch_qemu_for(enum host_arch arch)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (table[i].arch == arch)
			return &table[i];
	return NULL;
}
