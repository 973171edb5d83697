/* config.json against the runtime specification (see oci_spec.h). The
 * schema is data: a node per property, with its kind, bounds and an extra
 * check where the spec says more than a type. */
#include "oci_spec.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "oci.h"
#include "strbuf.h"

enum kind { K_STRING, K_BOOL, K_INT, K_OBJECT, K_ARRAY, K_STRMAP };

struct node {
	const char *name;
	enum kind kind;
	const struct node *sub; /* K_OBJECT: members, ending with {NULL}; K_ARRAY: the item */
	long long min, max;	/* K_INT: bounds (both 0: any int64) */
	int (*check)(const json_t *v, const char *path, struct kc_error *err);
	bool required;
};

#define U32 0, 0xffffffffLL
#define U16 0, 0xffff
#define I64 0, 0

static const char *kind_name(enum kind k)
{
	switch (k) {
	case K_STRING: return "a string";
	case K_BOOL: return "true or false";
	case K_INT: return "an integer";
	case K_OBJECT: return "an object";
	case K_ARRAY: return "an array";
	case K_STRMAP: return "an object of strings";
	}
	return "?";
}

/* ---- checks beyond types --------------------------------------------------- */

static bool one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

static int absolute(const json_t *v, const char *path, struct kc_error *err)
{
	const char *s = json_string_value(v);
	return s[0] == '/' ? 0 : kc_error_set(err, 0, "%s: '%s' is not an absolute path", path, s);
}

static int optional_absolute(const json_t *v, const char *path, struct kc_error *err)
{
	return !*json_string_value(v) ? 0 : absolute(v, path, err);
}

static int capability(const json_t *v, const char *path, struct kc_error *err)
{
	const char *s = json_string_value(v);
	return oci_cap_number(s) >= 0
		   ? 0
		   : kc_error_set(err, 0, "%s: unknown capability '%s'", path, s);
}

static int rlimit_type(const json_t *v, const char *path, struct kc_error *err)
{
	const char *s = json_string_value(v);
	return oci_rlimit_number(s) >= 0 ? 0
					 : kc_error_set(err, 0, "%s: unknown rlimit '%s'", path, s);
}

static int namespace_type(const json_t *v, const char *path, struct kc_error *err)
{
	static const char *const types[] = {"pid",  "network", "mount", "ipc", "uts",
					    "user", "cgroup",  "time",	NULL};
	const char *s = json_string_value(v);
	return one_of(s, types)
		   ? 0
		   : kc_error_set(
			 err, 0,
			 "%s: '%s' is not a namespace type (pid, network, mount, ipc, uts, "
			 "user, cgroup, time)",
			 path, s);
}

static int device_type(const json_t *v, const char *path, struct kc_error *err)
{
	const char *s = json_string_value(v);
	return strlen(s) == 1 && strchr("cbup", s[0])
		   ? 0
		   : kc_error_set(err, 0, "%s: '%s' is not c, b, u or p", path, s);
}

static int cgroup_device_type(const json_t *v, const char *path, struct kc_error *err)
{
	const char *s = json_string_value(v);
	return strlen(s) == 1 && strchr("acb", s[0])
		   ? 0
		   : kc_error_set(err, 0, "%s: '%s' is not a, c or b", path, s);
}

static int device_access(const json_t *v, const char *path, struct kc_error *err)
{
	const char *s = json_string_value(v);
	return strspn(s, "rwm") == strlen(s)
		   ? 0
		   : kc_error_set(err, 0, "%s: '%s' is not made of r, w and m", path, s);
}

static int file_mode(const json_t *v, const char *path, struct kc_error *err)
{
	json_int_t m = json_integer_value(v);
	return m >= 0 && m <= 07777
		   ? 0
		   : kc_error_set(err, 0, "%s: %lld is not a file mode (0 to 07777)", path,
				  (long long)m);
}

/* -1 (unlimited), or 0 .. OCI_MEMORY_MAX bytes */
static int memory_bytes(const json_t *v, const char *path, struct kc_error *err)
{
	json_int_t n = json_integer_value(v);
	if (n == -1 || (n >= 0 && n <= OCI_MEMORY_MAX))
		return 0;
	return kc_error_set(err, 0,
			    "%s: %lld is out of range (0 to %lld bytes, or -1 for no limit)", path,
			    (long long)n, OCI_MEMORY_MAX);
}

