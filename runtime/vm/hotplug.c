/* Hot-plug over QMP (see hotplug.h). */
#include "hotplug.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "qmp.h"

static unsigned add_vcpus_qmp(struct qmp *q, unsigned vcpus, unsigned want, struct kc_error *err)
{
	unsigned added = 0;
	json_t *slots = qmp_execute(q, "query-hotpluggable-cpus", NULL, HOTPLUG_QMP_MS, err);
	size_t i;
	json_t *s;
	json_array_foreach (slots, i, s) {
		if (added == want)
			break;
		if (json_object_get(s, "qom-path"))
			continue; /* present already */
		json_t *args = json_deep_copy(json_object_get(s, "props"));
		json_object_set_new(args, "driver",
				    json_string(json_string_value(json_object_get(s, "type"))));
		char id[32];
		snprintf(id, sizeof(id), "cpu%u", vcpus + added);
		json_object_set_new(args, "id", json_string(id));
		json_t *r = qmp_execute(q, "device_add", args, HOTPLUG_QMP_MS, err);
		if (!r)
			break;
		json_decref(r);
		added++;
	}
	json_decref(slots);
	if (added < want)
		kc_warn("hot-plug: %u of %u vCPUs added (default_maxvcpus is the limit)", added,
			want);
	return added;
}

static unsigned add_memory_qmp(struct qmp *q, unsigned memory_mib, unsigned want,
			       struct kc_error *err)
{
	unsigned mib = (want + MEMORY_BLOCK_MIB - 1) / MEMORY_BLOCK_MIB * MEMORY_BLOCK_MIB;
	char id[32], dimm[40];
	snprintf(id, sizeof(id), "hpmem%u", memory_mib);
	snprintf(dimm, sizeof(dimm), "dimm%u", memory_mib);
	json_t *r = qmp_execute(q, "object-add",
				json_pack("{s:s, s:s, s:I}", "qom-type", "memory-backend-ram", "id",
					  id, "size", (json_int_t)mib << 20),
				HOTPLUG_QMP_MS, err);
	if (r) {
		json_decref(r);
		r = qmp_execute(
		    q, "device_add",
		    json_pack("{s:s, s:s, s:s}", "driver", "pc-dimm", "id", dimm, "memdev", id),
		    HOTPLUG_QMP_MS, err);
	}
	if (!r) {
		kc_warn("hot-plug: memory: %s", kc_error_msg(err));
		return 0;
	}
	json_decref(r);
	return mib;
}

int qemu_hotplug(const char *qmp_socket, unsigned vcpus, unsigned memory_mib, unsigned add_vcpus,
		 unsigned add_mem_mib, struct hotplug_result *added, struct kc_error *err)
{
	memset(added, 0, sizeof(*added));
	struct qmp q;
	if (qmp_connect(&q, qmp_socket, HOTPLUG_QMP_MS, err) < 0)
		return kc_error_wrap(err, "hot-plug");
	if (add_vcpus)
		added->vcpus = add_vcpus_qmp(&q, vcpus, add_vcpus, err);
	if (add_mem_mib)
		added->memory_mib = add_memory_qmp(&q, memory_mib, add_mem_mib, err);
	qmp_close(&q);
	return 0;
}

/* ---- NICs ----------------------------------------------------------------- */

void qemu_hotplug_slot(json_t *args, const char *bus)
{
	if (!strncmp(bus, QEMU_HOTPLUG_PORT, strlen(QEMU_HOTPLUG_PORT)))
		json_object_set_new(args, "addr", json_string("0"));
}

