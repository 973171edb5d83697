/* Device passthrough for containers: a spec whose linux.devices names
 * /dev/vfio/N (Kata 1's convention: an IOMMU group bound to vfio-pci on
 * the host) gets every device of group N in its VM, as vfio-pci - at
 * start for the container that boots the sandbox (cold-plug), hot-plugged
 * for a container joining a running pod. Judged before anything boots,
 * from the same report kata-check prints: no IOMMU, a group with a member
 * still on a host driver, a device the report marks unfit - each refused
 * naming the device, the group and the remedy. */
#ifndef KC_VFIO_H
#define KC_VFIO_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "qemu.h"
#include "rtconfig.h"

struct vfio_plan {
	struct qemu_vfio dev[QEMU_VFIO_MAX];
	int n;
};

/* The groups the spec asks for, resolved to their devices and judged
 * (err names the spec's entry, the group, the device and the remedy).
 * check_nodes: also open /dev/vfio/N on this host, to refuse a group
 * another process holds (off when the PCI facts are a test's fixture). */
int vfio_plan_for_spec(const json_t *spec, const struct rtconfig *rc, bool check_nodes,
		       struct vfio_plan *out, struct kc_error *err);

/* Cold-plug placement: each device on a root port of its own (q35) or on
 * the root bus (pc). */
void vfio_place_cold(struct vfio_plan *p, const char *machine);

/* Hot-plug buses, in the order to try, as the configuration asks:
 * hotplug_vfio_on_root_bus puts devices on the root bus (pc) or on the
 * PCIe root ports (q35, pcie_root_port of them); otherwise on the
 * default_bridges PCI bridges. Returns how many (names in buf). */
#define VFIO_BUSES_MAX 64
int vfio_hotplug_buses(bool on_root_bus, const char *machine, unsigned bridges, unsigned ports,
		       char buf[][32], int max);

/* Room the hot-plug root ports keep for the largest device bound to
 * vfio-pci on this host (a GPU's 64-bit BARs), so one can come later. */
void vfio_port_reserve(const struct host_facts *f, struct qemu_mmio *m);

/* The guest's side: the spec without the /dev/vfio/N entries (the guest's
 * drivers drive the devices, not VFIO), and the agent's list of devices
 * to find by PCI path, with the entries' mode and owner for the nodes. */
json_t *vfio_strip_spec(json_t *guest_spec);
json_t *vfio_agent_devices(const struct vfio_plan *p, const json_t *spec);

/* For the container's state: the devices, and whether hot-plugged (a
 * delete unplugs those; cold-plugged ones go with the VM). */
json_t *vfio_plan_to_json(const struct vfio_plan *p, bool hotplugged);
int vfio_plan_from_json(const json_t *j, struct vfio_plan *p);

#endif
