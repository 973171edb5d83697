/* kata-check: probe the host, judge it, print the report, exit with the
 * verdict. It changes nothing on the host. */
#include "check_main.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assess.h"
#include "error.h"
#include "hostroot.h"
#include "render.h"
#include "strbuf.h"
#include "tty.h"
#include "version.h"

enum { OPT_COLOR = 256, OPT_NO_COLOR, OPT_HOST_ROOT, OPT_CONFIG, OPT_RELEASES };

static const struct option long_options[] = {
    {"json", no_argument, NULL, 'j'},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"strict", no_argument, NULL, 's'},
    {"host-root", required_argument, NULL, OPT_HOST_ROOT},
    {"kata-config", required_argument, NULL, OPT_CONFIG},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"color", optional_argument, NULL, OPT_COLOR},
    {"colour", optional_argument, NULL, OPT_COLOR},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    /* Kata 1's: no check here uses the network, so -n changes nothing;
     * the release look-ups are refused */
    {"no-network-checks", no_argument, NULL, 'n'},
    {"check-version-only", no_argument, NULL, OPT_RELEASES},
    {"only-list-releases", no_argument, NULL, OPT_RELEASES},
    {"include-all-releases", no_argument, NULL, OPT_RELEASES},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *out, const char *prog)
{
	fprintf(
	    out,
	    "Usage: %s [OPTIONS]\n"
	    "Inspect this host and report whether it can run Kata Containers.\n"
	    "Nothing on the host is changed.\n"
	    "\n"
	    "Options:\n"
	    "  -j, --json            print the whole report and the facts as JSON\n"
	    "  -q, --quiet           print problems (WARN, FAIL) and the verdict only\n"
	    "  -v, --verbose         print the host summary and the facts behind every check\n"
	    "  -s, --strict          count warnings as failures\n"
	    "      --host-root DIR   inspect the host mounted at DIR (default /)\n"
	    "      --kata-config PATH, --config PATH\n"
	    "                        judge against this configuration file instead of the chain\n"
	    "                        ($KATA_CONF_FILE, then /etc and the defaults under the host "
	    "root)\n"
	    "      --color[=WHEN]    colour the output: auto (default, on a terminal), always, "
	    "never\n"
	    "      --no-color        same as --color=never\n"
	    "  -n, --no-network-checks  accepted (Kata 1's): no check uses the network\n"
	    "  -h, --help            print this help\n"
	    "  -V, --version         print the version\n"
	    "\n"
	    "Exit status: 0 capable and ready, 1 not capable (a check failed; with --strict, or\n"
	    "warned; or kata-runtime would refuse the configuration), 2 usage or internal error,\n"
	    "3 capable but no configuration installed yet (kata-runtime would refuse to start).\n",
	    prog);
}

int kata_check_main(int argc, char **argv)
{
	struct render_options ro = {0};
	enum color_mode color = COLOR_AUTO;
	const char *host_root_dir = "/";
	const char *config_path = NULL;
	bool json = false;
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jqvshVn", long_options, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'q': ro.quiet = true; break;
		case 'v': ro.verbose = true; break;
		case 's': ro.strict = true; break;
		case OPT_HOST_ROOT: host_root_dir = optarg; break;
		case OPT_CONFIG: config_path = optarg; break;
		case OPT_COLOR: {
			int m = color_mode_parse(optarg);
			if (m < 0) {
				fprintf(stderr, "%s: --color: '%s' is not auto, always or never\n",
					prog, optarg);
				return EXIT_USAGE;
			}
			color = (enum color_mode)m;
			break;
		}
		case OPT_NO_COLOR: color = COLOR_NEVER; break;
		case 'n': break;
		case OPT_RELEASES:
			fprintf(stderr,
				"%s: %s: not supported: kata-check does not look up releases (it "
				"never uses the network)\n",
				prog, argv[optind - 1]);
			return EXIT_USAGE;
		case 'h': usage(stdout, prog); return 0;
		case 'V': kc_print_version(prog, NULL); return 0;
		case ':':
			fprintf(stderr, "%s: option '%s' needs an argument\n", prog,
				argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (optopt)
				fprintf(stderr, "%s: unknown option '-%c'\n", prog, optopt);
			else
				fprintf(stderr, "%s: unknown option '%s'\n", prog,
					argv[optind - 1]);
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\nTry '%s --help'.\n", prog,
			argv[optind], prog);
		return EXIT_USAGE;
	}
	if (ro.quiet && ro.verbose) {
		fprintf(stderr, "%s: --quiet and --verbose cannot be combined\n", prog);
		return EXIT_USAGE;
	}

	_cleanup_error_ struct kc_error err = {0};
	struct host_root root;
	if (host_root_open(&root, host_root_dir, &err) < 0) {
		fprintf(stderr, "%s: --host-root: %s\n", prog, kc_error_msg(&err));
		return EXIT_USAGE;
	}

	struct assessment a;
	assess(&root, &(struct assess_options){.config_path = config_path}, &a);

	int status = !assessment_capable(&a, ro.strict) ? EXIT_NOT_CAPABLE
		     : a.ready				? EXIT_CAPABLE
							: EXIT_NOT_READY;
	if (json) {
		json_t *j = assessment_to_json(&a, ro.strict);
		json_object_set_new(j, "configuration", config_to_json(a.config));
		if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 ||
		    fputc('\n', stdout) == EOF)
			status = EXIT_USAGE;
		json_decref(j);
	} else {
		ro.color = color_enabled(color, STDOUT_FILENO);
		render_text(stdout, &a, &ro);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: writing the report failed\n", prog);
		status = EXIT_USAGE;
	}
	assessment_free(&a);
	host_root_close(&root);
	return status;
}
