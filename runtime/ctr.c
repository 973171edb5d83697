/* A container as the commands see it (see runtime.h): locked state, live
 * status, the agent, the shim, teardown. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "agent_client.h"
#include "crash.h"
#include "daemon.h"
#include "host_cgroup.h"
#include "fs.h"
#include "hooks.h"
#include "log.h"
#include "network.h"
#include "pod.h"
#include "share.h"
#include "strbuf.h"
#include "timeouts.h"
#include "hotplug.h"
#include "qemu.h"
#include "vfio.h"
#include "vfio_plug.h"
#include "xalloc.h"

/* A start that crashed between recording "starting" and "running": the
 * guest knows whether the process was started. */
static void settle_start(struct ctr *c)
{
	const char *st = json_string_value(json_object_get(c->state, "status"));
	if (!st || strcmp(st, "starting"))
		return;
	const char *now = "created";
	struct agent_client ac;
	_cleanup_error_ struct kc_error err = {0};
	if (c->have_sandbox && sandbox_vm_alive(&c->sb) &&
	    sandbox_connect(&c->sb, &ac, AGENT_CONNECT_MS, &err) == 0) {
		json_t *r = agent_client_call(&ac, "list_containers", NULL, AGENT_QUERY_MS, &err);
		size_t i;
		json_t *e;
		json_array_foreach (json_object_get(r, "containers"), i, e) {
			const char *gs = json_string_value(json_object_get(e, "status"));
			if (!strcmp(json_string_value(json_object_get(e, "id")) ?: "", c->sd.id) &&
			    gs && strcmp(gs, "created") && strcmp(gs, "creating"))
				now = "running";
		}
		json_decref(r);
		agent_client_close(&ac);
	}
	json_object_set_new(c->state, "status", json_string(now));
	if (state_write(&c->sd, c->state, &err) < 0)
		kc_warn("%s", kc_error_msg(&err));
}

int ctr_open(struct rt *rt, const char *id, struct ctr *c, struct kc_error *err)
{
	memset(c, 0, sizeof(*c));
	if (state_open(&c->sd, rt->root, id, err) < 0) {
		state_close(&c->sd);
		return -1;
	}
	c->state = state_read(&c->sd, err);
	if (!c->state) {
		state_close(&c->sd);
		return -1;
	}
	/* the sandbox's record has the VM's whereabouts (its own container's
	 * state keeps a copy, for a record lost in a crash) */
	const char *sid = json_string_value(json_object_get(c->state, "sandbox_id"));
	if (sid && sbrec_peek(&c->sb, rt->root, sid) == 0) {
		c->have_sandbox = true;
	} else {
		sandbox_free(&c->sb);
		json_t *sb = json_object_get(c->state, "sandbox");
		if (sb && sandbox_from_json(&c->sb, sb) == 0)
			c->have_sandbox = true;
	}
	settle_start(c);
	return 0;
}

int ctr_open_for_teardown(struct rt *rt, const char *id, struct ctr *c, struct kc_error *err)
{
	if (ctr_open(rt, id, c, err) == 0)
		return 0;
	/* the directory, without a state to read (a crash before its first
	 * write, or a file that is not one): a sandbox of that id, as far as
	 * the VM directory and the records tell */
	memset(c, 0, sizeof(*c));
	_cleanup_error_ struct kc_error e2 = {0};
	if (state_open(&c->sd, rt->root, id, &e2) < 0) {
		state_close(&c->sd);
		return -1;
	}
	kc_warn("%s (tearing down what its id names)", kc_error_msg(err));
	kc_error_clear(err);
	c->state = json_pack("{s:s, s:s, s:s}", "id", id, "sandbox_id", id, "status", "creating");
	return 0;
}

void ctr_close(struct ctr *c)
{
	json_decref(c->state);
	if (c->have_sandbox)
		sandbox_free(&c->sb);
	state_close(&c->sd);
	memset(c, 0, sizeof(*c));
	c->sd.fd = c->sd.rootfd = -1; /* closed again (a cleanup): nothing */
}

int ctr_save(struct ctr *c, struct kc_error *err)
{
	return state_write(&c->sd, c->state, err);
}

static pid_t state_pid(const json_t *j, const char *key, uint64_t *start)
{
	char k[64];
	snprintf(k, sizeof(k), "%s_start", key);
	*start = (uint64_t)json_integer_value(json_object_get(j, k));
	return (pid_t)json_integer_value(json_object_get(j, key));
}

