/* agentctl: talk to a kata-agent directly, for tests and debugging.
 *
 *   agentctl -s SOCKET [-t SECONDS] COMMAND ...
 *     hello                       handshake, print the agent's HELLO
 *     call OP [JSON]              one request, print the response
 *     create ID [OPTIONS] -- ARGS create a container (a runc-style spec)
 *     start ID                    start it
 *     attach ID [EXEC_ID]         stdio of a process until it exits; exit with its status
 *     run ID [OPTIONS] -- ARGS    create, start, attach, remove
 *     exec ID EXEC_ID [OPTIONS] -- ARGS   exec and attach
 *     raw [-n]                    send stdin's bytes as they are (after the
 *                                 handshake), print what comes back for a
 *                                 second as JSON lines, then ping (not with -n)
 *   -T prints timings (ms since agentctl started) on stderr: connected,
 *   handshake, first output byte, exit.
 *   OPTIONS: --rootfs REL (default ID/rootfs)  --tty  --cwd DIR  --env K=V
 *            --share TAG (create the sandbox first, sharing TAG by 9p)
 *            --user UID[:GID]  --hostname NAME  --spec FILE (a config.json)
 *            --rows N --cols N
 *
 * Exit status: the process's for attach/run/exec; 0 or 1 otherwise; 2 for
 * bad usage. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent_client.h"
#include "strbuf.h"
#include "oci_default.h"
#include "stdio_pump.h"

static const char *sock;
static int timeout_ms = 30000;
static bool timing;
static double t_start;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void mark(const char *what)
{
	if (timing)
		fprintf(stderr, "timing: %s %.1f ms\n", what, now_ms() - t_start);
}

static int usage(void)
{
	fprintf(
	    stderr,
	    "usage: agentctl -s SOCKET [-t SECONDS] hello|call|create|start|attach|run|exec ...\n");
	return 2;
}

static int fail(struct kc_error *err)
{
	fprintf(stderr, "agentctl: %s\n", kc_error_msg(err));
	return 1;
}

static int connect_agent(struct agent_client *c, struct kc_error *err)
{
	if (agent_client_connect(c, sock, timeout_ms, err) < 0)
		return -1;
	mark("connected");
	if (agent_client_hello(c, "agentctl", timeout_ms, err) < 0)
		return -1;
	mark("handshake");
	json_t *boot = json_object_get(c->hello, "boot");
	if (timing && boot)
		fprintf(stderr,
			"timing: agent-start %.1f ms (modules %.1f ms, guest uptime at ready %.1f "
			"ms)\n",
			json_real_value(json_object_get(boot, "ready_ms")) -
			    json_real_value(json_object_get(boot, "init_ms")) -
			    json_real_value(json_object_get(boot, "modules_ms")),
			json_real_value(json_object_get(boot, "modules_ms")),
			json_real_value(json_object_get(boot, "ready_ms")));
	return 0;
}

struct proc_opts {
	const char *rootfs, *cwd, *hostname, *spec_file, *share;
	json_t *env;
	bool tty, user_set;
	unsigned uid, gid;
	int rows, cols;
};

/* Options, then "--" and the process's arguments. */
static int parse_proc_opts(int argc, char **argv, struct proc_opts *o, json_t **args)
{
	static const struct option longopts[] = {
	    {"rootfs", required_argument, NULL, 'r'},
	    {"tty", no_argument, NULL, 't'},
	    {"cwd", required_argument, NULL, 'c'},
	    {"env", required_argument, NULL, 'e'},
	    {"user", required_argument, NULL, 'u'},
	    {"hostname", required_argument, NULL, 'h'},
	    {"spec", required_argument, NULL, 'S'},
	    {"rows", required_argument, NULL, 'R'},
	    {"cols", required_argument, NULL, 'C'},
	    {"share", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof(*o));
	o->env = json_array();
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': o->rootfs = optarg; break;
		case 's': o->share = optarg; break;
		case 't': o->tty = true; break;
		case 'c': o->cwd = optarg; break;
		case 'e': json_array_append_new(o->env, json_string(optarg)); break;
		case 'h': o->hostname = optarg; break;
		case 'S': o->spec_file = optarg; break;
		case 'R': o->rows = atoi(optarg); break;
		case 'C': o->cols = atoi(optarg); break;
		case 'u':
			o->user_set = true;
			if (sscanf(optarg, "%u:%u", &o->uid, &o->gid) < 1)
				return -1;
			break;
		default: return -1;
		}
	}
	*args = json_array();
	for (int i = optind; i < argc; i++)
		json_array_append_new(*args, json_string(argv[i]));
	return 0;
}

