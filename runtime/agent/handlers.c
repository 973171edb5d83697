/* The agent's operations: one function each, dispatched by name. Every
 * request gets one response with its id: {"id", "ok": true, ...} or
 * {"id", "ok": false, "code", "error"}; create, start, exec and wait
 * answer once the outcome is known. docs/agent-protocol.md lists them. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "config.h"
#include "container.h"
#include "mounts.h"
#include "spawn.h"
#include "strbuf.h"
#include "xalloc.h"

void respond_ok(struct agent *a, json_t *id, json_t *body)
{
	json_t *r = body ? body : json_object();
	json_object_set(r, "id", id ? id : json_null());
	json_object_set_new(r, "ok", json_true());
	channel_send_json(&a->ch, FRAME_RESPONSE, r);
}

void respond_error(struct agent *a, json_t *id, const char *code, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL; /* the code alone still says what */
	va_end(ap);
	log_debug("request failed (%s): %s", code, msg ? msg : code);
	channel_send_json(&a->ch, FRAME_RESPONSE,
			  json_pack("{s:O, s:b, s:s, s:s}", "id", id ? id : json_null(), "ok", 0,
				    "code", code, "error", msg ? msg : code));
}

/* ---- argument helpers --------------------------------------------------- */

struct req {
	struct agent *a;
	json_t *j, *id;
	const char *op;
};

static const char *str_arg(struct req *r, const char *key, bool required)
{
	json_t *v = json_object_get(r->j, key);
	if (!v && !required)
		return NULL;
	if (!json_is_string(v) || !*json_string_value(v)) {
		respond_error(r->a, r->id, "invalid", "%s: '%s' must be a non-empty string", r->op,
			      key);
		return NULL;
	}
	return json_string_value(v);
}

static struct container *container_arg(struct req *r, const char *key)
{
	const char *id = str_arg(r, key, true);
	if (!id)
		return NULL;
	struct container *c = container_find(r->a, id);
	if (!c)
		respond_error(r->a, r->id, "not_found", "%s: no container '%s'", r->op, id);
	return c;
}

static struct process *process_arg(struct req *r, struct container **cp)
{
	struct container *c = container_arg(r, "container_id");
	if (!c)
		return NULL;
	json_t *e = json_object_get(r->j, "exec_id");
	const char *exec_id = json_string_value(e);
	if (e && !json_is_string(e) && !json_is_null(e)) {
		respond_error(r->a, r->id, "invalid", "%s: 'exec_id' must be a string", r->op);
		return NULL;
	}
	struct process *p = process_find(r->a, c, exec_id);
	if (!p)
		respond_error(r->a, r->id, "not_found", "%s: container '%s' has no %s%s%s", r->op,
			      c->id, exec_id && *exec_id ? "process '" : "process",
			      exec_id && *exec_id ? exec_id : "", exec_id && *exec_id ? "'" : "");
	if (cp)
		*cp = c;
	return p;
}

/* ---- sandbox ------------------------------------------------------------ */

static void op_ping(struct req *r)
{
	respond_ok(r->a, r->id, json_pack("{s:f}", "uptime_ms", agent_uptime_ms()));
}

/* The module groups the image's modules.load names, loaded now rather than
 * when first needed: a VM template or a cached VM loads what its pods will
 * need once, before it is saved or handed over, instead of every VM made
 * from it loading them again (slow under TCG: each one relocated and
 * translated afresh). */
