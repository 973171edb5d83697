/* The pod's limits on the host, from its members' limits. Each member's
 * memory limit and CPU quota are recorded in the sandbox's record
 * ({"limits": {ID: {"memory", "quota", "period", "pause"}}}); the pod's
 * cgroup gets their sum plus the VM's overhead (host_cgroup.h), as
 * Kubernetes computes a pod's limits: none when a member that counts has
 * none. The sandbox (pause) container of a pod counts only while it is
 * alone: kubelet gives it no limits. */
#include "pod.h"

#include <string.h>

#include "host_cgroup.h"
#include "log.h"

#define CPU_PERIOD 100000LL /* microseconds; quotas are summed at this period */

void sbrec_set_limits(struct sbrec *r, const char *id, const json_t *resources, bool pause)
{
	json_t *all = json_object_get(r->j, "limits");
	if (!json_is_object(all))
		json_object_set_new(r->j, "limits", all = json_object());
	json_t *m = json_object_get(all, id);
	if (!json_is_object(m)) {
		json_object_set_new(all, id, m = json_object());
		json_object_set_new(m, "pause", json_boolean(pause));
	}
	/* an update names only what it changes */
	json_t *mem = json_object_get(json_object_get(resources, "memory"), "limit");
	if (json_is_integer(mem))
		json_object_set_new(m, "memory", json_integer(json_integer_value(mem)));
	json_t *cpu = json_object_get(resources, "cpu");
	json_t *quota = json_object_get(cpu, "quota"), *period = json_object_get(cpu, "period");
	if (json_is_integer(quota))
		json_object_set_new(m, "quota", json_integer(json_integer_value(quota)));
	if (json_is_integer(period))
		json_object_set_new(m, "period", json_integer(json_integer_value(period)));
}

void sbrec_forget_limits(struct sbrec *r, const char *id)
{
	json_object_del(json_object_get(r->j, "limits"), id);
}

void sbrec_host_limits(const struct sbrec *r, struct host_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->cpu_period = CPU_PERIOD;
	json_t *all = json_object_get(r->j, "limits");
	bool others = false;
	const char *id;
	json_t *m;
	json_object_foreach (all, id, m)
		if (!json_is_true(json_object_get(m, "pause")))
			others = true;
	long long mem = 0, quota = 0;
	bool mem_all = true, cpu_all = true;
	int counted = 0;
	json_object_foreach (all, id, m) {
		if (others && json_is_true(json_object_get(m, "pause")))
			continue;
		counted++;
		/* beyond a PiB or a million CPUs a limit is none (and the sums
		 * cannot overflow) */
		json_int_t ml = json_integer_value(json_object_get(m, "memory"));
		if (ml > 0 && ml < (1LL << 50))
			mem += ml;
		else
			mem_all = false;
		json_int_t q = json_integer_value(json_object_get(m, "quota"));
		json_int_t p = json_integer_value(json_object_get(m, "period"));
		long long per = p > 0 && p < (1LL << 40) ? p : CPU_PERIOD;
		if (q > 0 && q / per < 1000000)
			quota += (long long)((__int128)q * CPU_PERIOD / per);
		else
			cpu_all = false;
	}
	if (!counted)
		return;
	if (mem_all)
		l->memory = mem + HOST_OVERHEAD_MEMORY;
	if (cpu_all)
		l->cpu_quota = quota + CPU_PERIOD * HOST_OVERHEAD_MILLICPU / 1000;
}

int pod_apply_host_limits(const struct sbrec *r, struct kc_error *err)
{
	if (!r->sb.cgroup)
		return 0;
	struct host_limits l;
	sbrec_host_limits(r, &l);
	if (host_cgroup_set_limits(r->sb.cgroup, &l, err) < 0)
		return kc_error_wrap(err, "the pod's limits on the host");
	kc_debug("pod %s on the host: memory %lld, cpu quota %lld/%llu", r->sb.id, l.memory,
		 l.cpu_quota, l.cpu_period);
	return 0;
}

int pod_update_host_limits(const char *root, const char *sandbox_id, const char *id,
			   const json_t *resources, struct kc_error *err)
{
	struct sbrec rec;
	if (sbrec_open(&rec, root, sandbox_id, err) < 0)
		return kc_error_wrap(err, "sandbox %s", sandbox_id);
	sbrec_set_limits(&rec, id, resources, false);
	int rc = sbrec_save(&rec, err) < 0 || pod_apply_host_limits(&rec, err) < 0 ? -1 : 0;
	sbrec_close(&rec);
	return rc;
}
