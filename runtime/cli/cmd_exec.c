/* exec: one more process in a running container, behind its own shim. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent_client.h"
#include "cli.h"
#include "crash.h"
#include "daemon.h"
#include "fs.h"
#include "log.h"
#include "oci.h"
#include "oci_default.h"
#include "commands.h"
#include "runtime.h"
#include "strbuf.h"
#include "strutil.h"
#include "timeouts.h"

/* The container's own process, as create recorded it (the bundle may have
 * changed or gone since), for an exec given only a command line. */
#define PROCESS_FILE_MAX (4u << 20)

static json_t *base_process(const json_t *state)
{
	json_t *p = json_object_get(state, "process");
	if (json_is_object(p))
		return json_deep_copy(p);
	json_t *spec = oci_default_spec();
	json_t *copy = json_deep_copy(json_object_get(spec, "process"));
	json_decref(spec);
	return copy;
}

static int build_process(struct cli_opt *opts, int argc, char **argv, int pos, const json_t *state,
			 json_t **out, struct kc_error *err)
{
	json_t *p;
	const char *file = cli_str(opts, "process");
	if (file) {
		p = read_json_file(file, PROCESS_FILE_MAX, err);
		if (!p)
			return kc_error_wrap(err, "exec: --process");
	} else {
		if (pos + 1 >= argc)
			return kc_error_set(err, 0,
					    "exec: give --process FILE or the command to run");
		p = base_process(state);
		json_t *args = json_array();
		for (int i = pos + 1; i < argc; i++)
			json_array_append_new(args, json_string(argv[i]));
		json_object_set_new(p, "args", args);
		json_object_set_new(p, "terminal", json_boolean(cli_bool(opts, "tty")));
		json_object_del(p, "consoleSize");
	}
	struct cli_opt *env = cli_get(opts, "env");
	if (env->nvalues) {
		json_t *e = json_object_get(p, "env");
		if (!json_is_array(e))
			json_object_set_new(p, "env", e = json_array());
		for (int i = 0; i < env->nvalues; i++)
			json_array_append_new(e, json_string(env->values[i]));
	}
	if (cli_str(opts, "cwd"))
		json_object_set_new(p, "cwd", json_string(cli_str(opts, "cwd")));
	if (cli_bool(opts, "tty"))
		json_object_set_new(p, "terminal", json_true());
	if (cli_bool(opts, "no-new-privs"))
		json_object_set_new(p, "noNewPrivileges", json_true());
	const char *user = cli_str(opts, "user");
	if (user) {
		unsigned uid, gid = 0;
		const char *colon = strchr(user, ':');
		char ubuf[32];
		snprintf(ubuf, sizeof(ubuf), "%.*s",
			 colon ? (int)(colon - user) : (int)strlen(user), user);
		if (parse_uint(ubuf, 10, &uid) < 0 ||
		    (colon && parse_uint(colon + 1, 10, &gid) < 0)) {
			json_decref(p);
			return kc_error_set(
			    err, 0, "exec: --user '%s': expected UID[:GID] as numbers", user);
		}
		json_t *u = json_object_get(p, "user");
		if (!json_is_object(u))
			json_object_set_new(p, "user", u = json_object());
		json_object_set_new(u, "uid", json_integer(uid));
		if (colon)
			json_object_set_new(u, "gid", json_integer(gid));
	}
	struct cli_opt *gids = cli_get(opts, "additional-gids");
	for (int i = 0; i < gids->nvalues; i++) {
		unsigned gid;
		if (parse_uint(gids->values[i], 10, &gid) < 0) {
			json_decref(p);
			return kc_error_set(err, 0, "exec: --additional-gids '%s': not a number",
					    gids->values[i]);
		}
		json_t *u = json_object_get(p, "user");
		if (!json_is_object(u))
			json_object_set_new(p, "user", u = json_object());
		json_t *l = json_object_get(u, "additionalGids");
		if (!json_is_array(l))
			json_object_set_new(u, "additionalGids", l = json_array());
		json_array_append_new(l, json_integer(gid));
	}
	struct cli_opt *caps = cli_get(opts, "cap");
	for (int i = 0; i < caps->nvalues; i++) {
		json_t *c = json_object_get(p, "capabilities");
		if (!json_is_object(c))
			json_object_set_new(p, "capabilities", c = json_object());
		static const char *const sets[] = {"bounding", "effective", "permitted", "ambient"};
		for (size_t k = 0; k < 4; k++) {
			json_t *l = json_object_get(c, sets[k]);
			if (!json_is_array(l))
				json_object_set_new(c, sets[k], l = json_array());
			json_array_append_new(l, json_string(caps->values[i]));
		}
	}
	struct oci_process check;
	if (oci_process_parse(p, &check, err) < 0) {
		json_decref(p);
		return kc_error_wrap(err, "exec: %s", file ? file : "the process");
	}
	oci_process_free(&check);
	*out = p;
	return 0;
}

/* Only live execs are kept (a liveness probe execs every few seconds for
 * the container's life): the state stays small. */
static void record_exec(struct ctr *c, const char *exec_id, pid_t shim)
{
	json_t *execs = json_array();
	size_t i;
	json_t *e;
	json_array_foreach (json_object_get(c->state, "execs"), i, e) {
		pid_t epid = (pid_t)json_integer_value(json_object_get(e, "pid"));
		if (process_alive(epid,
				  (uint64_t)json_integer_value(json_object_get(e, "pid_start"))))
			json_array_append(execs, e);
	}
	json_array_append_new(execs, json_pack("{s:s, s:i, s:I}", "exec_id", exec_id, "pid", shim,
					       "pid_start", (json_int_t)process_start_time(shim)));
	json_object_set_new(c->state, "execs", execs);
}