static void op_load_modules(struct req *r)
{
	/* ondemand is the kernel's to ask for, one module at a time */
	static const char *const groups[] = {"9p", "virtiofs", "net", "netadmin", "vsock"};
	json_t *want = json_object_get(r->j, "groups");
	if (!json_is_array(want)) {
		respond_error(r->a, r->id, "invalid", "load_modules: 'groups' must be an array");
		return;
	}
	size_t i;
	json_t *g;
	json_array_foreach (want, i, g) {
		const char *name = json_string_value(g);
		size_t k = 0;
		while (name && k < ARRAY_SIZE(groups) && strcmp(groups[k], name))
			k++;
		if (!name || k == ARRAY_SIZE(groups)) {
			respond_error(r->a, r->id, "invalid",
				      "load_modules: groups[%zu]: not a group (9p, virtiofs, net, "
				      "netadmin, vsock)",
				      i);
			return;
		}
	}
	double t0 = agent_uptime_ms();
	int failed = 0;
	json_array_foreach (want, i, g)
		failed += agent_load_modules(&r->a->times, json_string_value(g)) < 0;
	respond_ok(r->a, r->id,
		   json_pack("{s:f, s:i}", "ms", agent_uptime_ms() - t0, "failed", failed));
}

static void op_create_sandbox(struct req *r)
{
	struct agent *a = r->a;
	if (a->sandbox_created) {
		respond_error(a, r->id, "exists", "create_sandbox: the sandbox exists already");
		return;
	}
	const char *hostname = str_arg(r, "hostname", false);
	if (hostname && sethostname(hostname, strlen(hostname)) < 0) {
		respond_error(a, r->id, "invalid", "create_sandbox: hostname '%s': %s", hostname,
			      strerror(errno));
		return;
	}
	json_t *share = json_object_get(r->j, "share");
	if (share && !json_is_null(share)) {
		const char *type = json_string_value(json_object_get(share, "type"));
		const char *tag = json_string_value(json_object_get(share, "tag"));
		json_t *msize = json_object_get(share, "msize");
		if (!type || !tag || !*tag) {
			respond_error(a, r->id, "invalid",
				      "create_sandbox: 'share' needs 'type' and 'tag'");
			return;
		}
		int rc;
		bool p9 = !strcmp(type, "virtio-9p") || !strcmp(type, "9p");
		if (p9 || !strcmp(type, "virtio-fs") || !strcmp(type, "virtiofs"))
			agent_load_modules(&a->times, p9 ? "9p" : "virtiofs");
		if (p9) {
			char opts[128];
			json_int_t ms = json_is_integer(msize) ? json_integer_value(msize)
							       : CONFIG_DEFAULT_MSIZE_9P;
			if (ms < 4096 || ms > 16 * 1024 * 1024) {
				respond_error(a, r->id, "invalid",
					      "create_sandbox: msize %lld out of range",
					      (long long)ms);
				return;
			}
			snprintf(opts, sizeof(opts),
				 "trans=virtio,version=9p2000.L,cache=mmap,msize=%lld",
				 (long long)ms);
			rc = mount(tag, AGENT_SHARED, "9p", MS_NODEV, opts);
		} else if (!strcmp(type, "virtio-fs") || !strcmp(type, "virtiofs")) {
			rc = mount(tag, AGENT_SHARED, "virtiofs", MS_NODEV, NULL);
		} else {
			respond_error(
			    a, r->id, "invalid",
			    "create_sandbox: unknown share type '%s' (virtio-9p, virtio-fs)", type);
			return;
		}
		if (rc < 0) {
			respond_error(a, r->id, "mount",
				      "create_sandbox: mount the %s share '%s': %s", type, tag,
				      strerror(errno));
			return;
		}
		free(a->share_mount);
		a->share_mount = xstrdup(AGENT_SHARED);
	}
	a->sandbox_created = true;
	respond_ok(a, r->id, NULL);
}

static void destroy_all(struct agent *a)
{
	while (a->containers)
		container_free(a, a->containers);
	if (a->share_mount) {
		if (umount2(a->share_mount, MNT_DETACH) < 0)
			log_warn("unmount %s: %s", a->share_mount, strerror(errno));
		free(a->share_mount);
		a->share_mount = NULL;
	}
	a->sandbox_created = false;
}

static void op_destroy_sandbox(struct req *r)
{
	destroy_all(r->a);
	respond_ok(r->a, r->id, NULL);
}

static void op_shutdown(struct req *r)
{
	destroy_all(r->a);
	respond_ok(r->a, r->id, NULL);
	/* the answer goes out first */
	r->a->poweroff_after_flush = true;
}

