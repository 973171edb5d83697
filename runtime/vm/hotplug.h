/* vCPUs and memory hot-plugged into a running QEMU over QMP: vCPUs into
 * the free slots QEMU lists, memory as a pc-dimm of whole guest memory
 * blocks. The guest brings them online (the caller asks the agent). */
#ifndef KC_HOTPLUG_H
#define KC_HOTPLUG_H

#include "error.h"

#define MEMORY_BLOCK_MIB 128 /* the guest onlines memory in blocks of this */
#define HOTPLUG_QMP_MS	 5000

struct hotplug_result {
	unsigned vcpus, memory_mib; /* what was added */
};

/* Add up to add_vcpus and add_mem_mib (rounded up to whole blocks) to the
 * VM whose QMP socket is qmp_socket and which has vcpus and memory_mib now
 * (they name the new devices). What could not be added is a warning; -1
 * only when QMP cannot be reached. */
int qemu_hotplug(const char *qmp_socket, unsigned vcpus, unsigned memory_mib, unsigned add_vcpus,
		 unsigned add_mem_mib, struct hotplug_result *added, struct kc_error *err);

#endif