static int cpu_quota(const json_t *v, const char *path, struct kc_error *err)
{
	json_int_t n = json_integer_value(v);
	if (n == -1 || n == 0 || (n >= OCI_CPU_QUOTA_MIN && n <= OCI_CPU_QUOTA_MAX))
		return 0;
	return kc_error_set(
	    err, 0, "%s: %lld is out of range (%d to %lld microseconds, or -1 for no limit)", path,
	    (long long)n, OCI_CPU_QUOTA_MIN, OCI_CPU_QUOTA_MAX);
}

static int cpu_period(const json_t *v, const char *path, struct kc_error *err)
{
	json_int_t n = json_integer_value(v);
	if (n == 0 || (n >= OCI_CPU_PERIOD_MIN && n <= OCI_CPU_PERIOD_MAX))
		return 0;
	return kc_error_set(err, 0, "%s: %lld is out of range (%d to %d microseconds)", path,
			    (long long)n, OCI_CPU_PERIOD_MIN, OCI_CPU_PERIOD_MAX);
}

static int cpu_shares(const json_t *v, const char *path, struct kc_error *err)
{
	json_int_t n = json_integer_value(v);
	if (n == 0 || (n >= OCI_CPU_SHARES_MIN && n <= OCI_CPU_SHARES_MAX))
		return 0;
	return kc_error_set(err, 0, "%s: %lld is out of range (%d to %d)", path, (long long)n,
			    OCI_CPU_SHARES_MIN, OCI_CPU_SHARES_MAX);
}

static int blkio_weight(const json_t *v, const char *path, struct kc_error *err)
{
	json_int_t n = json_integer_value(v);
	return n == 0 || (n >= 10 && n <= 1000)
		   ? 0
		   : kc_error_set(err, 0, "%s: %lld is out of range (10 to 1000)", path,
				  (long long)n);
}

/* "0-3,5,7-8" */
static int cpu_list(const json_t *v, const char *path, struct kc_error *err)
{
	const char *s = json_string_value(v);
	for (const char *p = s; *p;) {
		if (!isdigit((unsigned char)*p))
			return kc_error_set(err, 0, "%s: '%s' is not a list such as 0-3,5", path,
					    s);
		while (isdigit((unsigned char)*p))
			p++;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return kc_error_set(err, 0, "%s: '%s' is not a list such as 0-3,5",
						    path, s);
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			return kc_error_set(err, 0, "%s: '%s' is not a list such as 0-3,5", path,
					    s);
	}
	return 0;
}

static int propagation(const json_t *v, const char *path, struct kc_error *err)
{
	static const char *const names[] = {
	    "",	      "private", "rprivate",   "slave",	      "rslave",
	    "shared", "rshared", "unbindable", "runbindable", NULL};
	const char *s = json_string_value(v);
	return one_of(s, names)
		   ? 0
		   : kc_error_set(err, 0, "%s: '%s' is not a mount propagation", path, s);
}

static int seccomp_action(const json_t *v, const char *path, struct kc_error *err)
{
	static const char *const actions[] = {"SCMP_ACT_KILL",	      "SCMP_ACT_KILL_PROCESS",
					      "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
					      "SCMP_ACT_ERRNO",	      "SCMP_ACT_TRACE",
					      "SCMP_ACT_ALLOW",	      "SCMP_ACT_LOG",
					      "SCMP_ACT_NOTIFY",      NULL};
	const char *s = json_string_value(v);
	return one_of(s, actions)
		   ? 0
		   : kc_error_set(err, 0, "%s: '%s' is not a seccomp action", path, s);
}

static int seccomp_op(const json_t *v, const char *path, struct kc_error *err)
{
	static const char *const ops[] = {"SCMP_CMP_NE",	"SCMP_CMP_LT", "SCMP_CMP_LE",
					  "SCMP_CMP_EQ",	"SCMP_CMP_GE", "SCMP_CMP_GT",
					  "SCMP_CMP_MASKED_EQ", NULL};
	const char *s = json_string_value(v);
	return one_of(s, ops)
		   ? 0
		   : kc_error_set(err, 0, "%s: '%s' is not a seccomp comparison", path, s);
}