static json_t *make_process(json_t *base, struct proc_opts *o, json_t *args)
{
	json_t *p;
	if (base) {
		p = json_deep_copy(base);
	} else {
		json_t *spec = oci_default_spec();
		p = json_incref(json_object_get(spec, "process"));
		json_decref(spec);
	}
	if (json_array_size(args))
		json_object_set(p, "args", args);
	json_object_set_new(p, "terminal", json_boolean(o->tty));
	if (o->cwd)
		json_object_set_new(p, "cwd", json_string(o->cwd));
	if (!json_object_get(p, "env"))
		json_object_set_new(p, "env", json_array());
	json_array_extend(json_object_get(p, "env"), o->env);
	if (o->user_set)
		json_object_set_new(p, "user",
				    json_pack("{s:i, s:i}", "uid", o->uid, "gid", o->gid));
	if (o->rows && o->cols)
		json_object_set_new(p, "consoleSize",
				    json_pack("{s:i, s:i}", "height", o->rows, "width", o->cols));
	return p;
}

static json_t *make_spec(struct proc_opts *o, json_t *args, struct kc_error *err)
{
	json_t *spec;
	if (o->spec_file) {
		json_error_t je;
		spec = json_load_file(o->spec_file, 0, &je);
		if (!spec) {
			kc_error_set(err, 0, "%s:%d: %s", o->spec_file, je.line, je.text);
			return NULL;
		}
	} else {
		spec = oci_default_spec();
		json_object_set_new(json_object_get(spec, "root"), "readonly", json_false());
	}
	json_t *p = make_process(json_object_get(spec, "process"), o, args);
	json_object_set_new(spec, "process", p);
	if (o->hostname)
		json_object_set_new(spec, "hostname", json_string(o->hostname));
	return spec;
}

/* create_container; returns the init's stream, or -1. */
static long do_create(struct agent_client *c, const char *id, struct proc_opts *o, json_t *args,
		      bool *tty, struct kc_error *err)
{
	json_t *spec = make_spec(o, args, err);
	if (!spec)
		return -1;
	if (o->share) {
		json_t *r = agent_client_call(
		    c, "create_sandbox",
		    json_pack("{s:{s:s, s:s}}", "share", "type", "virtio-9p", "tag", o->share),
		    timeout_ms, err);
		if (!r) {
			json_decref(spec);
			return -1;
		}
		json_decref(r);
		mark("sandbox");
	}
	char rootfs[512];
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", id);
	*tty = json_is_true(json_object_get(json_object_get(spec, "process"), "terminal"));
	json_t *r = agent_client_call(c, "create_container",
				      json_pack("{s:s, s:s, s:o}", "container_id", id, "rootfs",
						o->rootfs ? o->rootfs : rootfs, "spec", spec),
				      timeout_ms, err);
	if (!r)
		return -1;
	long stream = (long)json_integer_value(json_object_get(r, "stream"));
	json_decref(r);
	return stream;
}

/* The stream and terminal of a container's init or exec, from the agent's list. */
static long find_stream(struct agent_client *c, const char *id, const char *exec_id, bool *tty,
			struct kc_error *err)
{
	json_t *r = agent_client_call(c, "list_containers", NULL, timeout_ms, err);
	if (!r)
		return -1;
	long stream = -1;
	size_t i, k;
	json_t *ct, *p;
	json_array_foreach (json_object_get(r, "containers"), i, ct) {
		if (strcmp(json_string_value(json_object_get(ct, "id")), id))
			continue;
		json_t *found = NULL;
		if (!exec_id)
			found = json_object_get(ct, "init");
		else
			json_array_foreach (json_object_get(ct, "execs"), k, p)
				if (!strcmp(json_string_value(json_object_get(p, "exec_id")),
					    exec_id))
					found = p;
		if (found) {
			stream = (long)json_integer_value(json_object_get(found, "stream"));
			*tty = json_is_true(json_object_get(found, "terminal"));
		}
	}
	json_decref(r);
	if (stream < 0)
		kc_error_set(err, 0, "no process %s%s%s", id, exec_id ? "/" : "",
			     exec_id ? exec_id : "");
	return stream;
}