const char *ctr_status(const struct ctr *c)
{
	const char *st = json_string_value(json_object_get(c->state, "status"));
	if (!st || !strcmp(st, "stopped"))
		return "stopped";
	uint64_t start;
	pid_t pid = state_pid(c->state, "pid", &start);
	/* the shim stands for the process: gone, the process has ended */
	if (!process_alive(pid, start))
		return "stopped";
	if (c->have_sandbox && !sandbox_vm_alive(&c->sb))
		return "stopped";
	return st;
}

json_t *ctr_oci_state(const struct ctr *c)
{
	const char *status = ctr_status(c);
	json_t *ann = json_object_get(c->state, "annotations");
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "ociVersion", OCI_VERSION, "id", c->sd.id,
	    "status", status, "pid",
	    strcmp(status, "stopped") ? (int)json_integer_value(json_object_get(c->state, "pid"))
				      : 0,
	    "bundle", json_string_value(json_object_get(c->state, "bundle")) ?: "", "rootfs",
	    json_string_value(json_object_get(c->state, "rootfs")) ?: "", "created",
	    json_string_value(json_object_get(c->state, "created")) ?: "", "owner", "");
	json_object_set_new(o, "annotations", ann ? json_deep_copy(ann) : json_object());
	return o;
}

int ctr_agent(struct ctr *c, struct agent_client *ac, struct kc_error *err)
{
	if (!c->have_sandbox)
		return kc_error_set(err, 0, "container %s has no sandbox", c->sd.id);
	if (!sandbox_vm_alive(&c->sb))
		return kc_error_set(err, 0, "the VM of container %s is not running", c->sd.id);
	return sandbox_connect(&c->sb, ac, 10000, err);
}

int ctr_agent_running(struct ctr *c, struct agent_client *ac, struct kc_error *err)
{
	if (!strcmp(ctr_status(c), "stopped"))
		return kc_error_set(err, 0, "container not running");
	return ctr_agent(c, ac, err);
}

int write_pid_file(const char *path, pid_t pid, struct kc_error *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", pid);
	return write_file_atomic(path, buf, (size_t)n, 0644, err);
}

void ctr_console_size_from_stdin(json_t *process)
{
	struct winsize ws;
	if (!json_is_true(json_object_get(process, "terminal")) || !isatty(STDIN_FILENO) ||
	    ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return;
	json_object_set_new(process, "consoleSize",
			    json_pack("{s:i, s:i}", "height", ws.ws_row, "width", ws.ws_col));
}

pid_t ctr_spawn_shim(struct rt *rt, const struct ctr *c, const char *shim_path, const char *exec_id,
		     uint32_t stream, bool terminal, const char *console_socket,
		     struct kc_error *err)
{
	char stream_s[16];
	snprintf(stream_s, sizeof(stream_s), "%u", stream);
	struct strbuf proxy = STRBUF_INIT, log = STRBUF_INIT;
	strbuf_appendf(&proxy, "%s/proxy.sock", c->sb.vm_dir);
	if (rt->log_path)
		strbuf_append(&log, rt->log_path);
	else
		strbuf_appendf(&log, "%s/shim.log", c->sb.vm_dir);
	const char *argv[20];
	int n = 0;
	argv[n++] = shim_path;
	argv[n++] = "--proxy";
	argv[n++] = proxy.s;
	argv[n++] = "--container";
	argv[n++] = c->sd.id;
	argv[n++] = "--stream";
	argv[n++] = stream_s;
	argv[n++] = "--log";
	argv[n++] = log.s;
	if (rt->log_json) {
		argv[n++] = "--log-format";
		argv[n++] = "json";
	}
	if (exec_id) {
		argv[n++] = "--exec-id";
		argv[n++] = exec_id;
	}
	if (terminal)
		argv[n++] = "--terminal";
	if (console_socket) {
		argv[n++] = "--console-socket";
		argv[n++] = console_socket;
	}
	if (rt->debug)
		argv[n++] = "--debug";
	argv[n++] = "--ready-fd";
	argv[n++] = "3";
	argv[n] = NULL;
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0) {
		strbuf_release(&proxy);
		strbuf_release(&log);
		return kc_error_set(err, errno, "pipe");
	}
	/* our stdio is the container's: the caller's pipes, files or terminal;
	 * with a console socket the terminal carries it all, and our stdio may
	 * be a pipe the caller reads to its end (containerd's does) */
	int io = console_socket ? -1 : 0;
	/* in the pod's cgroup, with its VM */
	int cg[HOST_CGROUP_MAX], ncg = 0;
	if (c->sb.cgroup) {
		ncg = host_cgroup_open_procs(c->sb.cgroup, cg, HOST_CGROUP_MAX, err);
		if (ncg < 0) {
			close(ready[0]);
			close(ready[1]);
			strbuf_release(&proxy);
			strbuf_release(&log);
			return -1;
		}
	}
	struct spawn_opts o = {.argv = argv,
			       .stdin_fd = io ? -1 : STDIN_FILENO,
			       .stdout_fd = io ? -1 : STDOUT_FILENO,
			       .stderr_fd = io ? -1 : STDERR_FILENO,
			       .keep_fd = ready[1],
			       .netns = c->sb.netns,
			       .cgroup_fds = cg,
			       .ncgroup = ncg};
	pid_t pid = spawn_process_opts(&o, err);
	host_cgroup_close_fds(cg, ncg);
	close(ready[1]);
	if (pid < 0) {
		kc_error_wrap(err, "kata-shim %s", shim_path);
	} else {
		/* back only once the shim holds the stream and has handed the
		 * terminal over: a caller may take our exit as that moment */
		uint64_t start = process_start_time(pid);
		struct pollfd pfd = {ready[0], POLLIN, 0};
		char b = 0;
		int r;
		while ((r = poll(&pfd, 1, SHIM_READY_MS)) < 0 && errno == EINTR)
			;
		if (r <= 0 || read(ready[0], &b, 1) != 1 || b != 'R') {
			kc_error_set(err, 0, "kata-shim %s (its log: %s)",
				     r == 0 ? "did not attach to the container's stream within 15 s"
					    : "failed before attaching to the container's stream",
				     log.s);
			process_stop(pid, start, 0);
			pid = -1;
		}
	}
	close(ready[0]);
	strbuf_release(&proxy);
	strbuf_release(&log);
	return pid;
}

