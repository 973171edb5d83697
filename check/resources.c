/* Host resources and identity (see resources.h). */
#include "resources.h"

#include <stdio.h>
#include <string.h>

#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

unsigned cpu_list_count(const char *list)
{
	unsigned total = 0;
	const char *p = list;

	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b;
		if (end == p)
			return 0;
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			b = strtoul(p, &end, 10);
			if (end == p || b < a)
				return 0;
			p = end;
		}
		total += (unsigned)(b - a + 1);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return 0;
		else
			break;
	}
	return total;
}

void resources_parse_meminfo(const char *text, struct resource_facts *rf)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *cursor = copy, *line;
	bool total = false;

	while ((line = next_line(&cursor))) {
		char key[40];
		unsigned long long v;
		if (sscanf(line, "%39[^:]: %llu", key, &v) != 2)
			continue;
		if (!strcmp(key, "MemTotal")) {
			rf->mem_total_kib = v;
			total = true;
		} else if (!strcmp(key, "MemAvailable"))
			rf->mem_available_kib = v;
		else if (!strcmp(key, "HugePages_Total"))
			rf->hugepages_total = v;
		else if (!strcmp(key, "HugePages_Free"))
			rf->hugepages_free = v;
		else if (!strcmp(key, "Hugepagesize"))
			rf->hugepage_size_kib = v;
		else if (!strcmp(key, "SwapTotal"))
			rf->swap_total_kib = v;
		else if (!strcmp(key, "SwapFree"))
			rf->swap_free_kib = v;
		else if (!strcmp(key, "CommitLimit"))
			rf->commit_limit_kib = v;
		else if (!strcmp(key, "Committed_AS"))
			rf->committed_kib = v;
	}
	rf->mem_known = total;
}

/* Decided from files, not statfs(), so fixtures can describe any layout:
 * v2 has cgroup.controllers at the top; hybrid mounts v2 at unified/ next
 * to v1 controller directories. */
static enum cgroup_layout cgroup_layout(const struct host_root *root)
{
	bool v1 = host_exists(root, "/sys/fs/cgroup/memory") ||
		  host_exists(root, "/sys/fs/cgroup/cpu") ||
		  host_exists(root, "/sys/fs/cgroup/cpuset");

	if (host_exists(root, "/sys/fs/cgroup/cgroup.controllers"))
		return CGROUP_V2;
	if (host_exists(root, "/sys/fs/cgroup/unified/cgroup.controllers"))
		return v1 ? CGROUP_HYBRID : CGROUP_V2;
	if (v1)
		return CGROUP_V1;
	return host_exists(root, "/sys/fs/cgroup") ? CGROUP_NONE : CGROUP_UNKNOWN;
}

/* Which controllers there are, and which the root hands to its children. */
static void cgroup_controllers(const struct host_root *root, struct resource_facts *rf)
{
	static const char *const v1[] = {"cpu", "cpuset", "memory", "pids", "devices", "blkio"};
	char path[96];
	_cleanup_free_ char *text = NULL;

	if (rf->cgroup == CGROUP_V2) {
		/* at the top, or at unified/ beside an empty v1 tree */
		const char *dir = "/sys/fs/cgroup";
		if (host_read_attr(root, "/sys/fs/cgroup/cgroup.controllers", rf->cgroup_available,
				   sizeof(rf->cgroup_available)) < 0) {
			dir = "/sys/fs/cgroup/unified";
			host_read_attr(root, "/sys/fs/cgroup/unified/cgroup.controllers",
				       rf->cgroup_available, sizeof(rf->cgroup_available));
		}
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
		rf->cgroup_subtree_known =
		    host_read_attr(root, path, rf->cgroup_subtree, sizeof(rf->cgroup_subtree)) == 0;
	} else if (rf->cgroup == CGROUP_V1 || rf->cgroup == CGROUP_HYBRID) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < ARRAY_SIZE(v1); i++) {
			snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", v1[i]);
			if (host_exists(root, path))
				strbuf_appendf(&sb, "%s%s", sb.len ? " " : "", v1[i]);
		}
		str_copy(rf->cgroup_available, sizeof(rf->cgroup_available), strbuf_str(&sb));
		strbuf_release(&sb);
	}
	/* "#subsys_name hierarchy num_cgroups enabled" */
	if (host_read_file(root, "/proc/cgroups", 64 * 1024, &text, NULL) == 0) {
		char *cursor = text, *line;
		struct strbuf sb = STRBUF_INIT;
		while ((line = next_line(&cursor))) {
			char name[32];
			unsigned h, n, enabled;
			if (line[0] != '#' &&
			    sscanf(line, "%31s %u %u %u", name, &h, &n, &enabled) == 4 && !enabled)
				strbuf_appendf(&sb, "%s%s", sb.len ? " " : "", name);
		}
		str_copy(rf->cgroup_disabled, sizeof(rf->cgroup_disabled), strbuf_str(&sb));
		strbuf_release(&sb);
	}
}

static void read_os_release(const struct host_root *root, struct resource_facts *rf)
{
	_cleanup_free_ char *text = NULL;
	char *cursor, *line;

	if (host_read_file(root, "/etc/os-release", 64 * 1024, &text, NULL) < 0 &&
	    host_read_file(root, "/usr/lib/os-release", 64 * 1024, &text, NULL) < 0)
		return;
	cursor = text;
	while ((line = next_line(&cursor))) {
		char *k, *v;
		if (!parse_env_line(line, &k, &v))
			continue;
		if (!strcmp(k, "ID"))
			str_copy(rf->distro_id, sizeof(rf->distro_id), v);
		else if (!strcmp(k, "VERSION_ID"))
			str_copy(rf->distro_version, sizeof(rf->distro_version), v);
		else if (!strcmp(k, "PRETTY_NAME"))
			str_copy(rf->distro_name, sizeof(rf->distro_name), v);
		else if (!strcmp(k, "NAME"))
			str_copy(rf->os_name, sizeof(rf->os_name), v);
	}
}

void resources_probe(const struct host_root *root, struct resource_facts *rf)
{
	_cleanup_free_ char *meminfo = NULL;
	char buf[256];

	if (host_read_attr(root, "/sys/devices/system/cpu/online", buf, sizeof(buf)) == 0)
		rf->cpus_online = cpu_list_count(buf);
	if (host_read_file(root, "/proc/meminfo", 1024 * 1024, &meminfo, NULL) == 0)
		resources_parse_meminfo(meminfo, rf);
	rf->overcommit = -1;
	unsigned oc;
	if (host_read_attr(root, "/proc/sys/vm/overcommit_memory", buf, sizeof(buf)) == 0 &&
	    parse_uint(buf, 10, &oc) == 0 && oc <= 2)
		rf->overcommit = (int)oc;
	rf->cgroup = cgroup_layout(root);
	cgroup_controllers(root, rf);
	if (host_read_attr(root, "/proc/sys/kernel/osrelease", buf, sizeof(buf)) == 0)
		str_copy(rf->kernel_release, sizeof(rf->kernel_release), buf);
	if (host_read_attr(root, "/proc/sys/kernel/version", buf, sizeof(buf)) == 0)
		str_copy(rf->kernel_version, sizeof(rf->kernel_version), buf);
	read_os_release(root, rf);
}
