/* Each container is a cgroup v2 group in the guest: its processes are
 * listed, signalled, frozen and limited through it (OCI linux.resources,
 * translated from v1 terms as runc does for v2). */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "strbuf.h"
#include "xalloc.h"

static int write_attr(const char *dir, const char *name, const char *value)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return write(fd, value, strlen(value)) < 0 ? -errno : 0;
}

static int read_attr(const char *dir, const char *name, char *buf, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

char *cgroup_create(const char *id)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", AGENT_CGROUP, id);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		log_warn("cgroup %s: %s", path, strerror(errno));
		return NULL;
	}
	return xstrdup(path);
}

/* cpu.shares (2..262144) to cpu.weight (1..10000), as runc converts. */
static uint64_t shares_to_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

int cgroup_apply(const char *dir, const json_t *resources, bool update, struct kc_error *err)
{
	if (!dir || !json_is_object(resources))
		return 0;
	char v[64];
	int rc;
	json_t *mem = json_object_get(resources, "memory");
	json_t *limit = json_object_get(mem, "limit");
	if (json_is_integer(limit)) {
		if (json_integer_value(limit) > 0)
			snprintf(v, sizeof(v), "%" JSON_INTEGER_FORMAT, json_integer_value(limit));
		else
			snprintf(v, sizeof(v), "max");
		if ((rc = write_attr(dir, "memory.max", v)) < 0) {
			kc_error_set(err, 0, "memory limit %s: %s", v, strerror(-rc));
			return -1;
		}
	}
	json_t *resv = json_object_get(mem, "reservation");
	if (json_is_integer(resv) && json_integer_value(resv) > 0) {
		snprintf(v, sizeof(v), "%" JSON_INTEGER_FORMAT, json_integer_value(resv));
		write_attr(dir, "memory.low", v);
	}
	json_t *cpu = json_object_get(resources, "cpu");
	json_t *quota = json_object_get(cpu, "quota"), *period = json_object_get(cpu, "period");
	if (json_is_integer(quota) || json_is_integer(period)) {
		json_int_t q = json_is_integer(quota) ? json_integer_value(quota) : -1;
		json_int_t p = json_is_integer(period) && json_integer_value(period) > 0
				   ? json_integer_value(period)
				   : 100000;
		if (q > 0)
			snprintf(v, sizeof(v), "%" JSON_INTEGER_FORMAT " %" JSON_INTEGER_FORMAT, q,
				 p);
		else
			snprintf(v, sizeof(v), "max %" JSON_INTEGER_FORMAT, p);
		if ((rc = write_attr(dir, "cpu.max", v)) < 0) {
			kc_error_set(err, 0, "cpu quota %s: %s", v, strerror(-rc));
			return -1;
		}
	}
	json_t *shares = json_object_get(cpu, "shares");
	if (json_is_integer(shares) && json_integer_value(shares) > 0) {
		snprintf(v, sizeof(v), "%" PRIu64,
			 shares_to_weight((uint64_t)json_integer_value(shares)));
		write_attr(dir, "cpu.weight", v);
	}
	/* CPU and node numbers are the VM's. A spec's may be the host's (a
	 * CPU manager's choice): one the VM lacks is a warning at create, an
	 * error for an update that asked for it. */
	static const struct {
		const char *key, *file;
	} sets[] = {{"cpus", "cpuset.cpus"}, {"mems", "cpuset.mems"}};
	for (size_t i = 0; i < 2; i++) {
		const char *list = json_string_value(json_object_get(cpu, sets[i].key));
		if (!list || !*list)
			continue;
		rc = write_attr(dir, sets[i].file, list);
		/* the kernel says EINVAL or ERANGE for CPUs it does not have */
		bool foreign = rc == -EINVAL || rc == -ERANGE;
		if (foreign && !update) {
			log_warn("cpuset %s '%s': not the VM's; not applied", sets[i].key, list);
		} else if (rc < 0) {
			kc_error_set(err, 0, "cpuset %s '%s': %s%s", sets[i].key, list,
				     foreign ? "the VM has no such CPU or memory node: " : "",
				     strerror(-rc));
			return -1;
		}
	}
	json_t *weight = json_object_get(json_object_get(resources, "blockIO"), "weight");
	if (json_is_integer(weight) && json_integer_value(weight) > 0) {
		/* blkio.weight (10..1000) to io.weight (1..10000), as runc converts */
		json_int_t w = json_integer_value(weight);
		snprintf(v, sizeof(v), "default %" JSON_INTEGER_FORMAT,
			 1 + (w < 10 ? 0 : w - 10) * 9999 / 990);
		if ((rc = write_attr(dir, "io.weight", v)) < 0) {
			kc_error_set(err, 0, "block I/O weight %" JSON_INTEGER_FORMAT ": %s", w,
				     strerror(-rc));
			return -1;
		}
	}
	json_t *pids = json_object_get(json_object_get(resources, "pids"), "limit");
	if (json_is_integer(pids)) {
		if (json_integer_value(pids) > 0)
			snprintf(v, sizeof(v), "%" JSON_INTEGER_FORMAT, json_integer_value(pids));
		else
			snprintf(v, sizeof(v), "max");
		if ((rc = write_attr(dir, "pids.max", v)) < 0) {
			kc_error_set(err, 0, "pids limit %s: %s", v, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

size_t cgroup_pids(const char *dir, pid_t **out)
{
	*out = NULL;
	if (!dir)
		return 0;
	char path[512];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = 0, cap = 0;
	long pid;
	while (fscanf(f, "%ld", &pid) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof(pid_t));
		}
		(*out)[n++] = (pid_t)pid;
	}
	return n;
}

int cgroup_signal(const char *dir, int sig)
{
	pid_t *pids;
	size_t n = cgroup_pids(dir, &pids);
	int sent = 0;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) == 0)
			sent++;
	free(pids);
	return sent;
}

