/* The sandboxes kata-runtime is running, from its state directory (--root,
 * /run/kata-containers by default): one directory per container holding
 * state.json. A sandbox is a container whose sandbox id is its own id (or
 * that names none); the others are counted as its containers. The shim
 * v2 keeps one such directory per containerd namespace, DIR/.shimv2/NS:
 * its sandboxes are listed as NS/ID. Entries starting with a dot are the
 * runtime's own (no container id starts with one) and are not sandboxes.
 * Every field is optional, and an absent, unreadable or half-written entry
 * becomes a row saying so - never a failure of the view. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snapshot.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

#define STATE_MAX (1024 * 1024)

static long json_long(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

static const char *json_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static long since(const char *rfc3339)
{
	struct tm tm = {0};
	if (!rfc3339 || !strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm))
		return -1;
	time_t t = timegm(&tm);
	long d = (long)(time(NULL) - t);
	return d >= 0 ? d : -1;
}

static bool pid_alive(const struct host_root *root, long pid)
{
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/%ld", pid);
	return pid > 0 && host_exists(root, proc);
}

/* Each directory below dir (not the dot ones: the runtime's own), as
 * fn(root, its path, its name, s). */
static void each_subdir(const struct host_root *root, const char *dir,
			void (*fn)(const struct host_root *root, const char *path, const char *name,
				   struct snapshot *s),
			struct snapshot *s)
{
	_cleanup_closedir_ DIR *d = host_opendir(root, dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct stat st;
		if (host_stat(root, path, &st, false) == 0 && S_ISDIR(st.st_mode))
			fn(root, path, de->d_name, s);
	}
}

struct entry {
	char id[80];
	char sandbox_id[80];
	json_t *state;	   /* NULL when unreadable */
	char problem[200]; /* jansson's 160-byte error text and where */
};

static int cmp_rows(const void *a, const void *b)
{
	return strcmp(((const struct sandbox_row *)a)->id, ((const struct sandbox_row *)b)->id);
}

/* One state directory's sandboxes, their ids prefixed with NS/ if NS. */
static int read_state_dir(const struct host_root *root, const char *dir, const char *ns,
			  struct snapshot *s)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct entry *entries = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	d = host_opendir(root, dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[1024];
		_cleanup_free_ char *text = NULL;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct stat st;
		if (host_stat(root, path, &st, false) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			entries = xrealloc(entries, cap * sizeof(*entries));
		}
		struct entry *e = &entries[n++];
		memset(e, 0, sizeof(*e));
		str_copy(e->id, sizeof(e->id), de->d_name);
		snprintf(path, sizeof(path), "%s/%s/state.json", dir, de->d_name);
		int r = host_read_file(root, path, STATE_MAX, &text, NULL);
		if (r < 0) {
			snprintf(e->problem, sizeof(e->problem), "state.json: %s", strerror(-r));
			continue;
		}
		json_error_t jerr;
		e->state = json_loads(text, 0, &jerr);
		if (!json_is_object(e->state)) {
			snprintf(e->problem, sizeof(e->problem), "state.json line %d: %s",
				 jerr.line, jerr.text);
			json_decref(e->state);
			e->state = NULL;
			continue;
		}
		const char *sid = json_str(e->state, "sandbox_id");
		str_copy(e->sandbox_id, sizeof(e->sandbox_id), sid && *sid ? sid : e->id);
	}

	for (size_t i = 0; i < n; i++) {
		struct entry *e = &entries[i];
		if (e->state && strcmp(e->sandbox_id, e->id))
			continue; /* a container of another sandbox */
		s->sandboxes =
		    xrealloc(s->sandboxes, (size_t)(s->nsandboxes + 1) * sizeof(*s->sandboxes));
		struct sandbox_row *row = &s->sandboxes[s->nsandboxes++];
		memset(row, 0, sizeof(*row));
		snprintf(row->id, sizeof(row->id), "%s%s%s", ns ?: "", ns ? "/" : "", e->id);
		str_copy(row->state_dir, sizeof(row->state_dir), dir);
		row->uptime_s = -1;
		if (!e->state) {
			str_copy(row->problem, sizeof(row->problem), e->problem);
			continue;
		}
		str_copy(row->status, sizeof(row->status), json_str(e->state, "status") ?: "?");
		for (size_t k = 0; k < n; k++)
			row->containers +=
			    entries[k].state && !strcmp(entries[k].sandbox_id, e->id);
		const json_t *vm = json_object_get(e->state, "sandbox");
		row->qemu_pid = json_long(vm, "qemu_pid");
		row->vcpus = (int)json_long(vm, "vcpus");
		row->memory_mib = json_long(vm, "memory_mib");
		row->uptime_s = since(json_str(vm, "started") ?: json_str(e->state, "created"));
		row->qemu_alive = pid_alive(root, row->qemu_pid);
	}
	for (size_t i = 0; i < n; i++)
		json_decref(entries[i].state);
	free(entries);
	return 0;
}

