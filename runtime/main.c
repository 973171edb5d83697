/* kata-runtime: an OCI runtime with runc's command line that runs each
 * sandbox in a QEMU virtual machine. See kata-runtime(8).
 *
 * Exit status: 0 success; 1 error (one line on stderr, and a JSON or
 * logfmt line in the --log file); `run` and `exec` in the foreground exit
 * with the process's status. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "cli.h"
#include "config_chain.h"
#include "env.h"
#include "log.h"
#include "runtime.h"
#include "version.h"

static const struct command {
	const char *name;
	int (*fn)(struct rt *rt, int argc, char **argv, struct kc_error *err);
	const char *help;
} commands[] = {
    {"create", cmd_create, "create a container (boots its VM)"},
    {"start", cmd_start, "start the process of a created container"},
    {"run", cmd_run, "create and start a container; wait for it unless --detach"},
    {"state", cmd_state, "print the OCI state of a container"},
    {"kill", cmd_kill, "send a signal to the container's process (--all: to all of them)"},
    {"delete", cmd_delete, "remove a stopped container (--force: any container)"},
    {"exec", cmd_exec, "run one more process in a running container"},
    {"ps", cmd_ps, "list the processes of a container"},
    {"list", cmd_list, "list containers"},
    {"pause", cmd_pause, "freeze a container's processes"},
    {"resume", cmd_resume, "thaw them"},
    {"events", cmd_events, "print a container's resource figures (--stats: once)"},
    {"update", cmd_update, "change a container's resource limits"},
    {"spec", cmd_spec, "write a default config.json"},
    {"features", cmd_features, "print what this runtime supports (JSON)"},
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: kata-runtime [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
	    "An OCI runtime (runc's command line) that runs each sandbox in a virtual machine.\n\n"
	    "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "  %-10s %s\n  %-10s %s\n  %-10s %s\n", "kata-check",
		"check this host (as kata-check)", "kata-env", "show the environment (as kata-env)",
		"version", "print the version");
	fprintf(f,
		"\nGlobal options:\n"
		"  --root DIR                    state directory (default " KC_DEFAULT_ROOT ")\n"
		"  --log FILE                    log file (default: standard error, errors only)\n"
		"  --log-format text|json        log format (default text)\n"
		"  --debug                       log everything\n"
		"  --kata-config PATH            configuration file (alias --config)\n"
		"  --kata-show-default-config-paths   print where the configuration is looked for\n"
		"  --systemd-cgroup, --rootless  accepted for compatibility\n"
		"  -v, --version, -h, --help\n");
}

static void print_version(void)
{
	printf("kata-runtime  : %s\n   commit   : %s\n   OCI specs: %s\n", kc_version, kc_commit,
	       OCI_VERSION);
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	struct cli_opt global[] = {
	    {"root", 0, true},
	    {"log", 0, true},
	    {"log-format", 0, true},
	    {"debug", 0, false},
	    {"kata-config", 0, true},
	    {"config", 0, true},
	    {"kata-show-default-config-paths", 0, false},
	    {"systemd-cgroup", 0, false},
	    {"rootless", 0, true},
	    {"criu", 0, true},
	    {"version", 'v', false},
	    {"help", 'h', false},
	    {NULL, 0, false},
	};
	struct kc_error err = {0};
	/* --rootless takes a value in runc (--rootless=auto); alone it is a bool */
	for (int i = 1; i < argc && argv[i][0] == '-'; i++)
		if (!strcmp(argv[i], "--rootless") || !strcmp(argv[i], "-rootless"))
			argv[i] = (char *)"--rootless=true";
	int pos = cli_parse(argc, argv, 1, global, &err);
	if (pos < 0) {
		fprintf(stderr, "kata-runtime: %s\n", err.msg);
		return 1;
	}
	if (cli_bool(global, "help")) {
		usage(stdout);
		return 0;
	}
	if (cli_bool(global, "version") || (pos < argc && !strcmp(argv[pos], "version"))) {
		print_version();
		return 0;
	}
	if (cli_bool(global, "kata-show-default-config-paths")) {
		for (size_t i = 0; config_default_paths[i]; i++)
			printf("%s\n", config_default_paths[i]);
		return 0;
	}
	if (pos >= argc) {
		usage(stderr);
		return 1;
	}
	const char *cmd = argv[pos];
	if (!strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "kata-check") || !strcmp(cmd, "check"))
		return kata_check_main(argc - pos, argv + pos);
	if (!strcmp(cmd, "kata-env") || !strcmp(cmd, "env"))
		return kata_env_main(argc - pos, argv + pos);

	struct rt rt = {
	    .root = cli_str(global, "root") ?: KC_DEFAULT_ROOT,
	    .log_path = cli_str(global, "log"),
	    .debug = cli_bool(global, "debug"),
	    .kata_config = cli_str(global, "kata-config") ?: cli_str(global, "config"),
	    .systemd_cgroup = cli_bool(global, "systemd-cgroup"),
	    .argv0 = argv[0],
	};
	const char *fmt = cli_str(global, "log-format");
	if (fmt && strcmp(fmt, "text") && strcmp(fmt, "json")) {
		fprintf(stderr, "kata-runtime: --log-format: '%s' is not text or json\n", fmt);
		return 1;
	}
	rt.log_json = fmt && !strcmp(fmt, "json");
	/* without a log file, standard error gets warnings and errors only */
	enum kc_log_level level = rt.debug ? KC_LOG_DEBUG : rt.log_path ? KC_LOG_INFO : KC_LOG_WARN;
	kc_log_init("kata-runtime", rt.log_path, rt.log_json, level);
	kc_log_field("command", cmd);

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, cmd))
			continue;
		int rc = commands[i].fn(&rt, argc - pos, argv + pos, &err);
		if (rc == 1 && err.set) {
			/* one line on stderr; the log file (containerd reads it) gets it too */
			if (!kc_log_to_stderr())
				kc_error_log("%s", err.msg);
			fprintf(stderr, "kata-runtime: %s\n", err.msg);
		}
		return rc;
	}
	/* once on stderr, as other errors are; the log file gets it too */
	if (!kc_log_to_stderr())
		kc_error_log("unknown command '%s'", cmd);
	fprintf(stderr, "kata-runtime: unknown command '%s'\nTry 'kata-runtime --help'.\n", cmd);
	return 1;
}