/* The process in the guest, its shim on the host: the shim's pid. */
static pid_t start_exec(struct rt *rt, struct ctr *c, const json_t *process, const char *console,
			struct kc_error *err)
{
	bool terminal = json_is_true(json_object_get(process, "terminal"));
	/* the shim create used (the configuration may have changed since) */
	const char *shim_path = json_string_value(json_object_get(c->state, "shim_path"));
	if (!shim_path)
		return kc_error_set(
		    err, 0,
		    "container %s has no shim path in its state (created by an older "
		    "kata-runtime?)",
		    c->sd.id);
	char exec_id[64];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(exec_id, sizeof(exec_id), "exec-%lx%05lx-%d", (long)ts.tv_sec, ts.tv_nsec / 10000,
		 getpid());
	struct agent_client ac;
	if (ctr_agent(c, &ac, err) < 0)
		return -1;
	json_t *r = agent_client_call(&ac, "exec_process",
				      json_pack("{s:s, s:s, s:O}", "container_id", c->sd.id,
						"exec_id", exec_id, "process", process),
				      AGENT_CALL_MS, err);
	agent_client_close(&ac);
	if (!r)
		return -1;
	uint32_t stream = (uint32_t)json_integer_value(json_object_get(r, "stream"));
	json_decref(r);
	crash_point("exec:started");
	pid_t shim = ctr_spawn_shim(rt, c, shim_path, exec_id, stream, terminal, console, err);
	if (shim < 0)
		return -1;
	record_exec(c, exec_id, shim);
	crash_point("exec:shim");
	if (ctr_save(c, err) < 0)
		return -1;
	crash_point("exec:recorded");
	return shim;
}

/* runc's rules for a terminal and a console socket. */
static int check_terminal(const json_t *process, bool detach, const char *console,
			  struct kc_error *err)
{
	bool terminal = json_is_true(json_object_get(process, "terminal"));
	if (terminal && detach && !console)
		return kc_error_set(
		    err, 0,
		    "cannot allocate tty if runc will detach without setting console socket");
	if (!terminal && console)
		return kc_error_set(
		    err, 0, "cannot use console socket if runc will not detach or allocate tty");
	return 0;
}

/* In the foreground: the process's status is ours. */
static int wait_shim(pid_t shim)
{
	int st;
	while (waitpid(shim, &st, 0) < 0)
		if (errno != EINTR)
			return 255;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int cmd_exec(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt opts[] = {
	    {"console-socket", 0, true, "SOCK",
	     "AF_UNIX socket that receives the master of the process's terminal"},
	    {"cwd", 0, true, "DIR", "working directory in the container"},
	    {"env", 'e', true, "K=V", "add an environment variable (repeatable)"},
	    {"tty", 't', false, NULL, "give the process a terminal"},
	    {"user", 'u', true, "UID[:GID]", "run as this user"},
	    {"additional-gids", 'g', true, "GID", "add a supplementary group (repeatable)"},
	    {"process", 'p', true, "FILE", "the process as an OCI process.json"},
	    {"detach", 'd', false, NULL, "do not wait for the process"},
	    {"pid-file", 0, true, "FILE", "write the process's pid (its kata-shim's) here"},
	    {"process-label", 0, true, "LABEL", "the guest has no SELinux; the VM is the boundary",
	     CLI_IGNORED},
	    {"apparmor", 0, true, "PROFILE", "the guest has no AppArmor; the VM is the boundary",
	     CLI_IGNORED},
	    {"no-new-privs", 0, false, NULL, "set no_new_privileges for the process"},
	    {"cap", 'c', true, "CAP", "add a capability (repeatable)"},
	    {"preserve-fds", 0, true, "N", "file descriptors cannot cross into a VM (0: none)",
	     CLI_IGNORED, "0"},
	    {"cgroup", 0, true, "[CTRL:]PATH",
	     "the container's cgroup is in the VM; the process always joins it", CLI_REFUSED},
	    {"ignore-paused", 0, false, NULL,
	     "a process started in a frozen container freezes before it runs: resume it first",
	     CLI_REFUSED},
	    {NULL},
	};
	int pos = cli_parse(argc, argv, 1, opts, err);
	if (pos < 0)
		return 1;
	if (pos >= argc) {
		kc_error_set(err, 0, "exec: expects the container id");
		return 1;
	}
	const char *id = argv[pos];
	kc_log_field("container", id);
	bool detach = cli_bool(opts, "detach");
	const char *console = cli_str(opts, "console-socket");
	const char *pid_file = cli_str(opts, "pid-file");

	struct ctr c;
	if (ctr_open(rt, id, &c, err) < 0)
		return 1;
	json_t *process = NULL;
	pid_t shim = -1;
	const char *status = ctr_status(&c);
	/* a process started in a frozen container would freeze before exec */
	if (strcmp(status, "running"))
		kc_error_set(err, 0, "cannot exec in a %s container", status);
	else if (build_process(opts, argc, argv, pos, c.state, &process, err) == 0 &&
		 check_terminal(process, detach, console, err) == 0) {
		if (!console && !detach)
			ctr_console_size_from_stdin(process);
		shim = start_exec(rt, &c, process, console, err);
	}
	int rc = shim > 0 && (!pid_file || write_pid_file(pid_file, shim, err) == 0) ? 0 : 1;
	json_decref(process);
	ctr_close(&c);
	return rc || detach ? rc : wait_shim(shim);
}
