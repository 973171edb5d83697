/* Host PCI devices in a running QEMU, over QMP: where the guest finds
 * them (query-pci), hot-plugged as vfio-pci onto a free hot-plug bus, and
 * unplugged again. */
#ifndef KC_VFIO_PLUG_H
#define KC_VFIO_PLUG_H

#include "error.h"
#include "qemu.h"

/* Fill each device's pci_path - the slots from the root bus, "05/00", as
 * the guest walks them - from QEMU's view of its PCI tree. */
int qemu_vfio_locate(const char *qmp_socket, struct qemu_vfio *v, int n, struct kc_error *err);

/* Hot-plug each device as vfio-pci on the first of buses that takes it
 * (a bus with its slot taken refuses it); v->bus is where it went. All
 * or nothing: on failure those added are unplugged again, and err has
 * QEMU's word for the device that failed. */
int qemu_vfio_add(const char *qmp_socket, struct qemu_vfio *v, int n, const char *const *buses,
		  int nbuses, struct kc_error *err);

/* Unplug device id and wait until the guest has let it go (at most
 * timeout_ms). A device QEMU does not have is gone already: 0. */
int qemu_device_del(const char *qmp_socket, const char *id, int timeout_ms, struct kc_error *err);

#endif