/* ---- containers --------------------------------------------------------- */

static pid_t join_arg(struct req *r, const char *ns, bool *bad)
{
	json_t *join = json_object_get(r->j, "join");
	const char *id = json_string_value(json_object_get(join, ns));
	if (!id)
		return 0;
	struct container *c = container_find(r->a, id);
	if (!c || !c->init || c->init->exited) {
		respond_error(r->a, r->id, "not_found",
			      "create_container: cannot share the %s namespace of '%s': %s", ns, id,
			      c ? "it is not running" : "no such container");
		*bad = true;
		return 0;
	}
	return c->init->pid;
}

/* iptables-legacy runs modprobe for ip_tables itself, in the container,
 * which has no modules: a process that may administer the network finds
 * the iptables core loaded. Everything else it needs the kernel requests
 * through /sbin/modprobe (modprobe.c). */
static void load_netadmin_modules(struct agent *a, const struct oci_process *p)
{
	if (!p->has_caps || (p->cap_effective & (1ULL << CAP_NET_ADMIN)))
		agent_load_modules(&a->times, "netadmin");
}

/* The container's root directory: rel beneath the shared directory (or an
 * absolute path of the guest's own), a directory. NULL when it is not,
 * answered. */
static char *container_rootfs(struct req *r, const char *rel)
{
	struct agent *a = r->a;
	char *rootfs;
	if (rel[0] == '/') {
		rootfs = xstrdup(rel);
	} else if (!safe_relative(rel)) {
		respond_error(a, r->id, "invalid",
			      "create_container: rootfs '%s' leaves the shared directory", rel);
		return NULL;
	} else if (!a->share_mount) {
		respond_error(
		    a, r->id, "state",
		    "create_container: no shared directory (create_sandbox with a share first)");
		return NULL;
	} else {
		rootfs = xasprintf("%s/%s", a->share_mount, rel);
	}
	struct stat st;
	if (stat(rootfs, &st) < 0 || !S_ISDIR(st.st_mode)) {
		respond_error(a, r->id, "not_found", "create_container: rootfs %s: %s", rel,
			      stat(rootfs, &st) < 0 ? strerror(errno) : "not a directory");
		free(rootfs);
		return NULL;
	}
	return rootfs;
}

