/* state, kill, delete, pause, resume: a container's life after create. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_client.h"
#include "cli.h"
#include "log.h"
#include "network.h"
#include "oci.h"
#include "pod.h"
#include "commands.h"
#include "runtime.h"
#include "share.h"

int cmd_state(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt opts[] = {{NULL, 0, false}};
	const char *id = cli_one_id(argc, argv, cli_parse(argc, argv, 1, opts, err), "state", err);
	if (!id)
		return 1;
	struct ctr c;
	if (ctr_open(rt, id, &c, err) < 0)
		return 1;
	json_t *st = ctr_oci_state(&c);
	json_dumpf(st, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(st);
	ctr_close(&c);
	return 0;
}

int cmd_kill(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt opts[] = {
	    {"all", 'a', false, NULL, "signal every process of the container, not only its init"},
	    {"pid", 'p', true, "PID",
	     "signal this process of the container (its pid in the guest)"},
	    {NULL},
	};
	int pos = cli_parse(argc, argv, 1, opts, err);
	if (pos < 0)
		return 1;
	if (pos >= argc || argc - pos > 2) {
		kc_error_set(err, 0, "kill: expects the container id and optionally a signal");
		return 1;
	}
	const char *id = argv[pos];
	kc_log_field("container", id);
	const char *signame = pos + 1 < argc ? argv[pos + 1] : "SIGTERM";
	int sig = oci_signal_number(signame);
	if (sig < 0) {
		kc_error_set(err, 0, "kill: unknown signal \"%s\"", signame);
		return 1;
	}
	struct ctr c;
	if (ctr_open(rt, id, &c, err) < 0)
		return 1;
	int rc = 1;
	struct agent_client ac;
	bool all = cli_bool(opts, "all");
	/* runc: --all of a stopped container has nothing left to signal, and
	 * succeeds (containerd's shim sends it after every exit) */
	if (all && !strcmp(ctr_status(&c), "stopped")) {
		ctr_close(&c);
		return 0;
	}
	if (ctr_agent_running(&c, &ac, err) == 0) {
		json_t *r = agent_client_call(
		    &ac, "signal_process",
		    json_pack("{s:s, s:i, s:b}", "container_id", id, "signal", sig, "all", all),
		    10000, err);
		if (r)
			rc = 0;
		else if (!strcmp(ac.last_code, "state"))
			kc_error_set(err, 0, "container not running");
		json_decref(r);
		agent_client_close(&ac);
	}
	ctr_close(&c);
	return rc;
}

int cmd_delete(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt opts[] = {
	    {"force", 'f', false, NULL,
	     "delete from any state (SIGKILL), also what a crash left half made"},
	    {NULL},
	};
	const char *id = cli_one_id(argc, argv, cli_parse(argc, argv, 1, opts, err), "delete", err);
	if (!id)
		return 1;
	bool force = cli_bool(opts, "force");
	struct ctr c;
	if ((force ? ctr_open_for_teardown(rt, id, &c, err) : ctr_open(rt, id, &c, err)) < 0) {
		/* nothing there at all: runc's delete --force succeeds too */
		return force && kc_error_code(err) == ENOENT ? 0 : 1;
	}
	const char *status = ctr_status(&c);
	if (!force && (!strcmp(status, "running") || !strcmp(status, "paused"))) {
		kc_error_set(err, 0, "cannot delete container %s that is not stopped: %s", id,
			     status);
		ctr_close(&c);
		return 1;
	}
	ctr_destroy(rt, &c, force);
	ctr_close(&c);
	return 0;
}

static int pause_resume(struct rt *rt, int argc, char **argv, bool pause, struct kc_error *err)
{
	struct cli_opt opts[] = {{NULL, 0, false}};
	const char *id = cli_one_id(argc, argv, cli_parse(argc, argv, 1, opts, err),
				    pause ? "pause" : "resume", err);
	if (!id)
		return 1;
	return ctr_pause(rt, id, pause, err) < 0 ? 1 : 0;
}

int cmd_pause(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	return pause_resume(rt, argc, argv, true, err);
}

int cmd_resume(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	return pause_resume(rt, argc, argv, false, err);
}
