/* The runtime handler's options. containerd's CRI passes a runtime's
 * [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.NAME.options]
 * table with each CreateTask, as a runtimeoptions.v1.Options message; its
 * ConfigPath names the configuration the pod runs with, as Kata's shim v2
 * reads it (kata-deploy gives each runtime class its own file that way).
 * Options of another type (runc's) are not ours and change nothing. */
#include <string.h>

#include "github.com/containerd/containerd/pkg/runtimeoptions/v1/api.pb-c.h"
#include "google/protobuf/any.pb-c.h"
#include "log.h"
#include "shimv2.h"
#include "xalloc.h"

#define RUNTIMEOPTIONS_NAME "runtimeoptions.v1.Options"

/* containerd names the type bare ("runtimeoptions.v1.Options"); Google's
 * form puts a host before it ("type.googleapis.com/..."): both name it. */
static bool is_runtimeoptions(const char *type_url)
{
	const char *slash = strrchr(type_url, '/');
	return !strcmp(slash ? slash + 1 : type_url, RUNTIMEOPTIONS_NAME);
}

int v2_options_apply(struct v2shim *s, const struct Google__Protobuf__Any *any,
		     struct kc_error *err)
{
	if (!any || !any->type_url || !*any->type_url)
		return 0;
	if (!is_runtimeoptions(any->type_url)) {
		kc_debug("runtime options of type %s: not ours, ignored", any->type_url);
		return 0;
	}
	Runtimeoptions__V1__Options *o =
	    runtimeoptions__v1__options__unpack(NULL, any->value.len, any->value.data);
	if (!o)
		return kc_error_set(err, 0, "runtime options (%s): not a valid message",
				    any->type_url);
	int rc = 0;
	const char *path = o->config_path;
	if (!path || !*path) {
		/* no ConfigPath: KATA_CONF_FILE or the default files, as without options */
	} else if (path[0] != '/') {
		rc = kc_error_set(err, 0,
				  "runtime options: ConfigPath '%s' is not an absolute path", path);
	} else if (s->rt.kata_config && strcmp(s->rt.kata_config, path)) {
		/* one shim, one pod, one VM: its configuration is the sandbox's */
		rc = kc_error_set(err, 0,
				  "runtime options: ConfigPath '%s', but this pod runs with '%s'",
				  path, s->rt.kata_config);
	} else if (!s->rt.kata_config) {
		/* (the shim v2 has no --kata-config: this is its only source) */
		s->rt.kata_config = xstrdup(path);
		kc_info("configuration %s (the runtime handler's ConfigPath)", path);
	}
	runtimeoptions__v1__options__free_unpacked(o, NULL);
	return rc;
}