static void op_create_container(struct req *r)
{
	struct agent *a = r->a;
	const char *id = str_arg(r, "container_id", true);
	const char *rootfs_rel = id ? str_arg(r, "rootfs", true) : NULL;
	if (!id || !rootfs_rel)
		return;
	if (!oci_valid_id(id)) {
		respond_error(a, r->id, "invalid", "create_container: invalid container id '%s'",
			      id);
		return;
	}
	if (container_find(a, id)) {
		respond_error(a, r->id, "exists", "create_container: container '%s' exists already",
			      id);
		return;
	}
	json_t *spec = json_object_get(r->j, "spec");
	if (!json_is_object(spec)) {
		respond_error(a, r->id, "invalid",
			      "create_container: 'spec' must be an OCI runtime spec object");
		return;
	}
	_cleanup_free_ char *rootfs = container_rootfs(r, rootfs_rel);
	if (!rootfs)
		return;
	bool bad = false;
	pid_t join_ipc = join_arg(r, "ipc", &bad);
	pid_t join_uts = bad ? 0 : join_arg(r, "uts", &bad);
	pid_t join_pid = bad ? 0 : join_arg(r, "pid", &bad);
	if (bad)
		return;
	const json_t *linux_ = json_object_get(spec, "linux");
	bool userns = oci_spec_has_namespace(spec, "user");
	if (userns && (join_ipc || join_uts || join_pid)) {
		respond_error(a, r->id, "invalid",
			      "create_container: a user namespace for a container that joins "
			      "another's namespaces is not supported");
		return;
	}

	struct spawn_request sr = {0};
	_cleanup_error_ struct kc_error err = {0};
	if (oci_process_parse(json_object_get(spec, "process"), &sr.proc, &err) < 0) {
		respond_error(a, r->id, "invalid", "create_container: %s", kc_error_msg(&err));
		return;
	}
	load_netadmin_modules(a, &sr.proc);
	/* passed host devices: in the guest before the container is made */
	json_t *found = NULL;
	if (json_array_size(json_object_get(r->j, "vfio"))) {
		found = pci_prepare_devices(spec, json_object_get(r->j, "vfio"), &err);
		if (!found) {
			respond_error(a, r->id, "not_found", "create_container: %s",
				      kc_error_msg(&err));
			oci_process_free(&sr.proc);
			return;
		}
	}
	struct container *c = container_new(a, id);
	c->devices_found = found;
	c->rootfs = xstrdup(rootfs);
	c->spec = json_incref(spec);
	c->cgroup = cgroup_create(id);
	_cleanup_error_ struct kc_error why = {0};
	if (cgroup_apply(c->cgroup, json_object_get(json_object_get(spec, "linux"), "resources"),
			 false, &why) < 0) {
		respond_error(a, r->id, "invalid", "create_container: %s", kc_error_msg(&why));
		oci_process_free(&sr.proc);
		container_free(a, c);
		return;
	}
	struct process *p = process_new(a, c, NULL, sr.proc.terminal);
	c->init = p;
	sr.c = c;
	sr.p = p;
	sr.is_init = true;
	sr.spec = spec;
	sr.seccomp = json_object_get(json_object_get(spec, "linux"), "seccomp");
	sr.rootfs = c->rootfs;
	sr.share = a->share_mount;
	sr.cgroup = c->cgroup;
	sr.join_ipc = join_ipc;
	sr.join_uts = join_uts;
	sr.join_pid = join_pid;
	sr.agent_pid_ns = !oci_spec_has_namespace(spec, "pid");
	sr.userns = userns;
	sr.uid_map = json_object_get(linux_, "uidMappings");
	sr.gid_map = json_object_get(linux_, "gidMappings");
	int rc = spawn_process(a, &sr, &why);
	oci_process_free(&sr.proc);
	if (rc < 0) {
		respond_error(a, r->id, "internal", "create_container: %s", kc_error_msg(&why));
		container_free(a, c);
		return;
	}
	p->pending_status = json_incref(r->id);
	log_debug("container %s: init %d on stream %u", id, p->pid, p->stream);
}

static void op_start_container(struct req *r)
{
	struct container *c = container_arg(r, "container_id");
	if (!c)
		return;
	if (c->status != C_CREATED || c->start_fd < 0 || !c->init) {
		respond_error(r->a, r->id, "state",
			      "start_container: container '%s' is %s, not created", c->id,
			      container_status_name(c->status));
		return;
	}
	if (write(c->start_fd, "S", 1) != 1) {
		respond_error(r->a, r->id, "internal", "start_container: %s", strerror(errno));
		return;
	}
	close(c->start_fd);
	c->start_fd = -1;
	c->status = C_RUNNING;
	json_decref(c->init->pending_status);
	c->init->pending_status = json_incref(r->id);
}

