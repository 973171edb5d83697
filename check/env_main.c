/* kata-env's command line (also `kata-runtime kata-env`). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assess.h"
#include "check_main.h"
#include "config_chain.h"
#include "env.h"
#include "strbuf.h"
#include "toml_write.h"
#include "version.h"

enum { OPT_HOST_ROOT = 256, OPT_CONFIG, OPT_SHOW_PATHS };

static const struct option long_options[] = {
    {"json", no_argument, NULL, 'j'},
    {"kata-config", required_argument, NULL, OPT_CONFIG},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"host-root", required_argument, NULL, OPT_HOST_ROOT},
    {"kata-show-default-config-paths", no_argument, NULL, OPT_SHOW_PATHS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *out, const char *prog)
{
	fprintf(
	    out,
	    "Usage: %s [OPTIONS]\n"
	    "Show the environment Kata Containers would run in: the configuration and\n"
	    "where it came from, how it was adapted to this host and why, the components,\n"
	    "and the host's readiness. TOML by default, with Kata 1's section names.\n"
	    "\n"
	    "Options:\n"
	    "  -j, --json                        print JSON instead of TOML\n"
	    "      --kata-config PATH, --config PATH\n"
	    "                                    use this configuration file\n"
	    "      --host-root DIR               describe the host mounted at DIR (default /)\n"
	    "      --kata-show-default-config-paths\n"
	    "                                    print the configuration paths tried, in order\n"
	    "  -h, --help                        print this help\n"
	    "  -V, --version                     print the version\n"
	    "\n"
	    "Exit status: 0 printed; 1 the configuration could not be loaded or cannot run\n"
	    "here (the environment is still printed, the reason goes to standard error);\n"
	    "2 usage error.\n",
	    prog);
}

int kata_env_main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *host_root_dir = "/", *config_path = NULL;
	bool json = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case OPT_CONFIG: config_path = optarg; break;
		case OPT_HOST_ROOT: host_root_dir = optarg; break;
		case OPT_SHOW_PATHS:
			for (size_t i = 0; config_default_paths[i]; i++)
				printf("%s\n", config_default_paths[i]);
			return 0;
		case 'h': usage(stdout, prog); return 0;
		case 'V': kc_print_version(prog, NULL); return 0;
		case ':':
			fprintf(stderr, "%s: option '%s' needs an argument\n", prog,
				argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "%s: unknown option '%s'\nTry '%s --help'.\n", prog,
				argv[optind - 1], prog);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		return EXIT_USAGE;
	}

	_cleanup_error_ struct kc_error err = {0};
	struct host_root root;
	if (host_root_open(&root, host_root_dir, &err) < 0) {
		fprintf(stderr, "%s: --host-root: %s\n", prog, kc_error_msg(&err));
		return EXIT_USAGE;
	}
	/* the runtime's own decision: kata-env exits 1 exactly when kata-runtime
	 * would refuse to start a sandbox */
	struct assessment a;
	assess(&root, &(struct assess_options){.config_path = config_path}, &a);
	int status = a.ready ? 0 : 1;
	for (size_t i = 0; i < a.reasons.n; i++)
		fprintf(stderr, "%s: %s\n", prog, a.reasons.v[i]);
	struct env_input ein = {.root = &root, .a = &a};
	json_t *doc = env_build(&ein);
	int w = json ? json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
		     : toml_write(stdout, doc);
	if (json && w == 0)
		w = fputc('\n', stdout) == EOF ? -1 : 0;
	if (w < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "%s: writing the environment failed\n", prog);
		status = EXIT_USAGE;
	}
	json_decref(doc);
	assessment_free(&a);
	host_root_close(&root);
	return status;
}
