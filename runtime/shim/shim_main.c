/* kata-shim: started by kata-runtime for each container and exec'd
 * process (see shim.h).
 *
 *   kata-shim --proxy SOCKET --container ID [--exec-id ID] --stream N
 *             [--terminal] [--console-socket PATH] [--log FILE] [--ready-fd N]
 *             [--log-format text|json] [--debug]
 *
 * Exit status: the process's; 255 when the agent could not be reached or
 * the channel failed (the process's fate is then unknown); 2 for bad usage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "shim.h"
#include "strutil.h"
#include "version.h"

static int usage(FILE *f, int rc)
{
	fprintf(f, "usage: kata-shim --proxy SOCKET --container ID [--exec-id ID] --stream N "
		   "[--terminal]\n"
		   "                 [--console-socket PATH] [--log FILE] [--log-format text|json] "
		   "[--debug]\n"
		   "                 [--ready-fd N]\n");
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"proxy", required_argument, NULL, 'p'},
	    {"container", required_argument, NULL, 'c'},
	    {"exec-id", required_argument, NULL, 'e'},
	    {"stream", required_argument, NULL, 's'},
	    {"terminal", no_argument, NULL, 't'},
	    {"console-socket", required_argument, NULL, 'C'},
	    {"log", required_argument, NULL, 'L'},
	    {"log-format", required_argument, NULL, 'F'},
	    {"debug", no_argument, NULL, 'd'},
	    {"ready-fd", required_argument, NULL, 'r'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct shim_options o = {.ready_fd = -1};
	const char *log = NULL;
	bool json = false, debug = false, have_stream = false;
	int ch;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': o.proxy_socket = optarg; break;
		case 'c': o.container_id = optarg; break;
		case 'e': o.exec_id = optarg; break;
		case 's': {
			unsigned v;
			if (parse_uint(optarg, 10, &v) < 0 || !v) {
				fprintf(stderr,
					"kata-shim: --stream: '%s' is not a stream number\n",
					optarg);
				return 2;
			}
			o.stream = v;
			have_stream = true;
			break;
		}
		case 't': o.terminal = true; break;
		case 'C': o.console_socket = optarg; break;
		case 'L': log = optarg; break;
		case 'F': json = !strcmp(optarg, "json"); break;
		case 'd': debug = true; break;
		case 'r': {
			unsigned v;
			if (parse_uint(optarg, 10, &v) < 0 || v > 1024) {
				fprintf(stderr,
					"kata-shim: --ready-fd: '%s' is not a file descriptor\n",
					optarg);
				return 2;
			}
			o.ready_fd = (int)v;
			break;
		}
		case 'V': kc_print_version("kata-shim", NULL); return 0;
		case 'h': return usage(stdout, 0);
		default: return usage(stderr, 2);
		}
	}
	if (!o.proxy_socket || !o.container_id || !have_stream || optind != argc)
		return usage(stderr, 2);
	kc_log_init("kata-shim", log, json, debug ? KC_LOG_DEBUG : KC_LOG_INFO);
	kc_log_field("container", o.container_id);
	if (o.exec_id)
		kc_log_field("exec", o.exec_id);
	_cleanup_error_ struct kc_error err = {0};
	int rc = shim_run(&o, &err);
	if (rc < 0) {
		kc_error_log("%s", kc_error_msg(&err));
		return 255;
	}
	return rc;
}
