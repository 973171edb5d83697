/* Hot-plug over QMP (see hotplug.h). */
#include "hotplug.h"

#include <stdio.h>
#include <string.h>

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
		kc_warn("hot-plug: memory: %s", err->msg);
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
