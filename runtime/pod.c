/* Pods (see pod.h). */
#include "pod.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_client.h"
#include "beneath.h"
#include "config_validate.h"
#include "oci.h"
#include "oci_spec.h"
#include "state.h"
#include "daemon.h"
#include "fs.h"
#include "log.h"
#include "qemu.h"
#include "hotplug.h"
#include "strbuf.h"
#include "strutil.h"
#include "timeouts.h"
#include "xalloc.h"

/* ---- roles --------------------------------------------------------------- */

static const struct {
	const char *type_key, *id_key, *sandbox_value, *container_value;
} role_keys[] = {
    {"io.kubernetes.cri.container-type", "io.kubernetes.cri.sandbox-id", "sandbox", "container"},
    {"io.kubernetes.cri-o.ContainerType", "io.kubernetes.cri-o.SandboxID", "sandbox", "container"},
    {"io.kubernetes.docker.type", "io.kubernetes.sandbox.id", "podsandbox", "container"},
};

/* The container type an annotation gives (the first of role_keys present),
 * with the index of its key; NULL when none does. */
static const char *role_type(const json_t *annotations, size_t *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(role_keys); i++) {
		const char *type =
		    json_string_value(json_object_get(annotations, role_keys[i].type_key));
		if (type) {
			*key = i;
			return type;
		}
	}
	return NULL;
}

int pod_role(const json_t *annotations, enum pod_role *role, const char **sandbox_id,
	     struct kc_error *err)
{
	*role = POD_SANDBOX;
	*sandbox_id = NULL;
	size_t i;
	const char *type = role_type(annotations, &i);
	if (!type || !strcmp(type, role_keys[i].sandbox_value))
		return 0;
	if (strcmp(type, role_keys[i].container_value))
		return kc_error_set(err, 0, "annotation %s: unknown container type '%s' (%s or %s)",
				    role_keys[i].type_key, type, role_keys[i].sandbox_value,
				    role_keys[i].container_value);
	const char *sid = json_string_value(json_object_get(annotations, role_keys[i].id_key));
	if (!sid || !*sid)
		return kc_error_set(err, 0,
				    "annotation %s is '%s' but %s (the sandbox's id) is missing",
				    role_keys[i].type_key, type, role_keys[i].id_key);
	/* it names a directory and a record of ours: an id like any other */
	if (!oci_valid_id(sid))
		return kc_error_set(
		    err, 0,
		    "annotation %s: invalid sandbox id '%s': use letters, digits and "
		    "_+-. (not first)",
		    role_keys[i].id_key, sid);
	*role = POD_CONTAINER;
	*sandbox_id = sid;
	return 0;
}

bool pod_is_pause(const json_t *annotations)
{
	size_t i;
	const char *type = role_type(annotations, &i);
	return type && !strcmp(type, role_keys[i].sandbox_value);
}

/* ---- overrides ----------------------------------------------------------- */

#define ANNOTATION_PREFIX "io.katacontainers.config.hypervisor."

static bool enabled(const struct kc_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->hypervisor.enable_annotations.n; i++) {
		char pat[300];
		snprintf(pat, sizeof(pat), "^(%s)$", cfg->hypervisor.enable_annotations.v[i]);
		regex_t re;
		if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB))
			continue;
		bool ok = regexec(&re, name, 0, NULL, 0) == 0;
		regfree(&re);
		if (ok)
			return true;
	}
	return false;
}

