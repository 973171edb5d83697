/* spec and features. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fs.h"
#include "oci.h"
#include "oci_default.h"
#include "commands.h"
#include "runtime.h"
#include "strbuf.h"

int cmd_spec(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	(void)rt;
	struct cli_opt opts[] = {
	    {"bundle", 'b', true, "DIR", "where to write config.json (default: here)"},
	    {"rootless", 0, false, NULL,
	     "kata-runtime runs as root: it has no rootless configuration", CLI_REFUSED},
	    {NULL},
	};
	if (cli_parse(argc, argv, 1, opts, err) != argc) {
		if (!err->set)
			kc_error_set(err, 0, "spec: takes no arguments");
		return 1;
	}
	const char *bundle = cli_str(opts, "bundle") ?: ".";
	struct strbuf path = STRBUF_INIT;
	strbuf_appendf(&path, "%s/config.json", bundle);
	int rc = 1;
	if (access(path.s, F_OK) == 0) {
		kc_error_set(err, 0, "File %s exists. Remove it first", path.s);
	} else {
		json_t *spec = oci_default_spec();
		char *text = json_dumps(spec, JSON_INDENT(8) | JSON_PRESERVE_ORDER);
		json_decref(spec);
		struct strbuf out = STRBUF_INIT;
		strbuf_appendf(&out, "%s\n", text);
		free(text);
		rc = write_file_atomic(path.s, out.s, out.len, 0666 & ~022, err) < 0 ? 1 : 0;
		strbuf_release(&out);
	}
	strbuf_release(&path);
	return rc;
}

/* What this runtime supports, in runc's `features` format. */
int cmd_features(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	(void)rt;
	struct cli_opt none[] = {{NULL}};
	if (cli_parse(argc, argv, 1, none, err) != argc) {
		if (!err->set)
			kc_error_set(err, 0, "features: takes no arguments");
		return 1;
	}
	json_t *caps = json_array();
	for (int i = 0; oci_cap_name(i); i++)
		json_array_append_new(caps, json_string(oci_cap_name(i)));
	json_t *f = json_pack(
	    "{s:s, s:s, s:[s,s,s,s], s:[s,s,s,s,s,s], s:[s,s,s,s,s,s,s,s], s:{s:[s,s,s,s,s,s,s], "
	    "s:o, "
	    "s:{s:b, s:b}, s:{s:b}, s:{s:b}, s:{s:b}}, s:{s:s}}",
	    /* createContainer and startContainer hooks would run in the
	     * container's namespaces, which are in the guest: not run */
	    "ociVersionMin", "1.0.0", "ociVersionMax", OCI_VERSION, "hooks", "prestart",
	    "createRuntime", "poststart", "poststop", "mountOptions", "ro", "rw", "bind", "rbind",
	    "nosuid", "nodev", "mountPropagation", "private", "rprivate", "shared", "rshared",
	    "slave", "rslave", "unbindable", "runbindable", "linux", "namespaces", "cgroup", "ipc",
	    "mount", "network", "pid", "user", "uts", "capabilities", caps, "cgroup", "v1", 0, "v2",
	    1,
	    /* the guest has no LSM and no RDT: the flags and fields are warned of or refused */
	    "apparmor", "enabled", 0, "selinux", "enabled", 0, "intelRdt", "enabled", 0,
	    "annotations", "io.katacontainers.runtime", "kata-runtime (VM per sandbox)");
	json_dumpf(f, stdout, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(f);
	return 0;
}

/* CRIU works on the host's processes; a container's are in its VM. (QEMU's
 * migration could save the whole VM, but not one container of a pod.) */
static int refuse_criu(int argc, char **argv, struct kc_error *err)
{
	struct cli_opt none[] = {{NULL}};
	_cleanup_error_ struct kc_error ignored = {0};
	cli_parse(argc, argv, 1, none, &ignored); /* for --help */
	kc_error_set(err, 0,
		     "%s: not supported: the container's processes run in a VM, where CRIU "
		     "cannot reach them",
		     argv[0]);
	return 1;
}

int cmd_checkpoint(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	(void)rt;
	return refuse_criu(argc, argv, err);
}

int cmd_restore(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	(void)rt;
	return refuse_criu(argc, argv, err);
}
