/* The OCI runtime spec's "process" object, read and checked once: the
 * runtime validates bundles and `exec --process` files with it, the agent
 * starts processes from it. Errors name the field (process.args, ...). */
#ifndef KC_OCI_H
#define KC_OCI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "error.h"

#define OCI_MAX_RLIMITS	 16
#define OCI_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct oci_rlimit {
	int resource;
	struct rlimit limit;
};

struct oci_process {
	char **argv; /* NULL-terminated */
	char **envp; /* NULL-terminated */
	char *cwd;
	bool terminal;
	unsigned short rows, cols;
	uid_t uid;
	gid_t gid;
	gid_t *gids;
	size_t ngids;
	bool has_umask;
	mode_t umask;
	bool has_caps; /* no "capabilities": the process keeps what it has */
	uint64_t cap_bounding, cap_effective, cap_inheritable, cap_permitted, cap_ambient;
	struct oci_rlimit rlimits[OCI_MAX_RLIMITS];
	size_t nrlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
};

/* Read `process` (an OCI process object). 0, or -1 with err naming the field. */
int oci_process_parse(const json_t *process, struct oci_process *out, struct kc_error *err);
void oci_process_free(struct oci_process *p);

/* The spec's linux.namespaces entry of this type (with or without a
 * path), or NULL: a type it does not name is shared with the runtime, as
 * runc shares it with the host. */
const json_t *oci_spec_namespace(const json_t *spec, const char *type);
bool oci_spec_has_namespace(const json_t *spec, const char *type);

/* A mount of config.json: does its options list hold opt? Is it a bind
 * mount (type "bind", or a "bind" or "rbind" option, as runc reads it)? */
bool oci_mount_has_option(const json_t *mount, const char *opt);
bool oci_mount_is_bind(const json_t *mount);

/* CAP_CHOWN -> 0 ...; -1 for an unknown name. */
int oci_cap_number(const char *name);
/* The capability's name, or NULL for a number this build does not know. */
const char *oci_cap_name(int number);
/* RLIMIT_NOFILE -> RLIMIT_NOFILE ...; -1 for an unknown name. */
int oci_rlimit_number(const char *name);
/* SIGKILL, KILL, 9 -> 9; -1 for an unknown signal. */
int oci_signal_number(const char *name);

/* The value of NAME in a NULL-terminated environment, or NULL. */
const char *oci_env_get(char *const *envp, const char *name);

/* Container IDs as runc takes them: [A-Za-z0-9_+.-]+, not starting with
 * a dot (kata-runtime keeps its own entries under --root there). */
bool oci_valid_id(const char *id);

#endif