int pod_overrides(const json_t *annotations, struct kc_config *cfg, struct kc_error *err)
{
	const char *key;
	json_t *v;
	json_object_foreach ((json_t *)annotations, key, v) {
		if (strncmp(key, "io.katacontainers.config.", 25))
			continue;
		const char *val = json_string_value(v);
		if (strncmp(key, ANNOTATION_PREFIX, strlen(ANNOTATION_PREFIX)))
			return kc_error_set(
			    err, 0,
			    "annotation %s: only io.katacontainers.config.hypervisor.* can be set "
			    "per pod",
			    key);
		const char *name = key + strlen(ANNOTATION_PREFIX);
		if (!enabled(cfg, name))
			return kc_error_set(
			    err, 0,
			    "annotation %s: '%s' is not in [hypervisor.qemu] enable_annotations",
			    key, name);
		if (!val)
			return kc_error_set(err, 0, "annotation %s: must be a string", key);
		uint64_t n;
		if (!strcmp(name, "default_vcpus") || !strcmp(name, "default_maxvcpus") ||
		    !strcmp(name, "default_memory") || !strcmp(name, "msize_9p")) {
			if (parse_u64(val, 10, &n) < 0 || !n || n > 1u << 20)
				return kc_error_set(err, 0,
						    "annotation %s: '%s' is not a positive number",
						    key, val);
			if (!strcmp(name, "default_vcpus"))
				cfg->hypervisor.default_vcpus = (int32_t)n;
			else if (!strcmp(name, "default_maxvcpus"))
				cfg->hypervisor.default_maxvcpus = (uint32_t)n;
			else if (!strcmp(name, "default_memory"))
				cfg->hypervisor.default_memory = (uint32_t)n;
			else
				cfg->hypervisor.msize_9p = (uint32_t)n;
		} else if (!strcmp(name, "kernel_params")) {
			free(cfg->hypervisor.kernel_params);
			cfg->hypervisor.kernel_params = xstrdup(val);
		} else if (!strcmp(name, "enable_debug")) {
			cfg->hypervisor.enable_debug = !strcmp(val, "true");
		} else {
			return kc_error_set(err, 0, "annotation %s: not supported per pod", key);
		}
		kc_info("per-pod setting from %s: %s", key, val);
	}
	if (cfg->hypervisor.default_maxvcpus &&
	    cfg->hypervisor.default_vcpus > (int32_t)cfg->hypervisor.default_maxvcpus)
		cfg->hypervisor.default_maxvcpus = (uint32_t)cfg->hypervisor.default_vcpus;
	/* the same bounds as in the file */
	if (config_check_values(cfg, 0, NULL, err) < 0)
		return kc_error_wrap(err,
				     "per-pod io.katacontainers.config.hypervisor.* annotations");
	return 0;
}

void pod_limits(const json_t *spec, unsigned *vcpus, unsigned *mem_mib)
{
	*vcpus = *mem_mib = 0;
	json_t *res = json_object_get(json_object_get(spec, "linux"), "resources");
	json_t *cpu = json_object_get(res, "cpu");
	json_int_t quota = json_integer_value(json_object_get(cpu, "quota"));
	json_int_t period = json_integer_value(json_object_get(cpu, "period"));
	/* bounded by oci_spec_validate; computed without overflow all the same */
	if (quota > 0 && period > 0) {
		uint64_t v = ((uint64_t)quota + (uint64_t)period - 1) / (uint64_t)period;
		*vcpus = v > POD_MAX_VCPUS ? POD_MAX_VCPUS : (unsigned)v;
	}
	json_int_t limit =
	    json_integer_value(json_object_get(json_object_get(res, "memory"), "limit"));
	if (limit > 0) {
		uint64_t mib = ((uint64_t)(limit > OCI_MEMORY_MAX ? OCI_MEMORY_MAX : limit) +
				(1u << 20) - 1) >>
			       20;
		*mem_mib = (unsigned)mib;
	}
}

json_t *pod_joins(const json_t *spec, const char *sandbox_id)
{
	json_t *j = json_object();
	size_t i;
	json_t *ns;
	json_array_foreach (json_object_get(json_object_get(spec, "linux"), "namespaces"), i, ns) {
		const char *type = json_string_value(json_object_get(ns, "type"));
		const char *path = json_string_value(json_object_get(ns, "path"));
		if (!type || !path || !*path)
			continue;
		if (!strcmp(type, "ipc") || !strcmp(type, "uts") || !strcmp(type, "pid"))
			json_object_set_new(j, type, json_string(sandbox_id));
	}
	return j;
}

/* ---- the record ---------------------------------------------------------- */

/* root/.sandboxes: the records, beside the container ids (which never
 * start with a dot). */
static int open_records(const char *root, bool create)
{
	_cleanup_close_ int rootfd = state_open_root(root, create);
	if (rootfd < 0)
		return rootfd;
	if (create) {
		int r = beneath_mkdir(rootfd, SBREC_DIR, 0700, BENEATH_STRICT);
		if (r >= 0)
			close(r);
		else if (r != -EEXIST)
			return r;
	}
	return beneath_open(rootfd, SBREC_DIR, O_RDONLY | O_DIRECTORY, 0, BENEATH_STRICT);
}

