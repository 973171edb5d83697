/* vCPUs, memory and NICs hot-plugged into a running QEMU over QMP: vCPUs into
 * the free slots QEMU lists, memory as a pc-dimm of whole guest memory
 * blocks. The guest brings them online (the caller asks the agent). */
#ifndef KC_HOTPLUG_H
#define KC_HOTPLUG_H

#include <jansson.h>

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

/* The VM's hot-plug buses (qemu.c makes them): default_bridges PCI
 * bridges, then pcie_root_port PCIe root ports (q35). */
#define QEMU_HOTPLUG_BRIDGE "kata-bridge-"
#define QEMU_HOTPLUG_PORT   "kata-port-"

/* device_add's arguments for a device on bus: on a root port, slot 0 -
 * the only one a PCIe port's link has (QEMU would take a second device on
 * slot 1, where the guest never looks). */
void qemu_hotplug_slot(json_t *args, const char *bus);

/* A NIC on a tap (its descriptor, passed to QEMU with getfd) as
 * virtio-net-pci with that MAC, in the first free slot of the VM's
 * BRIDGES bridges and PORTS root ports. Its QEMU id is ID; its netdev
 * netdev-ID. vhost is not used for a hot-plugged NIC. */
int qemu_nic_add(const char *qmp_socket, const char *id, int tapfd, const char *mac,
		 unsigned bridges, unsigned ports, struct kc_error *err);
/* Unplug it and wait until the guest has let it go (at most
 * NIC_UNPLUG_MS), then remove its netdev. */
#define NIC_UNPLUG_MS 15000

/* device_del, then wait until QEMU no longer has the device (the guest
 * has let it go), at most timeout_ms. A device QEMU does not have is
 * gone already: 0. */
struct qmp;
int qmp_device_del_wait(struct qmp *q, const char *id, int timeout_ms, struct kc_error *err);
int qemu_nic_del(const char *qmp_socket, const char *id, struct kc_error *err);

#endif
