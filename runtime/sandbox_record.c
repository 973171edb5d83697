/* A sandbox as JSON, in its record and its containers' states (see
 * sandbox.h). */
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "vm_dir.h"
#include "xalloc.h"

static char *path_join(const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_appendf(&sb, "%s/%s", a, b);
	return sb.s;
}

json_t *sandbox_to_json(const struct sandbox *sb)
{
	json_t *j = json_pack(
	    "{s:s, s:s, s:s, s:i, s:I, s:i, s:I, s:i, s:i, s:s, s:s, s:s}", "id", sb->id, "vm_dir",
	    sb->vm_dir, "shared_dir", sb->shared_dir, "qemu_pid", sb->qemu_pid, "qemu_start",
	    (json_int_t)sb->qemu_start, "proxy_pid", sb->proxy_pid, "proxy_start",
	    (json_int_t)sb->proxy_start, "vcpus", sb->vcpus, "memory_mib", sb->memory_mib, "accel",
	    sb->accel, "machine", sb->machine, "started", sb->started);
	if (sb->netns) {
		json_object_set_new(j, "netns", json_string(sb->netns));
		json_object_set_new(j, "netns_created", json_boolean(sb->netns_created));
	}
	if (sb->virtiofsd_pid) {
		json_object_set_new(j, "virtiofsd_pid", json_integer(sb->virtiofsd_pid));
		json_object_set_new(j, "virtiofsd_start",
				    json_integer((json_int_t)sb->virtiofsd_start));
	}
	if (sb->vsock_cid)
		json_object_set_new(j, "vsock_cid", json_integer(sb->vsock_cid));
	if (sb->qemu_uid)
		json_object_set_new(j, "qemu_uid", json_integer(sb->qemu_uid));
	if (sb->proxy_path)
		json_object_set_new(j, "proxy_path", json_string(sb->proxy_path));
	if (sb->cgroup)
		json_object_set_new(j, "cgroup", json_string(sb->cgroup));
	if (sb->hotplug_bridges || sb->hotplug_ports)
		json_object_set_new(j, "hotplug",
				    json_pack("{s:i, s:i}", "bridges", sb->hotplug_bridges, "ports",
					      sb->hotplug_ports));
	return j;
}

static char *dup_str(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));
	return s ? xstrdup(s) : NULL;
}

int sandbox_from_json(struct sandbox *sb, const json_t *j)
{
	memset(sb, 0, sizeof(*sb));
	if (!json_is_object(j))
		return -1;
	sb->id = dup_str(j, "id");
	sb->vm_dir = dup_str(j, "vm_dir");
	sb->netns = dup_str(j, "netns");
	sb->proxy_path = dup_str(j, "proxy_path");
	sb->cgroup = dup_str(j, "cgroup");
	sb->netns_created = json_is_true(json_object_get(j, "netns_created"));
	sb->qemu_pid = (pid_t)json_integer_value(json_object_get(j, "qemu_pid"));
	sb->qemu_start = (uint64_t)json_integer_value(json_object_get(j, "qemu_start"));
	sb->proxy_pid = (pid_t)json_integer_value(json_object_get(j, "proxy_pid"));
	sb->proxy_start = (uint64_t)json_integer_value(json_object_get(j, "proxy_start"));
	sb->virtiofsd_pid = (pid_t)json_integer_value(json_object_get(j, "virtiofsd_pid"));
	sb->virtiofsd_start = (uint64_t)json_integer_value(json_object_get(j, "virtiofsd_start"));
	sb->vsock_cid = (unsigned)json_integer_value(json_object_get(j, "vsock_cid"));
	sb->qemu_uid = (uid_t)json_integer_value(json_object_get(j, "qemu_uid"));
	sb->vcpus = (unsigned)json_integer_value(json_object_get(j, "vcpus"));
	sb->memory_mib = (unsigned)json_integer_value(json_object_get(j, "memory_mib"));
	json_t *hp = json_object_get(j, "hotplug");
	sb->hotplug_bridges = (unsigned)json_integer_value(json_object_get(hp, "bridges"));
	sb->hotplug_ports = (unsigned)json_integer_value(json_object_get(hp, "ports"));
	snprintf(sb->accel, sizeof(sb->accel), "%s",
		 json_string_value(json_object_get(j, "accel")) ?: "");
	snprintf(sb->machine, sizeof(sb->machine), "%s",
		 json_string_value(json_object_get(j, "machine")) ?: "");
	snprintf(sb->started, sizeof(sb->started), "%s",
		 json_string_value(json_object_get(j, "started")) ?: "");
	/* the share is always vm_dir/shared, and vm_dir one of ours */
	if (!sb->id || !vm_dir_base(sb->vm_dir))
		return -1;
	sb->shared_dir = path_join(sb->vm_dir, "shared");
	return 0;
}

void sandbox_free(struct sandbox *sb)
{
	free(sb->id);
	free(sb->vm_dir);
	free(sb->shared_dir);
	free(sb->netns);
	free(sb->proxy_path);
	free(sb->cgroup);
	memset(sb, 0, sizeof(*sb));
}
