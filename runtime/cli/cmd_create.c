/* create, start and run: the command lines, and start (create's steps are
 * in create.c). */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_client.h"
#include "bundle.h"
#include "cli.h"
#include "create.h"
#include "crash.h"
#include "daemon.h"
#include "hooks.h"
#include "log.h"
#include "network.h"
#include "stages.h"
#include "pod.h"
#include "qemu.h"
#include "rtconfig.h"
#include "commands.h"
#include "runtime.h"
#include "share.h"
#include "strbuf.h"
#include "timeouts.h"

#define CREATE_OPTS                                                                                \
	{"bundle", 'b', true, "DIR", "the bundle's directory (default: the current one)"},         \
	    {"console-socket", 0, true, "SOCK",                                                    \
	     "AF_UNIX socket that receives the master of the container's terminal"},               \
	    {"pid-file", 0, true, "FILE", "write the container's pid (its kata-shim's) here"},     \
	    {"no-pivot",                                                                           \
	     0,                                                                                    \
	     false,                                                                                \
	     NULL,                                                                                 \
	     "the guest's container root is never on a ramdisk; pivot_root is always used",        \
	     CLI_IGNORED},                                                                         \
	    {"no-new-keyring",                                                                     \
	     0,                                                                                    \
	     false,                                                                                \
	     NULL,                                                                                 \
	     "the container is in a VM: it cannot share the caller's session keyring",             \
	     CLI_IGNORED},                                                                         \
	{                                                                                          \
		"preserve-fds", 0, true, "N", "file descriptors cannot cross into a VM (0: none)", \
		    CLI_IGNORED, "0"                                                               \
	}

static struct cli_opt create_opts[] = {CREATE_OPTS, {NULL}};
static struct cli_opt run_opts[] = {
    CREATE_OPTS,
    {"detach", 'd', false, NULL, "do not wait for the container's process"},
    {"keep", 0, false, NULL, "do not delete the container after it exits"},
    {"no-subreaper", 0, false, NULL,
     "the container's processes are in the VM: none is ever reparented to kata-runtime", CLI_MOOT},
    {NULL},
};

static int parse_create(int argc, char **argv, struct cli_opt *opts, struct create_args *a,
			struct kc_error *err)
{
	int pos = cli_parse(argc, argv, 1, opts, err);
	if (pos < 0)
		return -1;
	if (pos != argc - 1)
		return kc_error_set(err, 0, "%s: expects exactly one argument, the container id",
				    argv[0]);
	memset(a, 0, sizeof(*a));
	a->id = argv[pos];
	a->bundle = cli_str(opts, "bundle") ?: ".";
	a->console_socket = cli_str(opts, "console-socket");
	a->pid_file = cli_str(opts, "pid-file");
	return 0;
}

/* KATA_RUNTIME_TIMING (kata-runtime(8)): the stages of what this command
 * did, one line on standard error, for make bench. */
static void print_timing(void)
{
	if (!getenv("KATA_RUNTIME_TIMING"))
		return;
	_cleanup_strbuf_ struct strbuf line = STRBUF_INIT;
	stages_format(&line);
	fprintf(stderr, "timing: %s\n", strbuf_str(&line));
}

int cmd_create(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct create_args a;
	if (parse_create(argc, argv, create_opts, &a, err) < 0)
		return 1;
	kc_log_field("container", a.id);
	struct create_result res;
	if (create_container(rt, &a, &res, err) < 0)
		return 1;
	print_timing();
	return 0;
}

int cmd_start(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt opts[] = {{NULL, 0, false}};
	const char *id = cli_one_id(argc, argv, cli_parse(argc, argv, 1, opts, err), "start", err);
	if (!id)
		return 1;
	return ctr_start(rt, id, err) < 0 ? 1 : 0;
}

int cmd_run(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct create_args a;
	if (parse_create(argc, argv, run_opts, &a, err) < 0)
		return 1;
	kc_log_field("container", a.id);
	bool detach = cli_bool(run_opts, "detach"), keep = cli_bool(run_opts, "keep");
	a.foreground = !detach;
	/* while we wait, signals are the container's: the shim forwards them */
	sigset_t mask, old;
	sigemptyset(&mask);
	int fwd[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaddset(&mask, fwd[i]);
	if (!detach)
		sigprocmask(SIG_BLOCK, &mask, &old);
	struct create_result res;
	if (create_container(rt, &a, &res, err) < 0)
		return 1;
	pid_t shim = res.shim;
	struct stage_clock clock;
	stages_begin(&clock);
	int started = ctr_start(rt, a.id, err);
	stages_end(&clock, "start");
	if (started < 0) {
		struct ctr c;
		if (ctr_open(rt, a.id, &c, err) == 0) {
			ctr_destroy(rt, &c, true);
			ctr_close(&c);
		}
		return 1;
	}
	print_timing();
	if (detach)
		return 0;
	int status = 0;
	for (;;) {
		struct timespec ts = {0, 100 * 1000000L};
		siginfo_t si;
		int sig = sigtimedwait(&mask, &si, &ts);
		if (sig > 0)
			kill(shim, sig);
		int st;
		pid_t r = waitpid(shim, &st, WNOHANG);
		if (r == shim) {
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
		if (r < 0 && errno != EINTR) {
			status = 255;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!keep) {
		struct ctr c;
		if (ctr_open(rt, a.id, &c, err) == 0) {
			ctr_destroy(rt, &c, true);
			ctr_close(&c);
		}
	}
	return status;
}
