/* kata-env: the environment the runtime would run in, with Kata 1's
 * section and key names (so tooling that parses `kata-runtime kata-env`
 * keeps working) and a few additions: the configuration file used and
 * where it came from, every adaptation with its reason, and the host's
 * readiness from kata-check's report. */
#ifndef KC_ENV_H
#define KC_ENV_H

#include <jansson.h>

#include "adapt.h"
#include "assess.h"
#include "config_probe.h"
#include "facts.h"
#include "hostroot.h"
#include "report.h"

struct env_input {
	const struct host_root *root;
	const struct assessment *a; /* the runtime's own decision */
};

/* The environment as one JSON object; print it with json_dumpf or
 * toml_write. */
json_t *env_build(const struct env_input *in);

/* Exit status: 0 printed, 1 the configuration could not be used, 2 usage. */
int kata_env_main(int argc, char **argv);

#endif
