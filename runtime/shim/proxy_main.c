/* kata-proxy: started by kata-runtime for each sandbox (see proxy.h).
 *
 *   kata-proxy --agent-socket PATH --listen PATH [--sandbox ID] [--log FILE]
 *              [--log-format text|json] [--debug] [--timeout SECONDS]
 *              [--ready-fd N]
 *
 * Exit status: 0 when the agent's channel closed (the VM went away), 1 on
 * an error, 2 for bad usage. */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "proxy.h"
#include "strutil.h"
#include "version.h"

static int usage(FILE *f, int rc)
{
	fprintf(f,
		"usage: kata-proxy --agent-socket PATH --listen PATH [--sandbox ID] [--log FILE]\n"
		"                  [--log-format text|json] [--debug] [--timeout SECONDS] "
		"[--ready-fd N]\n"
		"                  [--vm-pid PID] [--fs-server-pid PID]\n");
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"agent-socket", required_argument, NULL, 'a'},
	    {"listen", required_argument, NULL, 'l'},
	    {"sandbox", required_argument, NULL, 's'},
	    {"log", required_argument, NULL, 'L'},
	    {"log-format", required_argument, NULL, 'F'},
	    {"debug", no_argument, NULL, 'd'},
	    {"timeout", required_argument, NULL, 't'},
	    {"ready-fd", required_argument, NULL, 'r'},
	    {"vm-pid", required_argument, NULL, 'q'},
	    {"fs-server-pid", required_argument, NULL, 'f'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct proxy_options o = {.connect_timeout_ms = 30000, .ready_fd = -1};
	bool json = false, debug = false;
	int ch;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': o.agent_socket = optarg; break;
		case 'l': o.listen_socket = optarg; break;
		case 's': o.sandbox_id = optarg; break;
		case 'L': o.log_path = optarg; break;
		case 'F':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr,
					"kata-proxy: --log-format: '%s' is not text or json\n",
					optarg);
				return 2;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'd': debug = true; break;
		case 't': {
			unsigned v;
			if (parse_uint(optarg, 10, &v) < 0 || !v || v > 3600) {
				fprintf(stderr,
					"kata-proxy: --timeout: '%s' is not a number of seconds "
					"(1-3600)\n",
					optarg);
				return 2;
			}
			o.connect_timeout_ms = (int)v * 1000;
			break;
		}
		case 'r': {
			unsigned v;
			if (parse_uint(optarg, 10, &v) < 0 || v > 1024) {
				fprintf(stderr,
					"kata-proxy: --ready-fd: '%s' is not a file descriptor\n",
					optarg);
				return 2;
			}
			o.ready_fd = (int)v;
			break;
		}
		case 'q':
		case 'f': {
			unsigned v;
			if (parse_uint(optarg, 10, &v) < 0 || !v || v > INT_MAX) {
				fprintf(stderr, "kata-proxy: --%s: '%s' is not a process id\n",
					ch == 'q' ? "vm-pid" : "fs-server-pid", optarg);
				return 2;
			}
			*(ch == 'q' ? &o.vm_pid : &o.fs_server_pid) = (pid_t)v;
			break;
		}
		case 'V': kc_print_version("kata-proxy", NULL); return 0;
		case 'h': return usage(stdout, 0);
		default: return usage(stderr, 2);
		}
	}
	if (!o.agent_socket || !o.listen_socket || optind != argc)
		return usage(stderr, 2);
	signal(SIGPIPE, SIG_IGN);
	kc_log_init("kata-proxy", o.log_path, json, debug ? KC_LOG_DEBUG : KC_LOG_INFO);
	if (o.sandbox_id)
		kc_log_field("sandbox", o.sandbox_id);
	_cleanup_error_ struct kc_error err = {0};
	if (proxy_run(&o, &err) < 0) {
		kc_error_log("%s", kc_error_msg(&err));
		if (!kc_log_to_stderr())
			fprintf(stderr, "kata-proxy: %s\n", kc_error_msg(&err));
		return 1;
	}
	return 0;
}
