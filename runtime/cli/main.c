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
#include "factory.h"
#include "log.h"
#include "commands.h"
#include "runtime.h"
#include "version.h"

#define ID "<container-id>"

static const struct command {
	int (*fn)(struct rt *rt, int argc, char **argv, struct kc_error *err);
	const char *help;
	struct cli_usage usage;
} commands[] = {
    {cmd_create,
     "create a container (boots its VM)",
     {"create", ID,
      "Create a container from the bundle: boot its VM (or join its pod's), make the\n"
      "container in the guest, start its kata-shim, run the prestart and createRuntime\n"
      "hooks. Its process waits for `start`."}},
    {cmd_start,
     "start the process of a created container",
     {"start", ID, "Start the process of a created container, then run the poststart hooks."}},
    {cmd_run,
     "create and start a container; wait for it unless --detach",
     {"run", ID,
      "Create and start a container. Without --detach, wait for its process, exit with\n"
      "its status and delete the container (unless --keep)."}},
    {cmd_state,
     "print the OCI state of a container",
     {"state", ID, "Print the container's OCI state as JSON."}},
    {cmd_kill,
     "send a signal to the container's process (--all: to all of them)",
     {"kill", ID " [SIGNAL]",
      "Send SIGNAL (a name with or without SIG, or a number; default SIGTERM) to the\n"
      "container's process, through the agent in its VM."}},
    {cmd_delete,
     "remove a stopped container (--force: any container)",
     {"delete", ID,
      "Remove a created or stopped container and all it holds on the host; with the\n"
      "pod's last container, its VM."}},
    {cmd_exec,
     "run one more process in a running container",
     {"exec", ID " <command> [args...]",
      "Run one more process in a running container, behind a kata-shim of its own.\n"
      "Give the command, or --process FILE. In the foreground, exit with its status."}},
    {cmd_ps,
     "list the processes of a container",
     {"ps", ID, "List the container's processes (their pids in the guest)."}},
    {cmd_list, "list containers", {"list", NULL, "List the containers under --root."}},
    {cmd_pause,
     "freeze a container's processes",
     {"pause", ID, "Freeze the container's processes (its cgroup in the guest)."}},
    {cmd_resume, "thaw them", {"resume", ID, "Thaw a paused container's processes."}},
    {cmd_events,
     "print a container's resource figures (--stats: once)",
     {"events", ID,
      "Print the container's CPU, memory and pids figures as runc's stats events, from\n"
      "its cgroup in the guest: every interval until it stops, or once with --stats."}},
    {cmd_update,
     "change a container's resource limits",
     {"update", ID,
      "Change the container's limits: its cgroup in the guest first, then its pod's\n"
      "cgroup on the host. CPU and memory node numbers are the VM's."}},
    {cmd_spec,
     "write a default config.json",
     {"spec", NULL, "Write a default OCI config.json into the bundle directory."}},
    {cmd_features,
     "print what this runtime supports (JSON)",
     {"features", NULL, "Print what this runtime supports, in runc's features format."}},
    {cmd_kata_network,
     "Kata 1's network hot-plug: add-iface, del-iface, list-ifaces, update-routes, list-routes",
     {"kata-network",
      "add-iface|del-iface|update-routes <sandbox-id> FILE|-\n"
      "       kata-runtime kata-network list-ifaces|list-routes <sandbox-id>",
      "Connect one more interface of the pod's network namespace to its VM (add-iface:\n"
      "a tap and tc filters, a NIC hot-plugged into QEMU, configured in the guest), or\n"
      "remove one (del-iface); list the guest's interfaces and routes, or replace its\n"
      "routes. Interfaces and routes are JSON in Kata 1's forms (see kata-runtime(8))."}},
    {cmd_kata_overhead,
     "what a sandbox costs beyond its containers (CPU over 1 s, memory)",
     {"kata-overhead", ID " [" ID "...]",
      "Kata 1's command: the CPU time of the VM's processes on the host (QEMU,\n"
      "virtiofsd, kata-proxy) minus that of the pod's containers in the guest, over one\n"
      "second, and their resident memory minus the containers' memory. Any container\n"
      "of the pod names it."}},
    {cmd_factory,
     "Kata 1's VM factory: the VM template and the VM cache",
     {"factory", "init|status|destroy",
      "init builds the VM template for the configuration ([factory] enable_template):\n"
      "a VM booted to a ready agent, paused, its device state saved beside its memory\n"
      "file; VMs then start from it instead of booting. With vm_cache_number, init also\n"
      "starts the VM cache, a daemon keeping that many VMs booted for creates to take\n"
      "(\"auto\": sized from the host; in the background; --foreground: serve until\n"
      "SIGTERM, as the kata-vmcache service runs it). status shows the\n"
      "templates and the cache (--json: as JSON); destroy stops the cache and removes\n"
      "everything, and what a crash left (see kata-runtime(8), VM FACTORY)."}},
    {cmd_checkpoint,
     "not supported: a VM's containers cannot be checkpointed by CRIU",
     {"checkpoint", ID,
      "Not supported: the container's processes run in a VM, where CRIU on the host\n"
      "cannot reach them. Always fails, with status 1."}},
    {cmd_restore,
     "not supported: see checkpoint",
     {"restore", ID,
      "Not supported: there is no checkpoint to restore (see checkpoint). Always fails,\n"
      "with status 1."}},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static struct cli_opt global[] = {
    {"root", 0, true, "DIR", "state directory (default " KC_DEFAULT_ROOT ")"},
    {"log", 0, true, "FILE", "log file (default: standard error, warnings and errors only)"},
    {"log-format", 0, true, "text|json", "log format (default text)"},
    {"debug", 0, false, NULL, "log everything"},
    {"kata-config", 0, true, "PATH", "configuration file (see configuration.toml(5))"},
    {"config", 0, true, "PATH", "the same as --kata-config"},
    {"kata-show-default-config-paths", 0, false, NULL,
     "print where the configuration is looked for, and exit"},
    {"systemd-cgroup", 0, false, NULL,
     "linux.cgroupsPath is systemd's slice:prefix:name (made as cgroupfs directories)"},
    {"rootless", 0, true, "true|false|auto",
     "kata-runtime runs as root: nothing is rootless, whatever the value", CLI_MOOT},
    {"criu", 0, true, "PATH", "unused: checkpoint and restore are not supported", CLI_MOOT},
    {"version", 'v', false, NULL, "print the version"},
    {"help", 'h', false, NULL, "show this help; COMMAND --help shows a command's"},
    {NULL},
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: kata-runtime [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
	    "An OCI runtime (runc's command line) that runs each sandbox in a virtual machine.\n\n"
	    "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-14s %s\n", commands[i].usage.name, commands[i].help);
	fprintf(f, "  %-14s %s\n  %-14s %s\n  %-14s %s\n  %-14s %s\n", "kata-check",
		"check this host (as kata-check)", "kata-env", "show the environment (as kata-env)",
		"version", "print the version", "help", "this list, or a command's help");
	fprintf(f, "\nGlobal options:\n");
	for (const struct cli_opt *o = global; o->name; o++) {
		char col[64];
		snprintf(col, sizeof(col), "--%s%s%s%s", o->name, o->arg ? " " : "", o->arg ?: "",
			 o->short_name == 'v'	? ", -v"
			 : o->short_name == 'h' ? ", -h"
						: "");
		fprintf(f, "  %-33s %s\n", col, o->help);
	}
}

static void print_version(void)
{
	kc_print_version("kata-runtime", "spec: " OCI_VERSION);
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	_cleanup_error_ struct kc_error err = {0};
	/* --rootless takes a value in runc (--rootless=auto); alone it is a bool */
	for (int i = 1; i < argc && argv[i][0] == '-'; i++)
		if (!strcmp(argv[i], "--rootless") || !strcmp(argv[i], "-rootless"))
			argv[i] = (char *)"--rootless=true";
	int pos = cli_parse(argc, argv, 1, global, &err);
	if (pos < 0) {
		fprintf(stderr, "kata-runtime: %s\n", kc_error_msg(&err));
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
	if (!strcmp(cmd, "help") || !strcmp(cmd, "h")) {
		if (pos + 1 >= argc) {
			usage(stdout);
			return 0;
		}
		/* `help CMD` is `CMD --help`; help and version are this list's */
		if (!strcmp(argv[pos + 1], "help") || !strcmp(argv[pos + 1], "version")) {
			usage(stdout);
			return 0;
		}
		static char help_flag[] = "--help";
		cmd = argv[pos] = argv[pos + 1];
		argv[pos + 1] = help_flag;
		argc = pos + 2;
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
	    .prebuilt_vm = factory_prebuilt_vm,
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

	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].usage.name, cmd))
			continue;
		cli_set_usage(&commands[i].usage);
		int rc = commands[i].fn(&rt, argc - pos, argv + pos, &err);
		if (rc == 1 && err.set) {
			/* one line on stderr; the log file (containerd reads it) gets it too */
			if (!kc_log_to_stderr())
				kc_error_log("%s", kc_error_msg(&err));
			fprintf(stderr, "kata-runtime: %s\n", kc_error_msg(&err));
		}
		return rc;
	}
	/* once on stderr, as other errors are; the log file gets it too */
	if (!kc_log_to_stderr())
		kc_error_log("unknown command '%s'", cmd);
	fprintf(stderr, "kata-runtime: unknown command '%s'\nTry 'kata-runtime --help'.\n", cmd);
	return 1;
}
