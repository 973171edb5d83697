/* A container's OCI seccomp profile (linux.seccomp) as a filter, built
 * with libseccomp by the child while it prepares (so a bad profile fails
 * the create, as with runc) and loaded just before execve. The host
 * sends a profile only when the configuration has
 * disable_guest_seccomp = false. */
#include "seccomp_filter.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"

/* "SCMP_ACT_ERRNO" and its errno (errnoRet, else EPERM as runc does). */
static int parse_action(const char *name, const json_t *ret, uint32_t *action)
{
	uint32_t code = json_is_integer(ret) ? (uint32_t)json_integer_value(ret) : EPERM;
	if (!name)
		return -1;
	if (!strcmp(name, "SCMP_ACT_ALLOW"))
		*action = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "SCMP_ACT_ERRNO"))
		*action = SCMP_ACT_ERRNO(code);
	else if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD"))
		*action = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
		*action = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "SCMP_ACT_TRAP"))
		*action = SCMP_ACT_TRAP;
	else if (!strcmp(name, "SCMP_ACT_TRACE"))
		*action = SCMP_ACT_TRACE(code);
	else if (!strcmp(name, "SCMP_ACT_LOG"))
		*action = SCMP_ACT_LOG;
	else
		return -1; /* SCMP_ACT_NOTIFY needs a listener, which the guest has not */
	return 0;
}

static int parse_op(const char *name, enum scmp_compare *op)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
	    {"SCMP_CMP_NE", SCMP_CMP_NE},
	    {"SCMP_CMP_LT", SCMP_CMP_LT},
	    {"SCMP_CMP_LE", SCMP_CMP_LE},
	    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
	    {"SCMP_CMP_GE", SCMP_CMP_GE},
	    {"SCMP_CMP_GT", SCMP_CMP_GT},
	    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
	};
	for (size_t i = 0; name && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(name, ops[i].name)) {
			*op = ops[i].op;
			return 0;
		}
	return -1;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64"; 0 if unknown. */
static uint32_t parse_arch(const char *name)
{
	if (!name || strncmp(name, "SCMP_ARCH_", 10))
		return 0;
	char lower[32];
	size_t i = 0;
	for (const char *c = name + 10; *c && i + 1 < sizeof(lower); c++)
		lower[i++] = (char)tolower((unsigned char)*c);
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}

static int add_rules(scmp_filter_ctx ctx, const json_t *rule, size_t idx, uint32_t def,
		     struct kc_error *err)
{
	uint32_t action;
	const char *aname = json_string_value(json_object_get(rule, "action"));
	if (parse_action(aname, json_object_get(rule, "errnoRet"), &action) < 0)
		return kc_error_set(err, 0,
				    "linux.seccomp.syscalls[%zu].action: '%s' is not supported",
				    idx, aname ? aname : "");
	if (action == def)
		return 0; /* what the default does anyway (libseccomp refuses it) */
	struct scmp_arg_cmp cmps[6];
	unsigned ncmp = 0;
	size_t i;
	json_t *arg;
	json_array_foreach (json_object_get(rule, "args"), i, arg) {
		enum scmp_compare op;
		json_int_t index = json_integer_value(json_object_get(arg, "index"));
		const char *oname = json_string_value(json_object_get(arg, "op"));
		if (ncmp >= 6 || index < 0 || index > 5 || parse_op(oname, &op) < 0)
			return kc_error_set(
			    err, 0, "linux.seccomp.syscalls[%zu].args[%zu]: bad index or op '%s'",
			    idx, i, oname ? oname : "");
		cmps[ncmp++] = (struct scmp_arg_cmp){
		    .arg = (unsigned)index,
		    .op = op,
		    .datum_a = (scmp_datum_t)json_integer_value(json_object_get(arg, "value")),
		    .datum_b = (scmp_datum_t)json_integer_value(json_object_get(arg, "valueTwo")),
		};
	}
	json_t *name;
	json_array_foreach (json_object_get(rule, "names"), i, name) {
		const char *n = json_string_value(name);
		int nr = n ? seccomp_syscall_resolve_name(n) : __NR_SCMP_ERROR;
		if (nr == __NR_SCMP_ERROR)
			continue; /* not a system call of this architecture: runc skips it too */
		int rc = seccomp_rule_add_array(ctx, action, nr, ncmp, cmps);
		if (rc < 0)
			return kc_error_set(err, 0, "linux.seccomp.syscalls[%zu] (%s): %s", idx, n,
					    strerror(-rc));
	}
	return 0;
}

int seccomp_build(const json_t *profile, void **filter, struct kc_error *err)
{
	*filter = NULL;
	if (!json_is_object(profile))
		return 0;
	uint32_t def;
	const char *dname = json_string_value(json_object_get(profile, "defaultAction"));
	if (parse_action(dname, json_object_get(profile, "defaultErrnoRet"), &def) < 0)
		return kc_error_set(err, 0, "linux.seccomp.defaultAction: '%s' is not supported",
				    dname ? dname : "");
	scmp_filter_ctx ctx = seccomp_init(def);
	if (!ctx)
		return kc_error_set(err, 0, "seccomp: cannot make a filter");
	/* no_new_privileges is the process's own setting, applied before */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	int rc;
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(profile, "architectures"), i, v) {
		uint32_t arch = parse_arch(json_string_value(v));
		if (!arch) {
			rc = kc_error_set(err, 0,
					  "linux.seccomp.architectures[%zu]: '%s' is unknown", i,
					  json_string_value(v) ? json_string_value(v) : "");
			goto out;
		}
		int a = seccomp_arch_add(ctx, arch);
		if (a < 0 && a != -EEXIST) {
			rc = kc_error_set(err, 0, "linux.seccomp.architectures[%zu]: %s", i,
					  strerror(-a));
			goto out;
		}
	}
	json_array_foreach (json_object_get(profile, "flags"), i, v) {
		const char *f = json_string_value(v);
		if (f && !strcmp(f, "SECCOMP_FILTER_FLAG_LOG"))
			seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
		else if (f && !strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
		/* SECCOMP_FILTER_FLAG_TSYNC: one thread here, nothing to sync */
	}
	json_array_foreach (json_object_get(profile, "syscalls"), i, v)
		if ((rc = add_rules(ctx, v, i, def, err)) < 0)
			goto out;
	*filter = ctx;
	return 0;
out:
	seccomp_release(ctx);
	return rc;
}

int seccomp_load_filter(void *filter, struct kc_error *err)
{
	if (!filter)
		return 0;
	int rc = seccomp_load(filter);
	seccomp_release(filter);
	return rc < 0 ? kc_error_set(err, 0, "seccomp: load the filter: %s", strerror(-rc)) : 0;
}
