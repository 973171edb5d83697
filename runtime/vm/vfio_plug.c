/* VFIO devices over QMP (see vfio_plug.h). */
#include "vfio_plug.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "hotplug.h"
#include "log.h"
#include "qmp.h"

/* Depth-first through query-pci's devices and the buses behind their
 * bridges, the slots on the way in path. */
static bool find_in(const json_t *devices, const char *id, char *path, size_t len, size_t at)
{
	size_t i;
	json_t *d;
	json_array_foreach (devices, i, d) {
		int slot = (int)json_integer_value(json_object_get(d, "slot"));
		int n = snprintf(path + at, len - at, "%s%02x", at ? "/" : "", slot);
		if (n < 0 || (size_t)n >= len - at)
			return false;
		const char *qid = json_string_value(json_object_get(d, "qdev_id"));
		if (qid && !strcmp(qid, id))
			return true;
		json_t *below = json_object_get(json_object_get(d, "pci_bridge"), "devices");
		if (below && find_in(below, id, path, len, at + (size_t)n))
			return true;
		path[at] = '\0';
	}
	return false;
}

int qemu_vfio_locate(const char *qmp_socket, struct qemu_vfio *v, int n, struct kc_error *err)
{
	if (!n)
		return 0;
	struct qmp q;
	if (qmp_connect(&q, qmp_socket, HOTPLUG_QMP_MS, err) < 0)
		return kc_error_wrap(err, "locate the passed devices");
	json_t *buses = qmp_execute(&q, "query-pci", NULL, HOTPLUG_QMP_MS, err);
	qmp_close(&q);
	if (!buses)
		return kc_error_wrap(err, "query-pci");
	int rc = 0;
	for (int k = 0; k < n && rc == 0; k++) {
		/* the root bus (0) only: what hangs off it is below its devices */
		v[k].pci_path[0] = '\0';
		size_t i;
		json_t *b;
		bool found = false;
		json_array_foreach (buses, i, b)
			if (!found && json_integer_value(json_object_get(b, "bus")) == 0)
				found = find_in(json_object_get(b, "devices"), v[k].id,
						v[k].pci_path, sizeof(v[k].pci_path), 0);
		if (!found)
			rc = kc_error_set(err, 0, "QEMU lists no device %s (%s) on its PCI buses",
					  v[k].id, v[k].host);
	}
	json_decref(buses);
	return rc;
}

int qemu_device_del(const char *qmp_socket, const char *id, int timeout_ms, struct kc_error *err)
{
	struct qmp q;
	if (qmp_connect(&q, qmp_socket, HOTPLUG_QMP_MS, err) < 0)
		return kc_error_wrap(err, "hot-unplug %s", id);
	int rc = qmp_device_del_wait(&q, id, timeout_ms, err);
	qmp_close(&q);
	return rc < 0 ? kc_error_wrap(err, "hot-unplug %s", id) : 0;
}

int qemu_vfio_add(const char *qmp_socket, struct qemu_vfio *v, int n, const char *const *buses,
		  int nbuses, struct kc_error *err)
{
	if (!nbuses)
		return kc_error_set(err, 0, "the VM has no bus to hot-plug %s onto", v[0].host);
	struct qmp q;
	if (qmp_connect(&q, qmp_socket, HOTPLUG_QMP_MS, err) < 0)
		return kc_error_wrap(err, "hot-plug");
	int added = 0, next = 0;
	bool device_failed = false;
	for (; added < n; added++) {
		bool ok = false;
		/* the buses in order: a device goes where the last one went
		 * while that bus takes it (a bridge has 31 slots, a root port
		 * one), then on the next */
		while (next < nbuses && !ok && !device_failed) {
			json_t *args =
			    json_pack("{s:s, s:s, s:s, s:s}", "driver", "vfio-pci", "host",
				      v[added].host, "id", v[added].id, "bus", buses[next]);
			qemu_hotplug_slot(args, buses[next]);
			json_t *r = qmp_execute(&q, "device_add", args, HOTPLUG_QMP_MS, err);
			if (r) {
				json_decref(r);
				snprintf(v[added].bus, sizeof(v[added].bus), "%s", buses[next]);
				ok = true;
			} else if (strstr(q.error_desc, v[added].host)) {
				/* VFIO's own failure ("vfio 0000:03:00.0: ..."), not
				 * the bus's: no other bus would do better */
				device_failed = true;
			} else {
				next++;
			}
		}
		if (!ok)
			break;
	}
	int rc = 0;
	if (added < n && !device_failed)
		kc_error_set(err, 0,
			     "no free hot-plug slot for it: the VM's %d hot-plug bus(es) are taken "
			     "(default_bridges, pcie_root_port in the configuration give more)",
			     nbuses);
	if (added < n) {
		rc = kc_error_wrap(err, "hot-plug %s (IOMMU group %d)", v[added].host,
				   v[added].group);
		for (int k = added - 1; k >= 0; k--) {
			_cleanup_error_ struct kc_error undo = {0};
			if (qmp_device_del_wait(&q, v[k].id, NIC_UNPLUG_MS, &undo) < 0)
				kc_warn("undo the hot-plug of %s: %s", v[k].host,
					kc_error_msg(&undo));
		}
	}
	qmp_close(&q);
	return rc;
}