static void op_exec_process(struct req *r)
{
	struct agent *a = r->a;
	struct container *c = container_arg(r, "container_id");
	const char *exec_id = c ? str_arg(r, "exec_id", true) : NULL;
	if (!c || !exec_id)
		return;
	if (process_find(a, c, exec_id)) {
		respond_error(a, r->id, "exists",
			      "exec_process: container '%s' has a process '%s' already", c->id,
			      exec_id);
		return;
	}
	if ((c->status != C_RUNNING && c->status != C_PAUSED) || !c->init || c->init->exited) {
		respond_error(a, r->id, "state", "exec_process: container '%s' is %s, not running",
			      c->id, container_status_name(c->status));
		return;
	}
	struct spawn_request sr = {0};
	_cleanup_error_ struct kc_error err = {0};
	if (oci_process_parse(json_object_get(r->j, "process"), &sr.proc, &err) < 0) {
		respond_error(a, r->id, "invalid", "exec_process: %s", kc_error_msg(&err));
		return;
	}
	load_netadmin_modules(a, &sr.proc);
	struct process *p = process_new(a, c, exec_id, sr.proc.terminal);
	sr.c = c;
	sr.p = p;
	sr.cgroup = c->cgroup;
	sr.target_pid = c->init->pid;
	sr.userns = oci_spec_has_namespace(c->spec, "user");
	sr.seccomp = json_object_get(json_object_get(c->spec, "linux"), "seccomp");
	_cleanup_error_ struct kc_error why = {0};
	int rc = spawn_process(a, &sr, &why);
	oci_process_free(&sr.proc);
	if (rc < 0) {
		respond_error(a, r->id, "internal", "exec_process: %s", kc_error_msg(&why));
		process_free(a, p);
		return;
	}
	p->pending_status = json_incref(r->id);
}

static void op_signal_process(struct req *r)
{
	struct container *c;
	struct process *p = process_arg(r, &c);
	if (!p)
		return;
	json_t *sig = json_object_get(r->j, "signal");
	if (!json_is_integer(sig) || json_integer_value(sig) <= 0 ||
	    json_integer_value(sig) >= 65) {
		respond_error(r->a, r->id, "invalid",
			      "signal_process: 'signal' must be a signal number");
		return;
	}
	int s = (int)json_integer_value(sig);
	if (json_is_true(json_object_get(r->j, "all")) && p == c->init) {
		int n = cgroup_signal(c->cgroup, s);
		if (!n && (p->exited || kill(p->pid, s) < 0)) {
			respond_error(r->a, r->id, "state",
				      "signal_process: container '%s' has no running process",
				      c->id);
			return;
		}
	} else if (p->exited || kill(p->pid, s) < 0) {
		respond_error(r->a, r->id, "state", "signal_process: the process is not running");
		return;
	}
	respond_ok(r->a, r->id, NULL);
}

/* The host-side stand-in of a stream's process (its kata-shim, or the shim
 * v2's carrier) is gone while the process runs: nobody can take its output
 * or its exit any more - an exec whose caller gave up (ExecSync's timeout)
 * must not outlive it. The process is killed; one that has exited is left
 * as it is. */
static void op_release_stream(struct req *r)
{
	json_t *s = json_object_get(r->j, "stream");
	if (!json_is_integer(s) || json_integer_value(s) <= 0 ||
	    json_integer_value(s) > 0xffffffffLL) {
		respond_error(r->a, r->id, "invalid",
			      "release_stream: 'stream' must be a stream number");
		return;
	}
	struct process *p = process_find_stream(r->a, (uint32_t)json_integer_value(s));
	if (p && !p->exited && p->pid > 0) {
		log_warn("stream %u: its host side is gone; killing process %d", p->stream, p->pid);
		kill(p->pid, SIGKILL);
	}
	respond_ok(r->a, r->id, NULL);
}

static void op_wait_process(struct req *r)
{
	struct process *p = process_arg(r, NULL);
	if (!p)
		return;
	json_array_append(p->waiters, r->id);
	process_check_waiters(r->a, p);
	process_arm_linger(r->a);
}

static void op_resize_tty(struct req *r)
{
	struct process *p = process_arg(r, NULL);
	if (!p)
		return;
	json_t *rows = json_object_get(r->j, "rows"), *cols = json_object_get(r->j, "cols");
	if (!json_is_integer(rows) || !json_is_integer(cols) || json_integer_value(rows) <= 0 ||
	    json_integer_value(cols) <= 0 || json_integer_value(rows) > 65535 ||
	    json_integer_value(cols) > 65535) {
		respond_error(r->a, r->id, "invalid",
			      "resize_tty: 'rows' and 'cols' must be 1..65535");
		return;
	}
	int rc = process_resize(p, (unsigned short)json_integer_value(rows),
				(unsigned short)json_integer_value(cols));
	if (rc < 0) {
		respond_error(r->a, r->id, rc == -ENOTTY ? "state" : "internal", "resize_tty: %s",
			      rc == -ENOTTY ? "the process has no terminal" : strerror(-rc));
		return;
	}
	respond_ok(r->a, r->id, NULL);
}