static int hook_timeout(const json_t *v, const char *path, struct kc_error *err)
{
	return json_integer_value(v) > 0
		   ? 0
		   : kc_error_set(err, 0, "%s: must be greater than zero", path);
}

/* ---- the schema ------------------------------------------------------------ */

static const struct node string_item = {NULL, K_STRING};
static const struct node abs_item = {NULL, K_STRING, .check = absolute};
static const struct node cap_item = {NULL, K_STRING, .check = capability};
static const struct node u32_item = {NULL, K_INT, NULL, U32};

static const struct node idmap_members[] = {
    {"containerID", K_INT, NULL, U32, .required = true},
    {"hostID", K_INT, NULL, U32, .required = true},
    {"size", K_INT, NULL, U32, .required = true},
    {NULL},
};
static const struct node idmap_item = {NULL, K_OBJECT, idmap_members};

static const struct node mount_members[] = {
    {"destination", K_STRING, .check = absolute, .required = true},
    {"source", K_STRING},
    {"type", K_STRING},
    {"options", K_ARRAY, &string_item},
    {"uidMappings", K_ARRAY, &idmap_item},
    {"gidMappings", K_ARRAY, &idmap_item},
    {NULL},
};
static const struct node mount_item = {NULL, K_OBJECT, mount_members};

static const struct node caps_members[] = {
    {"bounding", K_ARRAY, &cap_item},	 {"effective", K_ARRAY, &cap_item},
    {"inheritable", K_ARRAY, &cap_item}, {"permitted", K_ARRAY, &cap_item},
    {"ambient", K_ARRAY, &cap_item},	 {NULL},
};
static const struct node rlimit_members[] = {
    {"type", K_STRING, .check = rlimit_type, .required = true},
    {"hard", K_INT, .required = true},
    {"soft", K_INT, .required = true},
    {NULL},
};
static const struct node rlimit_item = {NULL, K_OBJECT, rlimit_members};
static const struct node user_members[] = {
    {"uid", K_INT, NULL, U32},	      {"gid", K_INT, NULL, U32},
    {"umask", K_INT, NULL, 0, 07777}, {"additionalGids", K_ARRAY, &u32_item},
    {"username", K_STRING},	      {NULL},
};
static const struct node console_members[] = {
    {"height", K_INT, NULL, U32, .required = true},
    {"width", K_INT, NULL, U32, .required = true},
    {NULL},
};
static const struct node io_priority_members[] = {
    {"class", K_STRING, .required = true},
    {"priority", K_INT, NULL, 0, 7},
    {NULL},
};
static const struct node scheduler_members[] = {
    {"policy", K_STRING, .required = true}, {"nice", K_INT, NULL, -20, 19},
    {"priority", K_INT, NULL, 0, 99},	    {"flags", K_ARRAY, &string_item},
    {"runtime", K_INT, NULL, 0, INT64_MAX}, {"deadline", K_INT, NULL, 0, INT64_MAX},
    {"period", K_INT, NULL, 0, INT64_MAX},  {NULL},
};
static const struct node affinity_members[] = {
    {"initial", K_STRING, .check = cpu_list},
    {"final", K_STRING, .check = cpu_list},
    {NULL},
};
static const struct node process_members[] = {
    {"terminal", K_BOOL},
    {"consoleSize", K_OBJECT, console_members},
    {"user", K_OBJECT, user_members},
    {"args", K_ARRAY, &string_item},
    {"commandLine", K_STRING},
    {"env", K_ARRAY, &string_item},
    {"cwd", K_STRING, .check = absolute},
    {"capabilities", K_OBJECT, caps_members},
    {"rlimits", K_ARRAY, &rlimit_item},
    {"noNewPrivileges", K_BOOL},
    {"apparmorProfile", K_STRING},
    {"oomScoreAdj", K_INT, NULL, -1000, 1000},
    {"selinuxLabel", K_STRING},
    {"ioPriority", K_OBJECT, io_priority_members},
    {"scheduler", K_OBJECT, scheduler_members},
    {"execCPUAffinity", K_OBJECT, affinity_members},
    {NULL},
};