/* The shims of the container: recorded ones, and one a crash kept us from
 * recording (spawned, pid not yet written) - found by its arguments. */
static void stop_shims(struct ctr *c)
{
	uint64_t start;
	pid_t pid = state_pid(c->state, "pid", &start);
	/* containerd-shim-kata-v2 carries the process: it is not ours to stop */
	if (json_is_true(json_object_get(c->state, "carrier")))
		pid = 0;
	/* a shim whose process was killed exits by itself, soon */
	if (pid > 0 && !process_wait_gone(pid, start, SHIM_EXIT_MS))
		process_stop(pid, start, 0);
	size_t i;
	json_t *e;
	json_array_foreach (json_object_get(c->state, "execs"), i, e) {
		pid = state_pid(e, "pid", &start);
		if (pid > 0 && !process_wait_gone(pid, start, 500))
			process_stop(pid, start, 0);
	}
	if (!c->have_sandbox)
		return;
	_cleanup_free_ char *proxy = xasprintf("%s/proxy.sock", c->sb.vm_dir);
	const char *args[] = {"--proxy", proxy, "--container", c->sd.id, NULL};
	pid_t pids[16];
	uint64_t starts[16];
	int n = process_find_with_args(args, pids, starts, 16);
	for (int k = 0; k < n; k++)
		process_stop(pids[k], starts[k], 0);
}

/* The container in the guest, while the VM lives. */
static void remove_in_guest(struct ctr *c)
{
	_cleanup_error_ struct kc_error err = {0};
	if (!c->have_sandbox || !sandbox_vm_alive(&c->sb))
		return;
	struct agent_client ac;
	if (sandbox_connect(&c->sb, &ac, AGENT_TEARDOWN_MS, &err) < 0)
		return;
	json_t *r =
	    agent_client_call(&ac, "remove_container", json_pack("{s:s}", "container_id", c->sd.id),
			      AGENT_QUERY_MS, &err);
	if (!r && strcmp(ac.last_code, "not_found"))
		kc_warn("remove in the guest: %s", kc_error_msg(&err));
	json_decref(r);
	agent_client_close(&ac);
}

static void unshare(struct ctr *c)
{
	_cleanup_error_ struct kc_error err = {0};
	if (!c->have_sandbox)
		return;
	_cleanup_close_ int vmfd = sandbox_open_vm_dir(&c->sb);
	if (vmfd >= 0 && unshare_container(vmfd, c->sd.id, &err) < 0)
		kc_warn("%s", kc_error_msg(&err));
}

