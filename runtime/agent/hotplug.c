/* CPUs and memory hot-plugged by the runtime (QMP) come up offline in the
 * guest: bring them online, waiting (briefly) for the ones still arriving. */
#include "agent.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Online what is offline under dir (cpuN/online "0" or memoryN/state
 * "offline"); returns how many are online afterwards. */
static int online_all(const char *dir, const char *prefix, const char *file, const char *off,
		      const char *on)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;
	int online = 0;
	size_t pl = strlen(prefix);
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, prefix, pl) || e->d_name[pl] < '0' || e->d_name[pl] > '9')
			continue;
		char path[512], v[32] = "";
		snprintf(path, sizeof(path), "%s/%s/%s", dir, e->d_name, file);
		_cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			online++; /* cpu0 has no online file: always on */
			continue;
		}
		ssize_t n = read(fd, v, sizeof(v) - 1);
		if (n > 0 && !strncmp(v, off, strlen(off))) {
			if (pwrite(fd, on, strlen(on), 0) > 0)
				online++;
		} else if (n > 0) {
			online++;
		}
	}
	return online;
}

static long block_mib(void)
{
	FILE *f = fopen("/sys/devices/system/memory/block_size_bytes", "re");
	unsigned long v = 0;
	if (f) {
		if (fscanf(f, "%lx", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v ? (long)(v >> 20) : 128;
}

/* {"vcpus": N, "memory_mib": M}: the totals expected once all is online. */
json_t *hotplug_online(const json_t *req)
{
	long want_cpus = (long)json_integer_value(json_object_get(req, "vcpus"));
	long want_mib = (long)json_integer_value(json_object_get(req, "memory_mib"));
	long bmib = block_mib();
	int cpus = 0, blocks = 0;
	for (int i = 0; i < 300; i++) {
		cpus = online_all("/sys/devices/system/cpu", "cpu", "online", "0", "1");
		blocks = online_all("/sys/devices/system/memory", "memory", "state", "offline",
				    "online");
		if (cpus >= want_cpus && (long)blocks * bmib >= want_mib)
			break;
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	log_info("online: %d CPUs, %ld MiB of memory blocks", cpus, (long)blocks * bmib);
	return json_pack("{s:i, s:I}", "vcpus", cpus, "memory_mib", (json_int_t)blocks * bmib);
}