static const struct node root_members[] = {
    {"path", K_STRING, .required = true},
    {"readonly", K_BOOL},
    {NULL},
};

static const struct node hook_members[] = {
    {"path", K_STRING, .check = absolute, .required = true},
    {"args", K_ARRAY, &string_item},
    {"env", K_ARRAY, &string_item},
    {"timeout", K_INT, NULL, I64, .check = hook_timeout},
    {NULL},
};
static const struct node hook_item = {NULL, K_OBJECT, hook_members};
static const struct node hooks_members[] = {
    {"prestart", K_ARRAY, &hook_item},
    {"createRuntime", K_ARRAY, &hook_item},
    {"createContainer", K_ARRAY, &hook_item},
    {"startContainer", K_ARRAY, &hook_item},
    {"poststart", K_ARRAY, &hook_item},
    {"poststop", K_ARRAY, &hook_item},
    {NULL},
};

static const struct node namespace_members[] = {
    {"type", K_STRING, .check = namespace_type, .required = true},
    {"path", K_STRING, .check = optional_absolute},
    {NULL},
};
static const struct node namespace_item = {NULL, K_OBJECT, namespace_members};
static const struct node device_members[] = {
    {"type", K_STRING, .check = device_type, .required = true},
    {"path", K_STRING, .check = absolute, .required = true},
    {"major", K_INT, NULL, U32},
    {"minor", K_INT, NULL, U32},
    {"fileMode", K_INT, NULL, I64, .check = file_mode},
    {"uid", K_INT, NULL, U32},
    {"gid", K_INT, NULL, U32},
    {NULL},
};
static const struct node device_item = {NULL, K_OBJECT, device_members};

static const struct node cg_device_members[] = {
    {"allow", K_BOOL, .required = true},	  {"type", K_STRING, .check = cgroup_device_type},
    {"major", K_INT, NULL, -1, 0xffffffffLL},	  {"minor", K_INT, NULL, -1, 0xffffffffLL},
    {"access", K_STRING, .check = device_access}, {NULL},
};
static const struct node cg_device_item = {NULL, K_OBJECT, cg_device_members};
static const struct node memory_members[] = {
    {"limit", K_INT, NULL, I64, .check = memory_bytes},
    {"reservation", K_INT, NULL, I64, .check = memory_bytes},
    {"swap", K_INT, NULL, I64, .check = memory_bytes},
    {"kernel", K_INT, NULL, I64, .check = memory_bytes},
    {"kernelTCP", K_INT, NULL, I64, .check = memory_bytes},
    {"swappiness", K_INT, NULL, 0, 100},
    {"disableOOMKiller", K_BOOL},
    {"useHierarchy", K_BOOL},
    {"checkBeforeUpdate", K_BOOL},
    {NULL},
};
static const struct node cpu_members[] = {
    {"shares", K_INT, NULL, I64, .check = cpu_shares},
    {"quota", K_INT, NULL, I64, .check = cpu_quota},
    {"burst", K_INT, NULL, 0, OCI_CPU_QUOTA_MAX},
    {"period", K_INT, NULL, I64, .check = cpu_period},
    {"realtimeRuntime", K_INT, NULL, -1, INT64_MAX},
    {"realtimePeriod", K_INT, NULL, 0, INT64_MAX},
    {"cpus", K_STRING, .check = cpu_list},
    {"mems", K_STRING, .check = cpu_list},
    {"idle", K_INT, NULL, 0, 1},
    {NULL},
};
static const struct node weight_device_members[] = {
    {"major", K_INT, NULL, U32, .required = true},
    {"minor", K_INT, NULL, U32, .required = true},
    {"weight", K_INT, NULL, U16, .check = blkio_weight},
    {"leafWeight", K_INT, NULL, U16, .check = blkio_weight},
    {NULL},
};
static const struct node weight_device_item = {NULL, K_OBJECT, weight_device_members};
static const struct node rate_device_members[] = {
    {"major", K_INT, NULL, U32, .required = true},
    {"minor", K_INT, NULL, U32, .required = true},
    {"rate", K_INT, NULL, 0, INT64_MAX, .required = true},
    {NULL},
};
static const struct node rate_device_item = {NULL, K_OBJECT, rate_device_members};
static const struct node blkio_members[] = {
    {"weight", K_INT, NULL, U16, .check = blkio_weight},
    {"leafWeight", K_INT, NULL, U16, .check = blkio_weight},
    {"weightDevice", K_ARRAY, &weight_device_item},
    {"throttleReadBpsDevice", K_ARRAY, &rate_device_item},
    {"throttleWriteBpsDevice", K_ARRAY, &rate_device_item},
    {"throttleReadIOPSDevice", K_ARRAY, &rate_device_item},
    {"throttleWriteIOPSDevice", K_ARRAY, &rate_device_item},
    {NULL},
};
static const struct node hugepage_members[] = {
    {"pageSize", K_STRING, .required = true},
    {"limit", K_INT, NULL, 0, INT64_MAX, .required = true},
    {NULL},
};
static const struct node hugepage_item = {NULL, K_OBJECT, hugepage_members};
static const struct node priority_members[] = {
    {"name", K_STRING, .required = true},
    {"priority", K_INT, NULL, U32, .required = true},
    {NULL},
};
static const struct node priority_item = {NULL, K_OBJECT, priority_members};
static const struct node network_members[] = {
    {"classID", K_INT, NULL, U32},
    {"priorities", K_ARRAY, &priority_item},
    {NULL},
};
static const struct node pids_members[] = {
    {"limit", K_INT, NULL, -1, INT64_MAX},
    {NULL},
};
static const struct node resources_members[] = {
    {"devices", K_ARRAY, &cg_device_item},
    {"memory", K_OBJECT, memory_members},
    {"cpu", K_OBJECT, cpu_members},
    {"blockIO", K_OBJECT, blkio_members},
    {"hugepageLimits", K_ARRAY, &hugepage_item},
    {"network", K_OBJECT, network_members},
    {"pids", K_OBJECT, pids_members},
    {"rdma", K_OBJECT, NULL},
    {"unified", K_STRMAP},
    {NULL},
};

