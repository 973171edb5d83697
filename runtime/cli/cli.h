/* Command-line flags the way runc (urfave/cli) takes them: --name VALUE,
 * --name=VALUE, -name, single-letter -n, repeatable flags; parsing stops
 * at the first argument that is not a flag, or after "--". Each flag
 * carries its help line and how far it is honoured, so `CMD --help` and
 * what the command does cannot disagree. */
#ifndef KC_CLI_H
#define KC_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

#define CLI_MAX_VALUES 128

enum cli_support {
	CLI_HONOURED = 0,
	/* accepted; nothing to do in a VM (what was asked is what happens) */
	CLI_MOOT,
	/* accepted with a warning naming the flag and why (help says why) */
	CLI_IGNORED,
	/* an error naming the flag and why */
	CLI_REFUSED,
};

struct cli_opt {
	const char *name;
	char short_name; /* 0: none */
	bool takes_value;
	const char *arg;  /* the value's name in the help, e.g. "DIR" */
	const char *help; /* one line; for ignored and refused flags, why */
	enum cli_support support;
	/* a value that asks for nothing: an ignored or refused flag given it
	 * (--preserve-fds 0) is neither warned about nor refused */
	const char *asks_nothing;
	/* filled in */
	bool set;
	const char *value; /* the last one */
	const char *values[CLI_MAX_VALUES];
	int nvalues;
};

/* What `COMMAND --help` prints besides the flags. */
struct cli_usage {
	const char *name;  /* "exec" */
	const char *args;  /* "<container-id> <command> [args...]" */
	const char *about; /* a paragraph; may hold newlines */
};

/* The command being parsed: --help (or -h) on its line prints its usage
 * and flags on stdout and exits 0, as runc's commands do. main sets it
 * before it dispatches. */
void cli_set_usage(const struct cli_usage *u);
void cli_print_usage(FILE *f, const struct cli_usage *u, const struct cli_opt *opts);

/* Parse argv[start..]; returns the index of the first positional argument
 * (argc when none), or -1 with err naming the flag. */
int cli_parse(int argc, char **argv, int start, struct cli_opt *opts, struct kc_error *err);
struct cli_opt *cli_get(struct cli_opt *opts, const char *name);
bool cli_bool(struct cli_opt *opts, const char *name);
const char *cli_str(struct cli_opt *opts, const char *name);
/* CMD's one positional argument, the container id, at POS (cli_parse's
 * result; -1 passes its error on); NULL with err otherwise. The id goes
 * into the log's fields. */
const char *cli_one_id(int argc, char **argv, int pos, const char *cmd, struct kc_error *err);

#endif