int cgroup_freeze(const char *dir, bool frozen)
{
	int rc = write_attr(dir, "cgroup.freeze", frozen ? "1" : "0");
	if (rc < 0)
		return rc;
	/* wait (briefly) until the kernel says it is done */
	for (int i = 0; i < 200; i++) {
		char ev[256];
		if (read_attr(dir, "cgroup.events", ev, sizeof(ev)) < 0)
			break;
		char *f = strstr(ev, "frozen ");
		if (f && (f[7] == '1') == frozen)
			return 0;
		struct timespec ts = {0, 5 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return 0;
}

static uint64_t attr_u64(const char *dir, const char *name)
{
	char buf[64];
	if (read_attr(dir, name, buf, sizeof(buf)) < 0)
		return 0;
	return strtoull(buf, NULL, 10);
}

static uint64_t keyed(const char *dir, const char *file, const char *key)
{
	char buf[4096];
	if (read_attr(dir, file, buf, sizeof(buf)) < 0)
		return 0;
	size_t kl = strlen(key);
	for (char *line = buf; line && *line;) {
		if (!strncmp(line, key, kl) && line[kl] == ' ')
			return strtoull(line + kl + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

json_t *cgroup_stats(const char *dir)
{
	json_t *s = json_object();
	if (!dir)
		return s;
	char max[64] = "";
	read_attr(dir, "memory.max", max, sizeof(max));
	max[strcspn(max, "\n")] = '\0';
	json_object_set_new(s, "memory_usage",
			    json_integer((json_int_t)attr_u64(dir, "memory.current")));
	json_object_set_new(s, "memory_limit",
			    strcmp(max, "max") && max[0] ? json_integer(strtoll(max, NULL, 10))
							 : json_null());
	json_object_set_new(s, "memory_cache",
			    json_integer((json_int_t)keyed(dir, "memory.stat", "file")));
	json_object_set_new(s, "cpu_usage_ns",
			    json_integer((json_int_t)keyed(dir, "cpu.stat", "usage_usec") * 1000));
	json_object_set_new(s, "cpu_user_ns",
			    json_integer((json_int_t)keyed(dir, "cpu.stat", "user_usec") * 1000));
	json_object_set_new(s, "cpu_system_ns",
			    json_integer((json_int_t)keyed(dir, "cpu.stat", "system_usec") * 1000));
	json_object_set_new(s, "pids", json_integer((json_int_t)attr_u64(dir, "pids.current")));
	return s;
}

unsigned long long cgroup_oom_kills(const char *dir)
{
	return dir ? keyed(dir, "memory.events", "oom_kill") : 0;
}

void cgroup_remove(const char *dir)
{
	if (!dir)
		return;
	/* the kernel frees the group once its last process is reaped */
	for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++) {
		struct timespec ts = {0, 2 * 1000000L};
		nanosleep(&ts, NULL);
	}
}