static const struct node seccomp_arg_members[] = {
    {"index", K_INT, NULL, 0, 5, .required = true},
    {"value", K_INT, .required = true},
    {"valueTwo", K_INT},
    {"op", K_STRING, .check = seccomp_op, .required = true},
    {NULL},
};
static const struct node seccomp_arg_item = {NULL, K_OBJECT, seccomp_arg_members};
static const struct node syscall_members[] = {
    {"names", K_ARRAY, &string_item, .required = true},
    {"action", K_STRING, .check = seccomp_action, .required = true},
    {"errnoRet", K_INT, NULL, U32},
    {"args", K_ARRAY, &seccomp_arg_item},
    {NULL},
};
static const struct node syscall_item = {NULL, K_OBJECT, syscall_members};
static const struct node seccomp_members[] = {
    {"defaultAction", K_STRING, .check = seccomp_action, .required = true},
    {"defaultErrnoRet", K_INT, NULL, U32},
    {"architectures", K_ARRAY, &string_item},
    {"flags", K_ARRAY, &string_item},
    {"listenerPath", K_STRING, .check = optional_absolute},
    {"listenerMetadata", K_STRING},
    {"syscalls", K_ARRAY, &syscall_item},
    {NULL},
};
static const struct node personality_members[] = {
    {"domain", K_STRING, .required = true},
    {"flags", K_ARRAY, &string_item},
    {NULL},
};
static const struct node intel_rdt_members[] = {
    {"closID", K_STRING},  {"l3CacheSchema", K_STRING}, {"memBwSchema", K_STRING},
    {"enableCMT", K_BOOL}, {"enableMBM", K_BOOL},	{NULL},
};