static json_t *proc_info(pid_t pid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *open = strchr(buf, '('), *close_ = strrchr(buf, ')');
	if (!open || !close_)
		return NULL;
	*close_ = '\0';
	char state = '?';
	long ppid = 0;
	if (sscanf(close_ + 2, "%c %ld", &state, &ppid) != 2)
		return NULL;
	json_t *o = json_pack("{s:i, s:i, s:s, s:s#}", "pid", pid, "ppid", (int)ppid, "comm",
			      open + 1, "state", &state, 1);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(buf, sizeof(buf), f))
			if (!strncmp(buf, "Uid:", 4)) {
				json_object_set_new(o, "uid",
						    json_integer(strtol(buf + 4, NULL, 10)));
				break;
			}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	if ((f = fopen(path, "re"))) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		json_t *args = json_array();
		for (size_t i = 0; i < n;) {
			json_array_append_new(args, json_stringn(buf + i, strnlen(buf + i, n - i)));
			i += strnlen(buf + i, n - i) + 1;
		}
		json_object_set_new(o, "args", args);
	}
	return o;
}

static void op_ps(struct req *r)
{
	struct container *c = container_arg(r, "container_id");
	if (!c)
		return;
	pid_t *pids;
	size_t n = cgroup_pids(c->cgroup, &pids);
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = proc_info(pids[i]);
		if (o)
			json_array_append_new(list, o);
	}
	free(pids);
	respond_ok(r->a, r->id, json_pack("{s:o}", "processes", list));
}

static json_t *process_json(const struct process *p)
{
	json_t *o = json_pack("{s:i, s:i, s:b, s:b}", "pid", p->pid, "stream", p->stream,
			      "terminal", p->terminal, "exited", p->exited);
	if (p->exec_id)
		json_object_set_new(o, "exec_id", json_string(p->exec_id));
	if (p->exited)
		json_object_set_new(o, "exit_status", json_integer(p->exit_status));
	return o;
}

static void op_list_containers(struct req *r)
{
	json_t *list = json_array();
	for (struct container *c = r->a->containers; c; c = c->next) {
		json_t *o = json_pack("{s:s, s:s}", "id", c->id, "status",
				      container_status_name(c->status));
		if (c->init)
			json_object_set_new(o, "init", process_json(c->init));
		json_t *execs = json_array();
		for (struct process *p = r->a->processes; p; p = p->next)
			if (p->c == c && p != c->init)
				json_array_append_new(execs, process_json(p));
		json_object_set_new(o, "execs", execs);
		json_array_append_new(list, o);
	}
	respond_ok(r->a, r->id, json_pack("{s:o}", "containers", list));
}

static void op_remove_container(struct req *r)
{
	struct container *c = container_arg(r, "container_id");
	if (!c)
		return;
	container_free(r->a, c);
	respond_ok(r->a, r->id, NULL);
}

static void op_pause(struct req *r, bool pause)
{
	struct container *c = container_arg(r, "container_id");
	if (!c)
		return;
	if (c->status != (pause ? C_RUNNING : C_PAUSED)) {
		respond_error(r->a, r->id, "state", "%s: container '%s' is %s, not %s", r->op,
			      c->id, container_status_name(c->status),
			      pause ? "running" : "paused");
		return;
	}
	int rc = cgroup_freeze(c->cgroup, pause);
	if (rc < 0) {
		respond_error(r->a, r->id, "internal", "%s: %s", r->op, strerror(-rc));
		return;
	}
	c->status = pause ? C_PAUSED : C_RUNNING;
	respond_ok(r->a, r->id, NULL);
}