static void read_namespace(const struct host_root *root, const char *path, const char *name,
			   struct snapshot *s)
{
	read_state_dir(root, path, name, s);
}

void sandboxes_read(const struct host_root *root, const char *dir, struct snapshot *s)
{
	str_copy(s->sandbox_dir, sizeof(s->sandbox_dir), dir);
	int rc = read_state_dir(root, dir, NULL, s);
	if (rc < 0) {
		snprintf(s->sandbox_error, sizeof(s->sandbox_error), "%s: %s", dir,
			 rc == -ENOENT ? "absent (no sandbox has run yet)" : strerror(-rc));
		return;
	}
	/* a namespace's directory each (".s" holds the daemons' sockets; a
	 * containerd namespace never starts with a dot) */
	char v2[600];
	snprintf(v2, sizeof(v2), "%s/.shimv2", dir);
	each_subdir(root, v2, read_namespace, s);
	if (s->nsandboxes > 1)
		qsort(s->sandboxes, (size_t)s->nsandboxes, sizeof(*s->sandboxes), cmp_rows);
}

/* ---- the VM cache ------------------------------------------------------------- */

#define VMCACHE_DIR "/run/kata-containers/.vmcache"

static bool is_cached_vm_record(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && name[0] != '.' && !strcmp(name + n - 5, ".json") &&
	       strcmp(name, "daemon.json");
}

static json_t *read_json(const struct host_root *root, const char *path)
{
	_cleanup_free_ char *text = NULL;
	if (host_read_file(root, path, STATE_MAX, &text, NULL) < 0)
		return NULL;
	json_t *j = json_loads(text, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static void read_cache(const struct host_root *root, const char *dir, const char *name,
		       struct snapshot *s)
{
	(void)name;
	char path[1024];
	snprintf(path, sizeof(path), "%s/daemon.json", dir);
	json_t *d = read_json(root, path);
	if (d) {
		s->cache_daemons++;
		if (!pid_alive(root, json_long(d, "pid")))
			s->cache_daemons_gone++;
		json_decref(d);
	}
	_cleanup_closedir_ DIR *dd = host_opendir(root, dir);
	struct dirent *de;
	while (dd && (de = readdir(dd))) {
		if (!is_cached_vm_record(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		s->cached = xrealloc(s->cached, (size_t)(s->ncached + 1) * sizeof(*s->cached));
		struct sandbox_row *row = &s->cached[s->ncached++];
		memset(row, 0, sizeof(*row));
		str_copy(row->state_dir, sizeof(row->state_dir), dir);
		snprintf(row->id, sizeof(row->id), "%.*s", (int)strlen(de->d_name) - 5, de->d_name);
		row->uptime_s = -1;
		json_t *r = read_json(root, path);
		if (!r) {
			snprintf(row->problem, sizeof(row->problem), "%s: unreadable", de->d_name);
			continue;
		}
		str_copy(row->status, sizeof(row->status), json_str(r, "state") ?: "?");
		const json_t *vm = json_object_get(r, "vm");
		row->qemu_pid = json_long(vm, "qemu_pid");
		row->vcpus = (int)json_long(vm, "vcpus");
		row->memory_mib = json_long(vm, "memory_mib");
		row->uptime_s = since(json_str(r, "since"));
		row->qemu_alive = pid_alive(root, row->qemu_pid);
		json_decref(r);
	}
}

void vmcache_read(const struct host_root *root, struct snapshot *s)
{
	each_subdir(root, VMCACHE_DIR, read_cache, s);
	if (s->ncached > 1)
		qsort(s->cached, (size_t)s->ncached, sizeof(*s->cached), cmp_rows);
}
