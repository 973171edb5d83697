/* OCI process objects (see oci.h). */
#include "oci.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

bool oci_mount_has_option(const json_t *mount, const char *opt)
{
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(mount, "options"), i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), opt))
			return true;
	return false;
}

bool oci_mount_is_bind(const json_t *mount)
{
	const char *type = json_string_value(json_object_get(mount, "type"));
	return (type && !strcmp(type, "bind")) || oci_mount_has_option(mount, "bind") ||
	       oci_mount_has_option(mount, "rbind");
}

int oci_cap_number(const char *name)
{
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (!strcasecmp(name, cap_names[i]))
			return (int)i;
	return -1;
}

const char *oci_cap_name(int number)
{
	if (number < 0 || (size_t)number >= sizeof(cap_names) / sizeof(cap_names[0]))
		return NULL;
	return cap_names[number];
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},		  {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},	  {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},	  {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},	  {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},	  {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},	  {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},	  {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

int oci_rlimit_number(const char *name)
{
	for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
		if (!strcmp(name, rlimit_names[i].name))
			return rlimit_names[i].resource;
	return -1;
}

int oci_signal_number(const char *name)
{
	if (!name || !*name)
		return -1;
	if (isdigit((unsigned char)*name)) {
		char *end;
		long n = strtol(name, &end, 10);
		return *end || n <= 0 || n >= NSIG ? -1 : (int)n;
	}
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (int s = 1; s < NSIG; s++) {
		const char *abbrev = sigabbrev_np(s);
		if (abbrev && !strcasecmp(abbrev, name))
			return s;
	}
	/* real-time signals: RTMIN, RTMIN+n, RTMAX-n */
	if (!strncasecmp(name, "RTMIN", 5) || !strncasecmp(name, "RTMAX", 5)) {
		int base = !strncasecmp(name, "RTMIN", 5) ? SIGRTMIN : SIGRTMAX;
		const char *rest = name + 5;
		if (!*rest)
			return base;
		char *end;
		long off = strtol(rest, &end, 10);
		if (*end || (rest[0] != '+' && rest[0] != '-'))
			return -1;
		long s = base + off;
		return s >= SIGRTMIN && s <= SIGRTMAX ? (int)s : -1;
	}
	return -1;
}

const char *oci_env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

bool oci_valid_id(const char *id)
{
	/* a leading dot is kept for the runtime's own entries under --root */
	if (!id || !*id || id[0] == '.' || strlen(id) > 1024)
		return false;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_+-.", *p))
			return false;
	return true;
}

/* ---- process ------------------------------------------------------------ */

static char **string_array(const json_t *arr, const char *field, bool need_one,
			   struct kc_error *err)
{
	if (!arr)
		return need_one ? (kc_error_set(err, 0, "%s: missing", field), NULL)
				: xcalloc(1, sizeof(char *));
	if (!json_is_array(arr))
		return kc_error_set(err, 0, "%s: must be an array of strings", field), NULL;
	size_t n = json_array_size(arr);
	if (need_one && !n)
		return kc_error_set(err, 0, "%s: must not be empty", field), NULL;
	char **v = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (!s) {
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			return kc_error_set(err, 0, "%s[%zu]: must be a string", field, i), NULL;
		}
		v[i] = xstrdup(s);
	}
	return v;
}