int ctr_update(struct rt *rt, struct ctr *c, json_t *resources, struct kc_error *err)
{
	struct agent_client ac;
	if (ctr_agent_running(c, &ac, err) < 0)
		return -1;
	json_t *r = agent_client_call(
	    &ac, "update_container",
	    json_pack("{s:s, s:O}", "container_id", c->sd.id, "resources", resources),
	    AGENT_QUERY_MS, err);
	agent_client_close(&ac);
	if (!r)
		return -1;
	json_decref(r);
	/* recorded: what the container was last given */
	json_object_set(c->state, "resources", resources);
	const char *sid = json_string_value(json_object_get(c->state, "sandbox_id"));
	if (ctr_save(c, err) < 0 ||
	    pod_update_host_limits(rt->root, sid ? sid : c->sd.id, c->sd.id, resources, err) < 0)
		return -1;
	return 0;
}

/* A member's hot-plugged host devices, given back by the pod's VM that
 * stays (a VM that stops gives back everything with it). */
static void unplug_vfio(const struct ctr *c, const struct sandbox *sb)
{
	const json_t *v = json_object_get(c->state, "vfio");
	struct vfio_plan p;
	if (!json_is_true(json_object_get(v, "hotplugged")) || vfio_plan_from_json(v, &p) < 0 ||
	    !sandbox_vm_alive(sb))
		return;
	_cleanup_free_ char *qmp = sandbox_qmp_socket(sb);
	for (int k = 0; k < p.n; k++) {
		_cleanup_error_ struct kc_error err = {0};
		if (qemu_device_del(qmp, p.dev[k].id, NIC_UNPLUG_MS, &err) < 0)
			kc_warn("%s (IOMMU group %d) stays in the pod's VM: %s", p.dev[k].host,
				p.dev[k].group, kc_error_msg(&err));
		else
			kc_info("%s (IOMMU group %d) unplugged from sandbox %s", p.dev[k].host,
				p.dev[k].group, sb->id);
	}
}

/* The VM goes with the sandbox's last container, or with its own
 * container deleted by force; a member leaves the record. */
static void release_sandbox(struct rt *rt, struct ctr *c, bool force)
{
	_cleanup_error_ struct kc_error err = {0};
	const char *sid = json_string_value(json_object_get(c->state, "sandbox_id"));
	bool is_sandbox = !sid || !strcmp(sid, c->sd.id);
	struct sbrec rec;
	if (sid && sbrec_open(&rec, rt->root, sid, &err) == 0) {
		size_t left = sbrec_remove_member(&rec, c->sd.id);
		if (!left || (force && is_sandbox)) {
			net_unplumb(rec.sb.netns, json_object_get(rec.j, "network"));
			sandbox_stop(&rec.sb);
			sbrec_remove(&rec);
		} else {
			kc_info("sandbox %s stays for %zu container(s)", sid, left);
			unplug_vfio(c, &rec.sb);
			crash_point("delete:vfio-unplugged");
			sbrec_forget_limits(&rec, c->sd.id);
			if (sbrec_save(&rec, &err) < 0 || pod_apply_host_limits(&rec, &err) < 0)
				kc_warn("%s", kc_error_msg(&err));
		}
		sbrec_close(&rec);
		return;
	}
	if (!is_sandbox)
		return;
	/* no record (a crash, or a failure, before it was written): what the
	 * state recorded, and what the VM directory holds */
	net_unplumb(json_string_value(json_object_get(c->state, "netns")),
		    json_object_get(c->state, "network"));
	if (c->have_sandbox) {
		sandbox_stop(&c->sb);
	} else {
		_cleanup_free_ char *vm = sandbox_vm_dir(rt->root, c->sd.id);
		struct sandbox sb = {.id = c->sd.id, .vm_dir = vm};
		sandbox_stop(&sb);
	}
	sbrec_forget(rt->root, c->sd.id);
}

/* poststop hooks, for a container that was created (runtime spec). */
static void run_poststop(struct ctr *c)
{
	_cleanup_error_ struct kc_error err = {0};
	json_t *hooks = json_object_get(c->state, "hooks");
	const char *status = json_string_value(json_object_get(c->state, "status"));
	if (!hooks || !status || !strcmp(status, "creating"))
		return;
	json_t *st = ctr_oci_state(c);
	json_object_set_new(st, "status", json_string("stopped"));
	if (hooks_run(hooks, "poststop", st, &err) < 0)
		kc_warn("%s", kc_error_msg(&err));
	json_decref(st);
}

void ctr_destroy(struct rt *rt, struct ctr *c, bool force)
{
	remove_in_guest(c);
	crash_point("delete:guest");
	stop_shims(c);
	crash_point("delete:shims");
	unshare(c);
	crash_point("delete:unshared");
	release_sandbox(rt, c, force);
	crash_point("delete:sandbox");
	run_poststop(c);
	state_remove(&c->sd);
}