static const struct node linux_members[] = {
    {"namespaces", K_ARRAY, &namespace_item},
    {"uidMappings", K_ARRAY, &idmap_item},
    {"gidMappings", K_ARRAY, &idmap_item},
    {"timeOffsets", K_OBJECT, NULL},
    {"devices", K_ARRAY, &device_item},
    {"cgroupsPath", K_STRING},
    {"resources", K_OBJECT, resources_members},
    {"intelRdt", K_OBJECT, intel_rdt_members},
    {"sysctl", K_STRMAP},
    {"seccomp", K_OBJECT, seccomp_members},
    {"rootfsPropagation", K_STRING, .check = propagation},
    {"maskedPaths", K_ARRAY, &abs_item},
    {"readonlyPaths", K_ARRAY, &abs_item},
    {"mountLabel", K_STRING},
    {"personality", K_OBJECT, personality_members},
    {NULL},
};

static const struct node spec_members[] = {
    {"ociVersion", K_STRING, .required = true},
    {"root", K_OBJECT, root_members},
    {"mounts", K_ARRAY, &mount_item},
    {"process", K_OBJECT, process_members},
    {"hostname", K_STRING},
    {"domainname", K_STRING},
    {"hooks", K_OBJECT, hooks_members},
    {"annotations", K_STRMAP},
    {"linux", K_OBJECT, linux_members},
    {NULL},
};
static const struct node spec_node = {"", K_OBJECT, spec_members};

/* ---- the walk -------------------------------------------------------------- */

static int check_node(const struct node *n, const json_t *v, struct strbuf *path,
		      struct kc_error *err);