static void free_strings(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static int get_u32(const json_t *obj, const char *key, const char *field, uint32_t *out,
		   bool *present, struct kc_error *err)
{
	json_t *v = json_object_get(obj, key);
	if (present)
		*present = v != NULL;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 0xffffffffLL)
		return kc_error_set(err, 0, "%s.%s: must be an integer from 0 to 4294967295", field,
				    key);
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

static int cap_set(const json_t *caps, const char *which, uint64_t *mask, struct kc_error *err)
{
	json_t *arr = json_object_get(caps, which);
	*mask = 0;
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return kc_error_set(err, 0, "process.capabilities.%s: must be an array of strings",
				    which);
	size_t i;
	json_t *v;
	json_array_foreach (arr, i, v) {
		const char *name = json_string_value(v);
		if (!name)
			return kc_error_set(
			    err, 0, "process.capabilities.%s[%zu]: must be a string", which, i);
		int n = oci_cap_number(name);
		/* as runc: a capability this kernel generation does not know is ignored */
		if (n >= 0)
			*mask |= 1ULL << n;
	}
	return 0;
}

static int parse_user(const json_t *user, struct oci_process *p, struct kc_error *err)
{
	if (!user)
		return 0;
	if (!json_is_object(user))
		return kc_error_set(err, 0, "process.user: must be an object");
	uint32_t v = 0;
	if (get_u32(user, "uid", "process.user", &v, NULL, err) < 0)
		return -1;
	p->uid = v;
	v = 0;
	if (get_u32(user, "gid", "process.user", &v, NULL, err) < 0)
		return -1;
	p->gid = v;
	bool has = false;
	v = 0;
	if (get_u32(user, "umask", "process.user", &v, &has, err) < 0)
		return -1;
	p->has_umask = has;
	p->umask = (mode_t)(v & 07777);
	json_t *gids = json_object_get(user, "additionalGids");
	if (gids) {
		if (!json_is_array(gids))
			return kc_error_set(
			    err, 0, "process.user.additionalGids: must be an array of integers");
		p->ngids = json_array_size(gids);
		p->gids = xcalloc(p->ngids ? p->ngids : 1, sizeof(gid_t));
		for (size_t i = 0; i < p->ngids; i++) {
			json_t *g = json_array_get(gids, i);
			if (!json_is_integer(g) || json_integer_value(g) < 0 ||
			    json_integer_value(g) > 0xffffffffLL)
				return kc_error_set(
				    err, 0, "process.user.additionalGids[%zu]: must be an integer",
				    i);
			p->gids[i] = (gid_t)json_integer_value(g);
		}
	}
	return 0;
}

static int parse_rlimits(const json_t *arr, struct oci_process *p, struct kc_error *err)
{
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return kc_error_set(err, 0, "process.rlimits: must be an array");
	size_t i;
	json_t *r;
	json_array_foreach (arr, i, r) {
		const char *type = json_string_value(json_object_get(r, "type"));
		if (!type)
			return kc_error_set(err, 0, "process.rlimits[%zu].type: missing", i);
		int res = oci_rlimit_number(type);
		if (res < 0)
			return kc_error_set(
			    err, 0, "process.rlimits[%zu].type: unknown rlimit '%s'", i, type);
		json_t *hard = json_object_get(r, "hard"), *soft = json_object_get(r, "soft");
		if (!json_is_integer(hard) || !json_is_integer(soft))
			return kc_error_set(
			    err, 0, "process.rlimits[%zu] (%s): hard and soft must be integers", i,
			    type);
		/* JSON integers are signed; -1 and huge values mean unlimited */
		rlim_t h =
		    json_integer_value(hard) < 0 ? RLIM_INFINITY : (rlim_t)json_integer_value(hard);
		rlim_t s =
		    json_integer_value(soft) < 0 ? RLIM_INFINITY : (rlim_t)json_integer_value(soft);
		if (s > h)
			return kc_error_set(
			    err, 0, "process.rlimits[%zu] (%s): soft limit above the hard limit", i,
			    type);
		size_t k;
		for (k = 0; k < p->nrlimits && p->rlimits[k].resource != res; k++)
			;
		if (k == p->nrlimits) {
			if (p->nrlimits == OCI_MAX_RLIMITS)
				return kc_error_set(err, 0, "process.rlimits: too many entries");
			p->nrlimits++;
		}
		p->rlimits[k].resource = res;
		p->rlimits[k].limit.rlim_cur = s;
		p->rlimits[k].limit.rlim_max = h;
	}
	return 0;
}

int oci_process_parse(const json_t *process, struct oci_process *p, struct kc_error *err)
{
	memset(p, 0, sizeof(*p));
	if (!json_is_object(process))
		return kc_error_set(err, 0, "process: must be an object");
	if (!(p->argv = string_array(json_object_get(process, "args"), "process.args", true, err)))
		goto fail;
	if (!p->argv[0][0]) {
		kc_error_set(err, 0, "process.args[0]: must not be empty");
		goto fail;
	}
	if (!(p->envp = string_array(json_object_get(process, "env"), "process.env", false, err)))
		goto fail;
	const char *cwd = json_string_value(json_object_get(process, "cwd"));
	if (json_object_get(process, "cwd") && !cwd) {
		kc_error_set(err, 0, "process.cwd: must be a string");
		goto fail;
	}
	if (!cwd || !*cwd)
		cwd = "/";
	if (cwd[0] != '/') {
		kc_error_set(err, 0, "process.cwd: '%s' is not an absolute path", cwd);
		goto fail;
	}
	p->cwd = xstrdup(cwd);
	json_t *term = json_object_get(process, "terminal");
	if (term && !json_is_boolean(term)) {
		kc_error_set(err, 0, "process.terminal: must be true or false");
		goto fail;
	}
	p->terminal = json_is_true(term);
	json_t *size = json_object_get(process, "consoleSize");
	if (size) {
		uint32_t h = 0, w = 0;
		if (get_u32(size, "height", "process.consoleSize", &h, NULL, err) < 0 ||
		    get_u32(size, "width", "process.consoleSize", &w, NULL, err) < 0)
			goto fail;
		p->rows = (unsigned short)(h > 0xffff ? 0xffff : h);
		p->cols = (unsigned short)(w > 0xffff ? 0xffff : w);
	}
	if (parse_user(json_object_get(process, "user"), p, err) < 0)
		goto fail;
	json_t *caps = json_object_get(process, "capabilities");
	if (caps) {
		if (!json_is_object(caps)) {
			kc_error_set(err, 0, "process.capabilities: must be an object");
			goto fail;
		}
		p->has_caps = true;
		if (cap_set(caps, "bounding", &p->cap_bounding, err) < 0 ||
		    cap_set(caps, "effective", &p->cap_effective, err) < 0 ||
		    cap_set(caps, "inheritable", &p->cap_inheritable, err) < 0 ||
		    cap_set(caps, "permitted", &p->cap_permitted, err) < 0 ||
		    cap_set(caps, "ambient", &p->cap_ambient, err) < 0)
			goto fail;
	}
	if (parse_rlimits(json_object_get(process, "rlimits"), p, err) < 0)
		goto fail;
	json_t *nnp = json_object_get(process, "noNewPrivileges");
	if (nnp && !json_is_boolean(nnp)) {
		kc_error_set(err, 0, "process.noNewPrivileges: must be true or false");
		goto fail;
	}
	p->no_new_privileges = json_is_true(nnp);
	json_t *oom = json_object_get(process, "oomScoreAdj");
	if (oom) {
		if (!json_is_integer(oom) || json_integer_value(oom) < -1000 ||
		    json_integer_value(oom) > 1000) {
			kc_error_set(err, 0,
				     "process.oomScoreAdj: must be an integer from -1000 to 1000");
			goto fail;
		}
		p->has_oom_score_adj = true;
		p->oom_score_adj = (int)json_integer_value(oom);
	}
	return 0;
fail:
	oci_process_free(p);
	return -1;
}

void oci_process_free(struct oci_process *p)
{
	free_strings(p->argv);
	free_strings(p->envp);
	free(p->cwd);
	free(p->gids);
	memset(p, 0, sizeof(*p));
}

const json_t *oci_spec_namespace(const json_t *spec, const char *type)
{
	size_t i;
	json_t *ns;
	json_array_foreach (json_object_get(json_object_get(spec, "linux"), "namespaces"), i, ns) {
		const char *t = json_string_value(json_object_get(ns, "type"));
		if (t && !strcmp(t, type))
			return ns;
	}
	return NULL;
}

bool oci_spec_has_namespace(const json_t *spec, const char *type)
{
	return oci_spec_namespace(spec, type) != NULL;
}
