/* Command-line flags the way runc (urfave/cli) takes them: --name VALUE,
 * --name=VALUE, -name, single-letter -n, repeatable flags; parsing stops
 * at the first argument that is not a flag, or after "--". */
#ifndef KC_CLI_H
#define KC_CLI_H

#include <stdbool.h>

#include "error.h"

#define CLI_MAX_VALUES 128

struct cli_opt {
	const char *name;
	char short_name; /* 0: none */
	bool takes_value;
	/* filled in */
	bool set;
	const char *value; /* the last one */
	const char *values[CLI_MAX_VALUES];
	int nvalues;
};

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
