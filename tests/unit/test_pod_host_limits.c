/* The pod's limits on the host from its members' recorded limits: the sum
 * plus the VM's overhead, none when a member that counts has none, the
 * pause container counted only while alone, quotas summed at one period,
 * and an update changing only what it names. */
#include "test.h"

#include "host_cgroup.h"
#include "pod.h"

#define MIB (1LL << 20)

static void limits_of(struct sbrec *r, struct host_limits *l)
{
	sbrec_host_limits(r, l);
	assert_int_equal(l->cpu_period, 100000);
}

static json_t *res(long long mem, long long quota, long long period)
{
	json_t *j = json_object();
	if (mem)
		json_object_set_new(j, "memory", json_pack("{s:I}", "limit", (json_int_t)mem));
	if (quota)
		json_object_set_new(j, "cpu",
				    json_pack("{s:I, s:I}", "quota", (json_int_t)quota, "period",
					      (json_int_t)period));
	return j;
}

static void add(struct sbrec *r, const char *id, json_t *resources, bool pause)
{
	sbrec_set_limits(r, id, resources, pause);
	json_decref(resources);
}

static void sum_plus_overhead(void **state)
{
	(void)state;
	struct sbrec r = {.j = json_object()};
	struct host_limits l;
	limits_of(&r, &l);
	assert_int_equal(l.memory, 0); /* nobody: no limit */
	assert_int_equal(l.cpu_quota, 0);
	add(&r, "pause", json_object(), true);
	limits_of(&r, &l);
	assert_int_equal(l.memory, 0); /* the pause alone, without limits */
	add(&r, "a", res(100 * MIB, 20000, 100000), false);
	/* a quota at another period counts at 100 ms */
	add(&r, "b", res(50 * MIB, 5000, 50000), false);
	limits_of(&r, &l);
	assert_int_equal(l.memory, 150 * MIB + HOST_OVERHEAD_MEMORY);
	assert_int_equal(l.cpu_quota, 30000 + 25000);
	/* a member without a memory limit: none for the pod; the CPU stays */
	add(&r, "c", res(0, 10000, 100000), false);
	limits_of(&r, &l);
	assert_int_equal(l.memory, 0);
	assert_int_equal(l.cpu_quota, 40000 + 25000);
	sbrec_forget_limits(&r, "c");
	limits_of(&r, &l);
	assert_int_equal(l.memory, 150 * MIB + HOST_OVERHEAD_MEMORY);
	json_decref(r.j);
}

static void lone_container_and_updates(void **state)
{
	(void)state;
	struct sbrec r = {.j = json_object()};
	struct host_limits l;
	add(&r, "c1", res(256 * MIB, 50000, 100000), false);
	limits_of(&r, &l);
	assert_int_equal(l.memory, 256 * MIB + HOST_OVERHEAD_MEMORY);
	assert_int_equal(l.cpu_quota, 75000);
	/* an update naming only the memory keeps the quota */
	json_t *u = json_pack("{s:{s:I}}", "memory", "limit", (json_int_t)(512 * MIB));
	add(&r, "c1", u, false);
	limits_of(&r, &l);
	assert_int_equal(l.memory, 512 * MIB + HOST_OVERHEAD_MEMORY);
	assert_int_equal(l.cpu_quota, 75000);
	/* a sandbox container with limits counts while alone */
	struct sbrec p = {.j = json_object()};
	add(&p, "pause", res(64 * MIB, 0, 0), true);
	limits_of(&p, &l);
	assert_int_equal(l.memory, 64 * MIB + HOST_OVERHEAD_MEMORY);
	assert_int_equal(l.cpu_quota, 0);
	json_decref(p.j);
	json_decref(r.j);
}

/* Limits too large to mean anything are none, and never overflow a sum. */
static void huge_limits(void **state)
{
	(void)state;
	struct sbrec r = {.j = json_object()};
	struct host_limits l;
	add(&r, "a", res(INT64_MAX, INT64_MAX, 1), false);
	add(&r, "b", res(INT64_MAX, INT64_MAX, INT64_MAX), false);
	limits_of(&r, &l);
	assert_int_equal(l.memory, 0);
	assert_int_equal(l.cpu_quota, 0);
	json_decref(r.j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sum_plus_overhead),
	    cmocka_unit_test(lone_container_and_updates),
	    cmocka_unit_test(huge_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