static void op_pause_container(struct req *r)
{
	op_pause(r, true);
}

static void op_resume_container(struct req *r)
{
	op_pause(r, false);
}

static void op_update_container(struct req *r)
{
	struct container *c = container_arg(r, "container_id");
	if (!c)
		return;
	_cleanup_error_ struct kc_error why = {0};
	if (cgroup_apply(c->cgroup, json_object_get(r->j, "resources"), true, &why) < 0) {
		respond_error(r->a, r->id, "invalid", "update_container: %s", kc_error_msg(&why));
		return;
	}
	respond_ok(r->a, r->id, NULL);
}

static void op_stats_container(struct req *r)
{
	struct container *c = container_arg(r, "container_id");
	if (!c)
		return;
	respond_ok(r->a, r->id, json_pack("{s:o}", "stats", cgroup_stats(c->cgroup)));
}

static void op_update_interface(struct req *r)
{
	_cleanup_error_ struct kc_error why = {0};
	if (net_update_interface(r->a, r->j, &why) < 0)
		respond_error(r->a, r->id, "network", "update_interface: %s", kc_error_msg(&why));
	else
		respond_ok(r->a, r->id, NULL);
}

static void op_update_routes(struct req *r)
{
	_cleanup_error_ struct kc_error why = {0};
	if (net_update_routes(r->a, r->j, &why) < 0)
		respond_error(r->a, r->id, "network", "update_routes: %s", kc_error_msg(&why));
	else
		respond_ok(r->a, r->id, NULL);
}

static void op_list_interfaces(struct req *r)
{
	_cleanup_error_ struct kc_error why = {0};
	json_t *l = net_list_interfaces(&why);
	if (!l)
		respond_error(r->a, r->id, "network", "list_interfaces: %s", kc_error_msg(&why));
	else
		respond_ok(r->a, r->id, l);
}

static void op_list_routes(struct req *r)
{
	_cleanup_error_ struct kc_error why = {0};
	json_t *l = net_list_routes(&why);
	if (!l)
		respond_error(r->a, r->id, "network", "list_routes: %s", kc_error_msg(&why));
	else
		respond_ok(r->a, r->id, l);
}

static void op_online_resources(struct req *r)
{
	respond_ok(r->a, r->id, hotplug_online(r->j));
}

static const struct {
	const char *name;
	void (*fn)(struct req *r);
} ops[] = {
    {"ping", op_ping},
    {"create_sandbox", op_create_sandbox},
    {"load_modules", op_load_modules},
    {"destroy_sandbox", op_destroy_sandbox},
    {"create_container", op_create_container},
    {"start_container", op_start_container},
    {"exec_process", op_exec_process},
    {"signal_process", op_signal_process},
    {"wait_process", op_wait_process},
    {"release_stream", op_release_stream},
    {"resize_tty", op_resize_tty},
    {"ps", op_ps},
    {"list_containers", op_list_containers},
    {"remove_container", op_remove_container},
    {"pause_container", op_pause_container},
    {"resume_container", op_resume_container},
    {"update_container", op_update_container},
    {"stats_container", op_stats_container},
    {"update_interface", op_update_interface},
    {"update_routes", op_update_routes},
    {"list_interfaces", op_list_interfaces},
    {"list_routes", op_list_routes},
    {"online_resources", op_online_resources},
    {"shutdown", op_shutdown},
};

void handle_request(struct agent *a, json_t *j)
{
	struct req r = {a, j, json_object_get(j, "id"), NULL};
	if (!r.id || !(json_is_integer(r.id) || json_is_string(r.id))) {
		channel_send_error(&a->ch, 0, "request without an 'id' (an integer or a string)");
		return;
	}
	r.op = json_string_value(json_object_get(j, "op"));
	if (!r.op) {
		respond_error(a, r.id, "invalid", "request without an 'op'");
		return;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].name, r.op)) {
			ops[i].fn(&r);
			return;
		}
	respond_error(a, r.id, "unknown_op", "unknown operation '%s'", r.op);
}
