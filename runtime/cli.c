/* runc-style flags (see cli.h). */
#include "cli.h"

#include <string.h>

#include "log.h"

struct cli_opt *cli_get(struct cli_opt *opts, const char *name)
{
	for (struct cli_opt *o = opts; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

bool cli_bool(struct cli_opt *opts, const char *name)
{
	struct cli_opt *o = cli_get(opts, name);
	if (!o || !o->set)
		return false;
	/* --detach=false */
	return !o->value || (strcmp(o->value, "false") && strcmp(o->value, "0"));
}

const char *cli_str(struct cli_opt *opts, const char *name)
{
	struct cli_opt *o = cli_get(opts, name);
	return o && o->set ? o->value : NULL;
}

static struct cli_opt *find(struct cli_opt *opts, const char *name, size_t len, char short_name)
{
	for (struct cli_opt *o = opts; o->name; o++) {
		if (short_name && o->short_name == short_name)
			return o;
		if (!short_name && strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	}
	return NULL;
}

int cli_parse(int argc, char **argv, int start, struct cli_opt *opts, struct kc_error *err)
{
	int i = start;
	while (i < argc) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			return i + 1;
		if (a[0] != '-' || !a[1])
			return i;
		const char *name = a + (a[1] == '-' ? 2 : 1);
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		struct cli_opt *o = find(opts, name, len, 0);
		if (!o && a[1] != '-' && len == 1)
			o = find(opts, NULL, 0, name[0]);
		if (!o)
			return kc_error_set(err, 0, "flag provided but not defined: -%.*s",
					    (int)len, name);
		o->set = true;
		if (o->takes_value) {
			const char *v;
			if (eq) {
				v = eq + 1;
			} else if (i + 1 < argc) {
				v = argv[++i];
			} else {
				return kc_error_set(err, 0, "flag needs an argument: -%s", o->name);
			}
			o->value = v;
			if (o->nvalues == CLI_MAX_VALUES)
				return kc_error_set(err, 0, "flag -%s given more than %d times",
						    o->name, CLI_MAX_VALUES);
			o->values[o->nvalues++] = v;
		} else {
			o->value = eq ? eq + 1 : NULL;
		}
		i++;
	}
	return i;
}

const char *cli_one_id(int argc, char **argv, int pos, const char *cmd, struct kc_error *err)
{
	if (pos < 0)
		return NULL;
	if (pos != argc - 1) {
		kc_error_set(err, 0, "%s: expects exactly one argument, the container id", cmd);
		return NULL;
	}
	kc_log_field("container", argv[pos]);
	return argv[pos];
}