int qemu_nic_add(const char *qmp_socket, const char *id, int tapfd, const char *mac,
		 unsigned bridges, unsigned ports, struct kc_error *err)
{
	struct qmp q;
	if (qmp_connect(&q, qmp_socket, HOTPLUG_QMP_MS, err) < 0)
		return kc_error_wrap(err, "hot-plug");
	char fdname[64], netdev[64];
	snprintf(fdname, sizeof(fdname), "fd-%s", id);
	snprintf(netdev, sizeof(netdev), "netdev-%s", id);
	int rc = -1;
	json_t *r = qmp_execute_fd(&q, "getfd", json_pack("{s:s}", "fdname", fdname), tapfd,
				   HOTPLUG_QMP_MS, err);
	if (r) {
		json_decref(r);
		r = qmp_execute(&q, "netdev_add",
				json_pack("{s:s, s:s, s:s, s:b}", "type", "tap", "id", netdev, "fd",
					  fdname, "vhost", 0),
				HOTPLUG_QMP_MS, err);
	}
	if (r) {
		json_decref(r);
		/* the bridges' free slots, then the free root ports: a full bridge
		 * or an occupied port refuses the device */
		for (unsigned k = 0; k < bridges + ports && rc < 0; k++) {
			char bus[32];
			if (k < bridges)
				snprintf(bus, sizeof(bus), QEMU_HOTPLUG_BRIDGE "%u", k);
			else
				snprintf(bus, sizeof(bus), QEMU_HOTPLUG_PORT "%u", k - bridges);
			json_t *args =
			    json_pack("{s:s, s:s, s:s, s:s, s:s}", "driver", "virtio-net-pci", "id",
				      id, "netdev", netdev, "mac", mac, "bus", bus);
			qemu_hotplug_slot(args, bus);
			r = qmp_execute(&q, "device_add", args, HOTPLUG_QMP_MS, err);
			if (r) {
				json_decref(r);
				rc = 0;
			}
		}
		if (rc < 0) {
			if (bridges + ports == 0)
				kc_error_set(
				    err, 0,
				    "the VM has no hot-plug bridge or port (default_bridges, "
				    "pcie_root_port in the configuration)");
			json_decref(qmp_execute(&q, "netdev_del", json_pack("{s:s}", "id", netdev),
						HOTPLUG_QMP_MS, NULL));
		}
	}
	if (rc < 0)
		kc_error_wrap(err, "hot-plug the NIC %s", mac);
	qmp_close(&q);
	return rc;
}

/* Whether QEMU still has the device (its unplug completes when the guest
 * has let it go). */
static bool has_device(struct qmp *q, const char *id)
{
	_cleanup_error_ struct kc_error err = {0};
	json_t *l = qmp_execute(q, "qom-list", json_pack("{s:s}", "path", "/machine/peripheral"),
				HOTPLUG_QMP_MS, &err);
	bool found = false;
	size_t i;
	json_t *e;
	json_array_foreach (l, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "name")) ?: "", id))
			found = true;
	json_decref(l);
	return found;
}

int qmp_device_del_wait(struct qmp *q, const char *id, int timeout_ms, struct kc_error *err)
{
	json_t *r = qmp_execute(q, "device_del", json_pack("{s:s}", "id", id), HOTPLUG_QMP_MS, err);
	if (!r && has_device(q, id))
		return -1;
	json_decref(r);
	/* a PCIe port gives the guest 5 s to refuse (its attention button) */
	long long deadline = monotonic_ms() + timeout_ms;
	while (has_device(q, id) && monotonic_ms() < deadline) {
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (has_device(q, id))
		return kc_error_set(err, ETIMEDOUT, "the guest did not release %s in %d s", id,
				    timeout_ms / 1000);
	return 0;
}

int qemu_nic_del(const char *qmp_socket, const char *id, struct kc_error *err)
{
	struct qmp q;
	if (qmp_connect(&q, qmp_socket, HOTPLUG_QMP_MS, err) < 0)
		return kc_error_wrap(err, "hot-unplug");
	int rc = qmp_device_del_wait(&q, id, NIC_UNPLUG_MS, err);
	if (rc == 0) {
		char netdev[64];
		snprintf(netdev, sizeof(netdev), "netdev-%s", id);
		json_decref(qmp_execute(&q, "netdev_del", json_pack("{s:s}", "id", netdev),
					HOTPLUG_QMP_MS, err));
	}
	qmp_close(&q);
	return rc < 0 ? kc_error_wrap(err, "hot-unplug %s", id) : 0;
}