static int prepare(struct sbrec *r, const char *root, const char *id, bool create,
		   struct kc_error *err)
{
	memset(r, 0, sizeof(*r));
	r->lock_fd = r->dirfd = -1;
	if (!oci_valid_id(id))
		return kc_error_set(err, 0, "invalid sandbox id '%s'", id);
	r->root = xstrdup(root);
	r->dirfd = open_records(root, create);
	if (r->dirfd < 0) {
		int e = -r->dirfd;
		r->dirfd = -1;
		return e == ENOENT ? kc_error_setc(err, ENOENT, "sandbox \"%s\" does not exist", id)
				   : kc_error_set(err, e, "%s/%s", root, SBREC_DIR);
	}
	r->name = xasprintf("%s.json", id);
	r->lock_name = xasprintf("%s.lock", id);
	r->what = xasprintf("%s/%s/%s", root, SBREC_DIR, r->name);
	/* only a create makes the lock: an open that finds none leaves none */
	for (int tries = 0;; tries++) {
		r->lock_fd = openat(
		    r->dirfd, r->lock_name,
		    O_RDWR | (create ? O_CREAT : 0) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
		if (r->lock_fd >= 0 || errno != ENOENT || !create || tries == 3)
			break;
		/* the directory went with another sandbox's last record
		 * (sbrec_remove) between our mkdir and this create */
		close(r->dirfd);
		r->dirfd = open_records(root, create);
		if (r->dirfd < 0)
			return kc_error_set(err, -r->dirfd, "%s/%s", root, SBREC_DIR);
	}
	if (r->lock_fd < 0 && errno == ENOENT && !create)
		return kc_error_setc(err, ENOENT, "sandbox \"%s\" does not exist", id);
	struct stat st;
	if (r->lock_fd < 0 || fstat(r->lock_fd, &st) < 0 || !S_ISREG(st.st_mode))
		return kc_error_set(err, r->lock_fd < 0 ? errno : 0, "%s/%s/%s%s", root, SBREC_DIR,
				    r->lock_name, r->lock_fd < 0 ? "" : ": not a regular file");
	while (flock(r->lock_fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return kc_error_set(err, errno, "lock %s", r->lock_name);
	return 0;
}

int sbrec_create(struct sbrec *r, const char *root, const struct sandbox *sb, const json_t *network,
		 struct kc_error *err)
{
	if (prepare(r, root, sb->id, true, err) < 0) {
		sbrec_close(r);
		return -1;
	}
	r->j = json_pack("{s:o, s:[]}", "sandbox", sandbox_to_json(sb), "members");
	if (network)
		json_object_set(r->j, "network", (json_t *)network);
	sandbox_from_json(&r->sb, json_object_get(r->j, "sandbox"));
	if (sbrec_save(r, err) < 0) {
		sbrec_close(r);
		return -1;
	}
	return 0;
}

int sbrec_open(struct sbrec *r, const char *root, const char *id, struct kc_error *err)
{
	if (prepare(r, root, id, false, err) < 0)
		goto fail;
	if (faccessat(r->dirfd, r->name, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		kc_error_setc(err, ENOENT, "sandbox \"%s\" does not exist", id);
		goto fail;
	}
	r->j = state_load_json(r->dirfd, r->name, r->what, err);
	if (!r->j || sandbox_from_json(&r->sb, json_object_get(r->j, "sandbox")) < 0) {
		if (r->j)
			kc_error_set(err, 0, "sandbox \"%s\": unreadable record %s", id, r->what);
		goto fail;
	}
	return 0;
fail:
	/* nothing for the caller to close when opening failed */
	sbrec_close(r);
	return -1;
}

int sbrec_peek(struct sandbox *sb, const char *root, const char *id)
{
	if (!oci_valid_id(id))
		return -1;
	_cleanup_close_ int dirfd = open_records(root, false);
	if (dirfd < 0)
		return -1;
	_cleanup_free_ char *name = xasprintf("%s.json", id);
	json_t *j = state_load_json(dirfd, name, name, &(struct kc_error){0});
	int rc = j ? sandbox_from_json(sb, json_object_get(j, "sandbox")) : -1;
	json_decref(j);
	return rc;
}

int sbrec_save(struct sbrec *r, struct kc_error *err)
{
	json_object_set_new(r->j, "sandbox", sandbox_to_json(&r->sb));
	char *text = json_dumps(r->j, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc =
	    beneath_write_atomic(r->dirfd, r->name, text, strlen(text), 0600, BENEATH_STRICT, err);
	free(text);
	return rc;
}

/* root/.sandboxes, when no record is left in it (a create racing with us
 * makes it again: see prepare). */
static void remove_records_if_empty(const char *root)
{
	_cleanup_close_ int rootfd = state_open_root(root, false);
	if (rootfd >= 0)
		unlinkat(rootfd, SBREC_DIR, AT_REMOVEDIR);
}

void sbrec_remove(struct sbrec *r)
{
	if (r->dirfd < 0)
		return;
	unlinkat(r->dirfd, r->name, 0);
	unlinkat(r->dirfd, r->lock_name, 0);
	remove_records_if_empty(r->root);
}

void sbrec_forget(const char *root, const char *id)
{
	if (!oci_valid_id(id))
		return;
	_cleanup_close_ int dirfd = open_records(root, false);
	if (dirfd < 0)
		return;
	_cleanup_free_ char *name = xasprintf("%s.json", id);
	_cleanup_free_ char *lock_name = xasprintf("%s.lock", id);
	_cleanup_close_ int lock =
	    openat(dirfd, lock_name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0)
		return; /* absent, or held: not stale */
	if (faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
	    unlinkat(dirfd, lock_name, 0) == 0)
		remove_records_if_empty(root);
}

void sbrec_close(struct sbrec *r)
{
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	if (r->dirfd >= 0)
		close(r->dirfd);
	json_decref(r->j);
	sandbox_free(&r->sb);
	free(r->root);
	free(r->name);
	free(r->lock_name);
	free(r->what);
	memset(r, 0, sizeof(*r));
	r->lock_fd = r->dirfd = -1;
}

void sbrec_add_member(struct sbrec *r, const char *id)
{
	json_t *m = json_object_get(r->j, "members");
	size_t i;
	json_t *v;
	json_array_foreach (m, i, v)
		if (!strcmp(json_string_value(v), id))
			return;
	json_array_append_new(m, json_string(id));
}

size_t sbrec_remove_member(struct sbrec *r, const char *id)
{
	json_t *m = json_object_get(r->j, "members");
	for (size_t i = 0; i < json_array_size(m); i++)
		if (!strcmp(json_string_value(json_array_get(m, i)), id)) {
			json_array_remove(m, i);
			break;
		}
	return json_array_size(m);
}

/* ---- hot-plug ------------------------------------------------------------ */

int pod_hotplug(struct sandbox *sb, unsigned add_vcpus, unsigned add_mem_mib, struct kc_error *err)
{
	if (!add_vcpus && !add_mem_mib)
		return 0;
	_cleanup_free_ char *qmp = sandbox_qmp_socket(sb);
	struct hotplug_result added;
	if (qemu_hotplug(qmp, sb->vcpus, sb->memory_mib, add_vcpus, add_mem_mib, &added, err) < 0)
		return -1;
	if (!added.vcpus && !added.memory_mib)
		return 0;
	/* the guest brings them online */
	struct agent_client ac;
	if (sandbox_connect(sb, &ac, AGENT_CONNECT_MS, err) == 0) {
		json_t *r =
		    agent_client_call(&ac, "online_resources",
				      json_pack("{s:i, s:i}", "vcpus", sb->vcpus + added.vcpus,
						"memory_mib", sb->memory_mib + added.memory_mib),
				      AGENT_QUERY_MS, err);
		if (!r)
			kc_warn("hot-plug: the guest: %s", kc_error_msg(err));
		json_decref(r);
		agent_client_close(&ac);
	}
	kc_info("hot-plugged %u vCPU and %u MiB into sandbox %s", added.vcpus, added.memory_mib,
		sb->id);
	sb->vcpus += added.vcpus;
	sb->memory_mib += added.memory_mib;
	return 0;
}
