/* kata-overhead: what a sandbox costs beyond its containers, as Kata 1's
 * command prints it. Over one second, the CPU time of the VM's processes on
 * the host (QEMU, virtiofsd, kata-proxy: /proc's utime and stime) minus the
 * CPU time of the pod's containers in the guest (their cgroups, through the
 * agent); and the host processes' resident memory minus the containers'
 * memory in the guest. Kata 1 read the pod's host cgroup, which exists only
 * when the spec gives a cgroupsPath; the processes exist for every sandbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent_client.h"
#include "cli.h"
#include "daemon.h"
#include "log.h"
#include "pod.h"
#include "commands.h"
#include "runtime.h"
#include "timeouts.h"

struct usage {
	unsigned long long cpu_ns, mem_bytes;
};

/* One host process's CPU time (ns) and resident memory, if it is the
 * process that was started (pid and start time). */
static void add_process(pid_t pid, uint64_t start, struct usage *u)
{
	struct process_stat st;
	if (pid <= 0 || process_stat(pid, &st) < 0 || st.state == 'Z' || st.state == 'X' ||
	    (start && st.start_time != start))
		return;
	u->cpu_ns +=
	    (st.utime + st.stime) * (1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/statm", pid);
	unsigned long long size, resident;
	FILE *f = fopen(path, "re");
	if (f && fscanf(f, "%llu %llu", &size, &resident) == 2)
		u->mem_bytes += resident * (unsigned long long)sysconf(_SC_PAGESIZE);
	if (f)
		fclose(f);
}

static void host_usage(const struct sandbox *sb, struct usage *u)
{
	memset(u, 0, sizeof(*u));
	add_process(sb->qemu_pid, sb->qemu_start, u);
	add_process(sb->virtiofsd_pid, sb->virtiofsd_start, u);
	add_process(sb->proxy_pid, sb->proxy_start, u);
}

static int guest_usage(struct ctr *sandbox, const json_t *members, struct usage *u,
		       struct kc_error *err)
{
	memset(u, 0, sizeof(*u));
	struct agent_client ac;
	if (ctr_agent(sandbox, &ac, err) < 0)
		return -1;
	size_t i;
	json_t *m;
	json_array_foreach (members, i, m) {
		_cleanup_error_ struct kc_error e = {0};
		json_t *r =
		    agent_client_call(&ac, "stats_container", json_pack("{s:O}", "container_id", m),
				      AGENT_QUERY_MS, &e);
		if (!r) {
			/* a member gone from the guest (stopped and removed) costs nothing */
			kc_debug("stats of %s: %s", json_string_value(m), kc_error_msg(&e));
			continue;
		}
		json_t *s = json_object_get(r, "stats");
		u->cpu_ns +=
		    (unsigned long long)json_integer_value(json_object_get(s, "cpu_usage_ns"));
		u->mem_bytes +=
		    (unsigned long long)json_integer_value(json_object_get(s, "memory_usage"));
		json_decref(r);
	}
	agent_client_close(&ac);
	return 0;
}

static int overhead(struct rt *rt, const char *id, struct kc_error *err)
{
	struct ctr c, sbc;
	if (ctr_open(rt, id, &c, err) < 0)
		return -1;
	const char *sid = json_string_value(json_object_get(c.state, "sandbox_id")) ?: id;
	int rc = -1;
	bool have_sbc = false;
	/* closed once its numbers are copied, before the second's wait */
	_cleanup_sbrec_ struct sbrec rec = SBREC_INIT;
	if (!strcmp(ctr_status(&c), "stopped")) {
		kc_error_set(err, 0, "container with id %s is not running", id);
		goto out;
	}
	/* the sandbox's own container answers for the VM (its agent channel) */
	if (strcmp(sid, id)) {
		if (ctr_open(rt, sid, &sbc, err) < 0)
			goto out;
		have_sbc = true;
	}
	if (sbrec_open(&rec, rt->root, sid, err) < 0)
		goto out;
	json_t *members = json_deep_copy(json_object_get(rec.j, "members"));
	/* its numbers only: the strings go with the record */
	struct sandbox sb = rec.sb;
	sbrec_close(&rec);
	struct usage h0, h1, g0, g1;
	struct ctr *agentc = have_sbc ? &sbc : &c;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	host_usage(&sb, &h0);
	if (guest_usage(agentc, members, &g0, err) < 0) {
		json_decref(members);
		goto out;
	}
	/* over one second, as Kata 1 measured */
	struct timespec ts = {1, 0};
	nanosleep(&ts, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	host_usage(&sb, &h1);
	int grc = guest_usage(agentc, members, &g1, err);
	json_decref(members);
	if (grc < 0)
		goto out;
	double dt = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	double cpu_host = (double)(h1.cpu_ns - h0.cpu_ns) / dt * 100;
	double cpu_guest = (double)(g1.cpu_ns - g0.cpu_ns) / dt * 100;
	printf("Sandbox overhead for container: %s\n", id);
	printf("cpu_overhead=%f\n", cpu_host - cpu_guest);
	printf("memory_overhead_bytes=%lld\n\n", (long long)h1.mem_bytes - (long long)g1.mem_bytes);
	printf(" --CPU details--\n");
	printf("cpu_host=%f\n", cpu_host);
	printf("\tcpu_host_init=%llu\n", h0.cpu_ns);
	printf("\tcpu_host_final=%llu\n", h1.cpu_ns);
	printf("cpu_guest=%f\n", cpu_guest);
	printf("\tcpu_guest_init=%llu\n", g0.cpu_ns);
	printf("\tcpu_guest_final=%llu\n", g1.cpu_ns);
	printf("Number of available vCPUs=%u\n", sb.vcpus);
	printf(" --Memory details--\n");
	printf("memory_host_bytes=%llu\n", h1.mem_bytes);
	printf("memory_guest_bytes=%llu\n\n", g1.mem_bytes);
	rc = 0;
out:
	if (have_sbc)
		ctr_close(&sbc);
	ctr_close(&c);
	return rc;
}

int cmd_kata_overhead(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt none[] = {{NULL}};
	int pos = cli_parse(argc, argv, 1, none, err);
	if (pos < 0)
		return 1;
	if (pos >= argc) {
		kc_error_set(err, 0,
			     "kata-overhead: Missing container ID, should at least provide one");
		return 1;
	}
	for (int i = pos; i < argc; i++) {
		kc_log_field("container", argv[i]);
		if (overhead(rt, argv[i], err) < 0)
			return 1;
	}
	return 0;
}