static void first_output(struct stdio_pump *p)
{
	(void)p;
	mark("first-output");
}

static int pump(struct agent_client *c, const char *id, const char *exec_id, long stream, bool tty,
		struct kc_error *err)
{
	struct stdio_pump p;
	stdio_pump_init(&p, c, id, exec_id, (uint32_t)stream, tty);
	p.in_fd = STDIN_FILENO;
	p.out_fd = STDOUT_FILENO;
	p.err_fd = STDERR_FILENO;
	p.on_first_output = first_output;
	if (stdio_pump_run(&p, err) < 0)
		return -1;
	mark("exit");
	return p.exit_status;
}

/* Bytes from stdin as they are; what comes back, as JSON lines. */
static int raw(struct agent_client *c, bool ping, struct kc_error *err)
{
	struct strbuf in = STRBUF_INIT;
	char buf[65536];
	ssize_t n;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		strbuf_append_len(&in, buf, (size_t)n);
	if (in.len && agent_client_send(c, in.s, in.len, err) < 0)
		return -1;
	strbuf_release(&in);
	for (;;) {
		struct frame f;
		int rc = agent_client_next_frame(c, &f, 1000, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		json_t *o = json_pack("{s:s, s:i, s:i, s:s%}", "type", frame_type_name(f.type),
				      "stream", f.stream, "flags", f.flags, "payload",
				      (const char *)f.payload, (size_t)f.len);
		char *s = json_dumps(o, JSON_COMPACT);
		puts(s ? s : "{}");
		free(s);
		json_decref(o);
		frame_free(&f);
	}
	if (!ping)
		return 0;
	json_t *r = agent_client_call(c, "ping", NULL, timeout_ms, err);
	if (!r)
		return -1;
	puts("ping: ok");
	json_decref(r);
	return 0;
}

static json_t *id_arg(const char *key, const char *id)
{
	return json_pack("{s:s}", key, id);
}

/* call OP [JSON]: one request, its answer printed as JSON. */
static int cmd_call(struct agent_client *c, int argc, char **argv)
{
	_cleanup_error_ struct kc_error err = {0};
	json_t *args = NULL;
	if (argc > 2) {
		json_error_t je;
		args = json_loads(argv[2], 0, &je);
		if (!json_is_object(args)) {
			fprintf(stderr, "agentctl: the request's JSON: %s\n",
				args ? "not an object" : je.text);
			json_decref(args);
			return 2;
		}
	}
	json_t *r = agent_client_call(c, argv[1], args, timeout_ms, &err);
	if (!r) {
		fprintf(stderr, "agentctl: %s (%s)\n", kc_error_msg(&err), c->last_code);
		return 1;
	}
	char *s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
	puts(s);
	free(s);
	json_decref(r);
	return 0;
}

/* create ID ... and run ID ...: run also starts it, pumps its stdio and
 * removes it. */
static int cmd_create(struct agent_client *c, int argc, char **argv, bool run)
{
	_cleanup_error_ struct kc_error err = {0};
	const char *id = argv[1];
	struct proc_opts o;
	json_t *args, *r;
	bool tty = false;
	if (parse_proc_opts(argc - 1, argv + 1, &o, &args) < 0)
		return usage();
	long stream = do_create(c, id, &o, args, &tty, &err);
	json_decref(o.env);
	json_decref(args);
	if (stream < 0)
		return fail(&err);
	if (!run)
		return 0;
	if (!(r = agent_client_call(c, "start_container", id_arg("container_id", id), timeout_ms,
				    &err))) {
		fprintf(stderr, "agentctl: %s\n", kc_error_msg(&err));
		json_decref(agent_client_call(c, "remove_container", id_arg("container_id", id),
					      timeout_ms, &err));
		return 1;
	}
	json_decref(r);
	int rc = pump(c, id, NULL, stream, tty, &err);
	if (rc < 0)
		return fail(&err);
	json_decref(
	    agent_client_call(c, "remove_container", id_arg("container_id", id), timeout_ms, &err));
	return rc;
}

static int cmd_start(struct agent_client *c, char **argv)
{
	_cleanup_error_ struct kc_error err = {0};
	json_t *r = agent_client_call(c, "start_container", id_arg("container_id", argv[1]),
				      timeout_ms, &err);
	if (!r)
		return fail(&err);
	json_decref(r);
	return 0;
}

/* attach ID [EXEC]: the stdio of a process that is already there. */
static int cmd_attach(struct agent_client *c, int argc, char **argv)
{
	_cleanup_error_ struct kc_error err = {0};
	const char *exec_id = argc > 2 ? argv[2] : NULL;
	bool tty = false;
	long stream = find_stream(c, argv[1], exec_id, &tty, &err);
	if (stream < 0)
		return fail(&err);
	/* through kata-proxy, a stream's frames go to the client that claims it */
	if (json_object_get(c->hello, "via")) {
		json_t *r =
		    agent_client_call(c, "attach_stream", json_pack("{s:i}", "stream", (int)stream),
				      timeout_ms, &err);
		if (!r)
			return fail(&err);
		json_decref(r);
	}
	int rc = pump(c, argv[1], exec_id, stream, tty, &err);
	return rc < 0 ? fail(&err) : rc;
}

/* exec ID EXEC ...: a new process in the container, its stdio pumped. */
static int cmd_exec(struct agent_client *c, int argc, char **argv)
{
	_cleanup_error_ struct kc_error err = {0};
	struct proc_opts o;
	json_t *args;
	if (parse_proc_opts(argc - 2, argv + 2, &o, &args) < 0)
		return usage();
	json_t *p = make_process(NULL, &o, args);
	json_decref(o.env);
	json_decref(args);
	json_t *r = agent_client_call(
	    c, "exec_process",
	    json_pack("{s:s, s:s, s:o}", "container_id", argv[1], "exec_id", argv[2], "process", p),
	    timeout_ms, &err);
	if (!r)
		return fail(&err);
	long stream = (long)json_integer_value(json_object_get(r, "stream"));
	json_decref(r);
	int rc = pump(c, argv[1], argv[2], stream, o.tty, &err);
	return rc < 0 ? fail(&err) : rc;
}

static int run_command(struct agent_client *c, const char *cmd, int argc, char **argv)
{
	_cleanup_error_ struct kc_error err = {0};
	if (!strcmp(cmd, "hello")) {
		char *s = json_dumps(c->hello, JSON_COMPACT);
		puts(s);
		free(s);
		return 0;
	}
	if (!strcmp(cmd, "raw"))
		return raw(c, !(argc > 1 && !strcmp(argv[1], "-n")), &err) < 0 ? fail(&err) : 0;
	if (!strcmp(cmd, "call") && argc >= 2)
		return cmd_call(c, argc, argv);
	if ((!strcmp(cmd, "create") || !strcmp(cmd, "run")) && argc >= 2)
		return cmd_create(c, argc, argv, !strcmp(cmd, "run"));
	if (!strcmp(cmd, "start") && argc >= 2)
		return cmd_start(c, argv);
	if (!strcmp(cmd, "attach") && argc >= 2)
		return cmd_attach(c, argc, argv);
	if (!strcmp(cmd, "exec") && argc >= 3)
		return cmd_exec(c, argc, argv);
	return usage();
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	int ch;
	t_start = now_ms();
	while ((ch = getopt(argc, argv, "+s:t:T")) != -1) {
		if (ch == 'T')
			timing = true;
		else if (ch == 's')
			sock = optarg;
		else if (ch == 't')
			timeout_ms = atoi(optarg) * 1000;
		else
			return usage();
	}
	if (!sock || optind >= argc)
		return usage();
	const char *cmd = argv[optind];
	argc -= optind;
	argv += optind;
	_cleanup_error_ struct kc_error err = {0};
	struct agent_client c;
	if (connect_agent(&c, &err) < 0)
		return fail(&err);
	int rc = run_command(&c, cmd, argc, argv);
	agent_client_close(&c);
	return rc;
}
