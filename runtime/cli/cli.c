/* runc-style flags (see cli.h). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

static const struct cli_usage *current_usage;

void cli_set_usage(const struct cli_usage *u)
{
	current_usage = u;
}

static int flag_column(const struct cli_opt *o, char *buf, size_t len)
{
	const char *arg = o->takes_value ? (o->arg ?: "VALUE") : NULL;
	int n = snprintf(buf, len, "--%s%s%s", o->name, arg ? " " : "", arg ?: "");
	if (o->short_name && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ", -%c%s%s", o->short_name, arg ? " " : "",
			      arg ?: "");
	return n;
}

void cli_print_usage(FILE *f, const struct cli_usage *u, const struct cli_opt *opts)
{
	fprintf(f, "Usage: kata-runtime %s%s%s%s\n", u->name,
		opts && opts->name ? " [OPTIONS]" : "", u->args ? " " : "", u->args ?: "");
	if (u->about)
		fprintf(f, "\n%s\n", u->about);
	fprintf(f, "\nOptions:\n");
	int width = 14;
	char col[128];
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		int n = flag_column(o, col, sizeof(col));
		if (n > width)
			width = n;
	}
	static const char *const mark[] = {"", "", "[ignored] ", "[refused] "};
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		flag_column(o, col, sizeof(col));
		fprintf(f, "   %-*s  %s%s\n", width, col, mark[o->support], o->help ?: "");
	}
	fprintf(f, "   %-*s  %s\n", width, "--help, -h", "show this help");
}

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
		if (!short_name && name && strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	}
	return NULL;
}

int cli_parse(int argc, char **argv, int start, struct cli_opt *opts, struct kc_error *err)
{
	int i = start;
	while (i < argc) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		const char *name = a + (a[1] == '-' ? 2 : 1);
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		struct cli_opt *o = find(opts, name, len, 0);
		if (!o && a[1] != '-' && len == 1)
			o = find(opts, NULL, 0, name[0]);
		if (!o && current_usage && !eq &&
		    ((len == 4 && !strncmp(name, "help", 4)) || (len == 1 && name[0] == 'h'))) {
			cli_print_usage(stdout, current_usage, opts);
			exit(0);
		}
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
	for (struct cli_opt *o = opts; o->name; o++) {
		/* --apparmor "", --no-pivot=false or --preserve-fds 0 ask for nothing */
		if (!o->set || o->support < CLI_IGNORED ||
		    (o->takes_value ? !o->value || !*o->value : !cli_bool(opts, o->name)) ||
		    (o->asks_nothing && o->value && !strcmp(o->value, o->asks_nothing)))
			continue;
		if (o->support == CLI_REFUSED)
			return kc_error_set(err, 0, "--%s: not supported: %s", o->name, o->help);
		kc_warn("--%s: ignored: %s", o->name, o->help);
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
