/* OCI bundles (see bundle.h). */
#include "bundle.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"
#include "strbuf.h"

int bundle_load(struct bundle *b, const char *dir, bool need_process, struct kc_error *err)
{
	memset(b, 0, sizeof(*b));
	char abs[PATH_MAX];
	if (!realpath(dir, abs))
		return kc_error_set(err, errno, "bundle %s", dir);
	b->dir = xstrdup(abs);
	struct strbuf sb = STRBUF_INIT;
	strbuf_appendf(&sb, "%s/config.json", abs);
	b->config = sb.s;
	json_error_t je;
	b->spec = json_load_file(b->config, JSON_REJECT_DUPLICATES, &je);
	if (!b->spec) {
		if (access(b->config, F_OK) < 0)
			return kc_error_set(err, 0, "%s: no such file (is %s an OCI bundle?)", b->config, abs);
		return kc_error_set(err, 0, "%s:%d:%d: %s", b->config, je.line, je.column, je.text);
	}
	if (!json_is_object(b->spec))
		return kc_error_set(err, 0, "%s: not a JSON object", b->config);
	const char *ver = json_string_value(json_object_get(b->spec, "ociVersion"));
	if (!ver)
		return kc_error_set(err, 0, "%s: ociVersion: missing", b->config);
	if (strncmp(ver, "1.", 2))
		return kc_error_set(err, 0, "%s: ociVersion: unsupported version '%s' (this runtime implements 1.x)", b->config, ver);
	json_t *root = json_object_get(b->spec, "root");
	const char *rp = json_string_value(json_object_get(root, "path"));
	if (!rp || !*rp)
		return kc_error_set(err, 0, "%s: root.path: missing", b->config);
	char rootfs[PATH_MAX * 2];
	snprintf(rootfs, sizeof(rootfs), rp[0] == '/' ? "%s" : "%s/%s", rp[0] == '/' ? rp : abs, rp);
	struct stat st;
	if (stat(rootfs, &st) < 0)
		return kc_error_set(err, 0, "%s: root.path: %s: %s", b->config, rootfs, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return kc_error_set(err, 0, "%s: root.path: %s is not a directory", b->config, rootfs);
	b->rootfs = realpath(rootfs, NULL);
	if (!b->rootfs)
		return kc_error_set(err, errno, "%s: root.path: %s", b->config, rootfs);
	json_t *process = json_object_get(b->spec, "process");
	if (need_process || process) {
		if (!process)
			return kc_error_set(err, 0, "%s: process: missing", b->config);
		struct oci_process p;
		if (oci_process_parse(process, &p, err) < 0)
			return kc_error_wrap(err, "%s", b->config);
		oci_process_free(&p);
	}
	json_t *mounts = json_object_get(b->spec, "mounts");
	if (mounts && !json_is_array(mounts))
		return kc_error_set(err, 0, "%s: mounts: must be an array", b->config);
	size_t i;
	json_t *m;
	json_array_foreach(mounts, i, m) {
		const char *d = json_string_value(json_object_get(m, "destination"));
		if (!d || d[0] != '/')
			return kc_error_set(err, 0, "%s: mounts[%zu].destination: must be an absolute path", b->config, i);
	}
	/* devices are made in the guest: refuse a bad one before a VM boots */
	json_t *devices = json_object_get(json_object_get(b->spec, "linux"), "devices");
	if (devices && !json_is_array(devices))
		return kc_error_set(err, 0, "%s: linux.devices: must be an array", b->config);
	json_t *d;
	json_array_foreach(devices, i, d) {
		const char *path = json_string_value(json_object_get(d, "path"));
		const char *type = json_string_value(json_object_get(d, "type"));
		if (!path || path[0] != '/')
			return kc_error_set(err, 0, "%s: linux.devices[%zu].path: must be an absolute path", b->config, i);
		if (!type || strlen(type) != 1 || !strchr("cbup", type[0]))
			return kc_error_set(err, 0, "%s: linux.devices[%zu].type: '%s' is not c, b, u or p", b->config, i,
					    type ? type : "");
		if (type[0] != 'p' && (!json_is_integer(json_object_get(d, "major")) ||
				       !json_is_integer(json_object_get(d, "minor"))))
			return kc_error_set(err, 0, "%s: linux.devices[%zu] (%s): major and minor are required", b->config,
					    i, path);
	}
	return 0;
}

void bundle_free(struct bundle *b)
{
	free(b->dir);
	free(b->config);
	free(b->rootfs);
	json_decref(b->spec);
	memset(b, 0, sizeof(*b));
}

int bundle_netns(const json_t *spec, const char **path)
{
	size_t i;
	json_t *ns;
	*path = NULL;
	json_array_foreach(json_object_get(json_object_get(spec, "linux"), "namespaces"), i, ns) {
		const char *type = json_string_value(json_object_get(ns, "type"));
		if (!type || strcmp(type, "network"))
			continue;
		const char *p = json_string_value(json_object_get(ns, "path"));
		if (p && *p) {
			*path = p;
			return 2;
		}
		return 1;
	}
	return 0;
}