static int check_members(const struct node *members, const json_t *obj, struct strbuf *path,
			 struct kc_error *err)
{
	for (const struct node *m = members; m && m->name; m++) {
		json_t *v = json_object_get(obj, m->name);
		size_t keep = path->len;
		strbuf_appendf(path, "%s%s", keep ? "." : "", m->name);
		int rc = 0;
		if (!v || json_typeof(v) == JSON_NULL) {
			if (m->required)
				rc = kc_error_set(err, 0, "%s: missing", path->s);
		} else {
			rc = check_node(m, v, path, err);
		}
		path->len = keep;
		path->s[keep] = '\0';
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int check_node(const struct node *n, const json_t *v, struct strbuf *path,
		      struct kc_error *err)
{
	bool ok;
	switch (n->kind) {
	case K_STRING: ok = json_is_string(v); break;
	case K_BOOL: ok = json_is_boolean(v); break;
	case K_INT: ok = json_is_integer(v); break;
	case K_ARRAY: ok = json_is_array(v); break;
	default: ok = json_is_object(v); break;
	}
	if (!ok)
		return kc_error_set(err, 0, "%s: must be %s", path->s, kind_name(n->kind));
	if (n->kind == K_INT && (n->min || n->max) &&
	    (json_integer_value(v) < n->min || json_integer_value(v) > n->max))
		return kc_error_set(err, 0, "%s: %lld is out of range (%lld to %lld)", path->s,
				    (long long)json_integer_value(v), n->min, n->max);
	if (n->check && n->check(v, path->s, err) < 0)
		return -1;
	if (n->kind == K_OBJECT)
		return check_members(n->sub, v, path, err);
	if (n->kind == K_STRMAP) {
		const char *key;
		json_t *e;
		json_object_foreach ((json_t *)v, key, e)
			if (!json_is_string(e))
				return kc_error_set(err, 0, "%s[\"%s\"]: must be a string", path->s,
						    key);
		return 0;
	}
	if (n->kind == K_ARRAY && n->sub) {
		size_t i, keep = path->len;
		json_t *e;
		json_array_foreach (v, i, e) {
			strbuf_appendf(path, "[%zu]", i);
			int rc = check_node(n->sub, e, path, err);
			path->len = keep;
			path->s[keep] = '\0';
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

/* What a type check cannot see: a namespace listed twice. */
static int check_namespaces(const json_t *spec, struct kc_error *err)
{
	const json_t *linux_ = json_object_get(spec, "linux");
	json_t *list = json_object_get(linux_, "namespaces");
	/* a new user namespace needs its mappings (runc's rule), mappings need
	 * one; the guest cannot join a host's user namespace by path */
	const json_t *userns = oci_spec_namespace(spec, "user");
	bool mapped = json_array_size(json_object_get(linux_, "uidMappings")) > 0 &&
		      json_array_size(json_object_get(linux_, "gidMappings")) > 0;
	bool any_map = json_array_size(json_object_get(linux_, "uidMappings")) > 0 ||
		       json_array_size(json_object_get(linux_, "gidMappings")) > 0;
	const char *upath = json_string_value(json_object_get(userns, "path"));
	if (userns && upath && *upath)
		return kc_error_set(err, 0,
				    "linux.namespaces: the user namespace at %s: joining a user "
				    "namespace by path is not supported (the container's is in the "
				    "VM)",
				    upath);
	if (userns && !mapped)
		return kc_error_set(err, 0,
				    "linux.namespaces: a new user namespace needs "
				    "linux.uidMappings and linux.gidMappings");
	if (!userns && any_map)
		return kc_error_set(err, 0,
				    "linux.uidMappings/gidMappings: given without a user namespace "
				    "in linux.namespaces");
	for (size_t i = 0; i < json_array_size(list); i++)
		for (size_t k = 0; k < i; k++) {
			const char *a =
			    json_string_value(json_object_get(json_array_get(list, i), "type"));
			const char *b =
			    json_string_value(json_object_get(json_array_get(list, k), "type"));
			if (a && b && !strcmp(a, b))
				return kc_error_set(
				    err, 0,
				    "linux.namespaces[%zu]: the %s namespace is listed twice", i,
				    a);
		}
	return 0;
}

/* Nodes other than FIFOs need their numbers. */
static int check_devices(const json_t *spec, struct kc_error *err)
{
	size_t i;
	json_t *d;
	json_array_foreach (json_object_get(json_object_get(spec, "linux"), "devices"), i, d) {
		const char *type = json_string_value(json_object_get(d, "type"));
		if (strcmp(type, "p") &&
		    (!json_object_get(d, "major") || !json_object_get(d, "minor")))
			return kc_error_set(err, 0,
					    "linux.devices[%zu] (%s): major and minor are required",
					    i, json_string_value(json_object_get(d, "path")));
	}
	return 0;
}

int oci_spec_validate(const json_t *spec, struct kc_error *err)
{
	struct strbuf path = STRBUF_INIT;
	strbuf_append(&path, "");
	if (!json_is_object(spec)) {
		strbuf_release(&path);
		return kc_error_set(err, 0, "not a JSON object");
	}
	int rc = check_members(spec_node.sub, spec, &path, err);
	strbuf_release(&path);
	if (rc < 0 || check_namespaces(spec, err) < 0 || check_devices(spec, err) < 0 ||
	    oci_resources_check_guest(json_object_get(json_object_get(spec, "linux"), "resources"),
				      "linux.resources", err) < 0)
		return -1;
	const char *ver = json_string_value(json_object_get(spec, "ociVersion"));
	if (strncmp(ver, "1.", 2))
		return kc_error_set(
		    err, 0, "ociVersion: unsupported version '%s' (this runtime implements 1.x)",
		    ver);
	json_t *process = json_object_get(spec, "process");
	if (process) {
		/* what the process needs as a whole (args, rlimits' soft <= hard) */
		struct oci_process p;
		if (oci_process_parse(process, &p, err) < 0)
			return -1;
		oci_process_free(&p);
	}
	return 0;
}

int oci_resources_validate(const json_t *resources, const char *what, struct kc_error *err)
{
	static const struct node resources_node = {"resources", K_OBJECT, resources_members};
	struct strbuf path = STRBUF_INIT;
	strbuf_append(&path, what);
	int rc = check_node(&resources_node, resources, &path, err);
	strbuf_release(&path);
	return rc < 0 ? rc : oci_resources_check_guest(resources, what, err);
}

int oci_resources_check_guest(const json_t *resources, const char *what, struct kc_error *err)
{
	json_t *cpu = json_object_get(resources, "cpu");
	static const char *const rt[] = {"realtimeRuntime", "realtimePeriod"};
	for (size_t i = 0; i < 2; i++)
		if (json_integer_value(json_object_get(cpu, rt[i])))
			return kc_error_set(
			    err, 0,
			    "%s.cpu.%s: not supported: the guest's cgroup v2 has no "
			    "real-time CPU bandwidth",
			    what, rt[i]);
	return 0;
}
