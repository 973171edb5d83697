/* The task service: containerd's calls on the runtime's own code. Every
 * lifecycle step runs under s->lock (the runtime's code is not meant for
 * two threads at once); only the stdio carriers run beside it. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_client.h"
#include "create.h"
#include "github.com/containerd/cgroups/v2/stats/metrics.pb-c.h"
#include "github.com/containerd/containerd/api/events/task.pb-c.h"
#include "github.com/containerd/containerd/runtime/v2/task/shim.pb-c.h"
#include "log.h"
#include "oci.h"
#include "oci_spec.h"
#include "shimv2.h"
#include "strbuf.h"
#include "xalloc.h"

/* gRPC's status codes: containerd turns them into its errdefs */
enum {
	OK = 0,
	INVALID = 3,
	NOT_FOUND = 5,
	EXISTS = 6,
	PRECONDITION = 9,
	UNIMPLEMENTED = 12,
	INTERNAL = 13,
};

#define PROCESS_TYPE_URL   "types.containerd.io/opencontainers/runtime-spec/1/Process"
#define RESOURCES_TYPE_URL "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources"

static void now_ts(Google__Protobuf__Timestamp *t, const struct timespec *at)
{
	struct timespec ts;
	if (!at || !at->tv_sec) {
		clock_gettime(CLOCK_REALTIME, &ts);
		at = &ts;
	}
	t->seconds = at->tv_sec;
	t->nanos = (int32_t)at->tv_nsec;
}

/* The message in err, the status code as the value. */
#define FAIL(code, ...) (kc_error_set(err, 0, __VA_ARGS__), (code))

/* The process a request names, or NULL with ENOENT in err. */
static struct v2proc *proc_arg(struct v2shim *s, const char *id, const char *exec_id,
			       struct kc_error *err)
{
	struct v2proc *p = v2_proc_find(s, id, exec_id);
	if (!p && exec_id && *exec_id)
		kc_error_setc(err, ENOENT, "exec %s of container %s does not exist", exec_id, id);
	else if (!p)
		kc_error_setc(err, ENOENT, "container %s does not exist", id);
	return p;
}

/* A response with room for one timestamp after it (set from at, or now). */
static void *with_stamp(size_t size, Google__Protobuf__Timestamp **t, const struct timespec *at)
{
	char *resp = xcalloc(1, size + sizeof(Google__Protobuf__Timestamp));
	*t = (Google__Protobuf__Timestamp *)(resp + size);
	google__protobuf__timestamp__init(*t);
	now_ts(*t, at);
	return resp;
}

/* ---- the runtime's side ---------------------------------------------------- */

void v2_record_stopped(struct v2shim *s, const char *id)
{
	struct ctr c;
	_cleanup_error_ struct kc_error err = {0};
	if (ctr_open(&s->rt, id, &c, &err) < 0)
		return;
	json_object_set_new(c.state, "status", json_string("stopped"));
	if (ctr_save(&c, &err) < 0)
		kc_warn("%s: %s", id, kc_error_msg(&err));
	ctr_close(&c);
}

char *v2_proxy_socket(struct v2shim *s, const char *id, struct kc_error *err)
{
	struct ctr c;
	if (ctr_open(&s->rt, id, &c, err) < 0)
		return NULL;
	char *path = NULL;
	if (!c.have_sandbox)
		kc_error_set(err, 0, "container %s has no sandbox", id);
	else
		path = xasprintf("%s/proxy.sock", c.sb.vm_dir);
	ctr_close(&c);
	return path;
}

/* One agent call for a container, through its sandbox's proxy. */
static json_t *agent_call(struct v2shim *s, const char *id, const char *op, json_t *args,
			  char code[32], struct kc_error *err)
{
	struct ctr c;
	if (ctr_open(&s->rt, id, &c, err) < 0) {
		json_decref(args);
		return NULL;
	}
	struct agent_client ac;
	json_t *r = NULL;
	if (ctr_agent(&c, &ac, err) == 0) {
		r = agent_client_call(&ac, op, args, 10000, err);
		args = NULL;
		if (code)
			snprintf(code, 32, "%s", ac.last_code);
		agent_client_close(&ac);
	}
	json_decref(args);
	ctr_close(&c);
	return r;
}

/* ---- the calls --------------------------------------------------------------- */

static int do_create(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__CreateTaskRequest *r = in;
	if (!oci_valid_id(r->id))
		return FAIL(INVALID, "invalid container id '%s'", r->id);
	if (v2_proc_find(s, r->id, NULL))
		return FAIL(EXISTS, "container %s already exists", r->id);
	if (r->checkpoint && *r->checkpoint)
		return FAIL(UNIMPLEMENTED, "checkpoints cannot be restored into a VM");
	if (v2_options_apply(s, r->options, err) < 0)
		return INVALID;
	if (r->n_rootfs &&
	    v2_mount_rootfs(r->bundle, (void *const *)r->rootfs, r->n_rootfs, err) < 0)
		return INTERNAL;
	struct create_args a = {.id = r->id, .bundle = r->bundle, .carried = true};
	struct create_result res;
	if (create_container(&s->rt, &a, &res, err) < 0) {
		if (r->n_rootfs)
			v2_umount_rootfs(r->bundle);
		return kc_error_code(err) == EEXIST ? EXISTS : INTERNAL;
	}
	struct v2proc *p = v2_proc_add(s, r->id, NULL);
	if (!p)
		return FAIL(INTERNAL, "out of memory");
	p->bundle = xstrdup(r->bundle);
	p->stdin_path = xstrdup(r->stdin);
	p->stdout_path = xstrdup(r->stdout);
	p->stderr_path = xstrdup(r->stderr);
	p->terminal = res.terminal;
	p->stream = res.stream;
	p->rootfs_mounted = r->n_rootfs > 0;
	p->status = V2_CREATED;
	if (v2_proc_carry(s, p, err) < 0) {
		struct ctr c;
		_cleanup_error_ struct kc_error e2 = {0};
		if (ctr_open(&s->rt, r->id, &c, &e2) == 0) {
			ctr_destroy(&s->rt, &c, true);
			ctr_close(&c);
		}
		if (p->rootfs_mounted)
			v2_umount_rootfs(r->bundle);
		v2_proc_remove(s, p);
		return INTERNAL;
	}
	Containerd__Task__V2__CreateTaskResponse *resp = xmalloc(sizeof(*resp));
	containerd__task__v2__create_task_response__init(resp);
	resp->pid = (uint32_t)getpid();
	*out = resp;

	Containerd__Events__TaskCreate ev = CONTAINERD__EVENTS__TASK_CREATE__INIT;
	Containerd__Events__TaskIO io = CONTAINERD__EVENTS__TASK_IO__INIT;
	io.stdin = r->stdin, io.stdout = r->stdout, io.stderr = r->stderr;
	io.terminal = res.terminal;
	ev.container_id = r->id, ev.bundle = r->bundle, ev.io = &io, ev.pid = resp->pid;
	v2_publish(s, "/tasks/create", &ev);
	return OK;
}

static int start_exec(struct v2shim *s, struct v2proc *p, struct kc_error *err)
{
	json_t *r = agent_call(s, p->id, "exec_process",
			       json_pack("{s:s, s:s, s:O}", "container_id", p->id, "exec_id",
					 p->exec_id, "process", p->spec),
			       NULL, err);
	if (!r)
		return -1;
	p->stream = (uint32_t)json_integer_value(json_object_get(r, "stream"));
	json_decref(r);
	return v2_proc_carry(s, p, err);
}

static int do_start(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__StartRequest *r = in;
	struct v2proc *p = proc_arg(s, r->id, r->exec_id, err);
	if (!p)
		return NOT_FOUND;
	if (p->status != V2_CREATED)
		return FAIL(PRECONDITION, "process %s %s is not in the created state", r->id,
			    r->exec_id);
	if (p->exec_id ? start_exec(s, p, err) < 0 : ctr_start(&s->rt, p->id, err) < 0)
		return INTERNAL;
	p->status = V2_RUNNING;
	Containerd__Task__V2__StartResponse *resp = xmalloc(sizeof(*resp));
	containerd__task__v2__start_response__init(resp);
	resp->pid = (uint32_t)getpid();
	*out = resp;
	if (p->exec_id) {
		Containerd__Events__TaskExecStarted ev =
		    CONTAINERD__EVENTS__TASK_EXEC_STARTED__INIT;
		ev.container_id = p->id, ev.exec_id = p->exec_id, ev.pid = resp->pid;
		v2_publish(s, "/tasks/exec-started", &ev);
	} else {
		Containerd__Events__TaskStart ev = CONTAINERD__EVENTS__TASK_START__INIT;
		ev.container_id = p->id, ev.pid = resp->pid;
		v2_publish(s, "/tasks/start", &ev);
	}
	return OK;
}

/* A stopped process leaves the table; the init takes its container (and,
 * the last of a pod, the VM) with it. */
static int do_delete(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__DeleteRequest *r = in;
	struct v2proc *p = proc_arg(s, r->id, r->exec_id, err);
	if (!p)
		return NOT_FOUND;
	if (p->exec_id && p->status == V2_RUNNING)
		return FAIL(PRECONDITION, "exec %s of %s is still running", r->exec_id, r->id);
	if (!p->exec_id) {
		for (struct v2proc *q = s->procs; q; q = q->next)
			if (q != p && !strcmp(q->id, p->id) && q->status == V2_RUNNING)
				return FAIL(PRECONDITION, "container %s still has exec %s running",
					    r->id, q->exec_id);
		if (p->status == V2_RUNNING || p->status == V2_PAUSED)
			return FAIL(PRECONDITION, "container %s is still running", r->id);
		struct ctr c;
		if (ctr_open(&s->rt, p->id, &c, err) == 0) {
			ctr_destroy(&s->rt, &c, true);
			ctr_close(&c);
		}
		/* a created process never started: its carrier ends with the VM */
		pthread_mutex_unlock(&s->lock);
		v2_proc_join(p);
		pthread_mutex_lock(&s->lock);
		if (p->rootfs_mounted)
			v2_umount_rootfs(p->bundle);
		/* the container's execs go with it */
		for (struct v2proc *q = s->procs, *next; q; q = next) {
			next = q->next;
			if (q != p && !strcmp(q->id, p->id)) {
				pthread_mutex_unlock(&s->lock);
				v2_proc_join(q);
				pthread_mutex_lock(&s->lock);
				v2_proc_remove(s, q);
			}
		}
	} else {
		pthread_mutex_unlock(&s->lock);
		v2_proc_join(p);
		pthread_mutex_lock(&s->lock);
	}
	Google__Protobuf__Timestamp *t;
	Containerd__Task__V2__DeleteResponse *resp = with_stamp(sizeof(*resp), &t, &p->exited_at);
	containerd__task__v2__delete_response__init(resp);
	resp->exited_at = t;
	resp->pid = (uint32_t)getpid();
	resp->exit_status = p->status == V2_STOPPED ? (uint32_t)p->exit_status : 137;
	*out = resp;
	if (!p->exec_id) {
		Containerd__Events__TaskDelete ev = CONTAINERD__EVENTS__TASK_DELETE__INIT;
		ev.container_id = p->id, ev.id = p->id, ev.pid = resp->pid;
		ev.exit_status = resp->exit_status, ev.exited_at = t;
		v2_publish(s, "/tasks/delete", &ev);
	}
	v2_proc_remove(s, p);
	pthread_cond_broadcast(&s->changed);
	return OK;
}

static int do_exec(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__ExecProcessRequest *r = in;
	struct v2proc *init = proc_arg(s, r->id, NULL, err);
	if (!init)
		return NOT_FOUND;
	if (init->status != V2_RUNNING)
		return FAIL(PRECONDITION, "cannot exec in container %s: it is not running", r->id);
	if (!r->exec_id || !oci_valid_id(r->exec_id))
		return FAIL(INVALID, "invalid exec id '%s'", r->exec_id ?: "");
	if (v2_proc_find(s, r->id, r->exec_id))
		return FAIL(EXISTS, "exec %s already exists in %s", r->exec_id, r->id);
	if (!r->spec || !r->spec->type_url || strcmp(r->spec->type_url, PROCESS_TYPE_URL))
		return FAIL(INVALID, "exec %s: the spec is not an OCI process (%s)", r->exec_id,
			    r->spec && r->spec->type_url ? r->spec->type_url : "none");
	json_error_t je;
	json_t *spec = json_loadb((const char *)r->spec->value.data, r->spec->value.len, 0, &je);
	struct oci_process check;
	if (!spec || oci_process_parse(spec, &check, err) < 0) {
		if (!spec)
			kc_error_set(err, 0, "%s", je.text);
		json_decref(spec);
		return kc_error_wrap(err, "exec %s: the process", r->exec_id), INVALID;
	}
	oci_process_free(&check);
	struct v2proc *p = v2_proc_add(s, r->id, r->exec_id);
	if (!p) {
		json_decref(spec);
		return FAIL(INTERNAL, "out of memory");
	}
	p->spec = spec;
	p->terminal = r->terminal || json_is_true(json_object_get(spec, "terminal"));
	json_object_set_new(spec, "terminal", json_boolean(p->terminal));
	p->stdin_path = xstrdup(r->stdin);
	p->stdout_path = xstrdup(r->stdout);
	p->stderr_path = xstrdup(r->stderr);
	p->status = V2_CREATED;
	*out = NULL;
	Containerd__Events__TaskExecAdded ev = CONTAINERD__EVENTS__TASK_EXEC_ADDED__INIT;
	ev.container_id = p->id, ev.exec_id = p->exec_id;
	v2_publish(s, "/tasks/exec-added", &ev);
	return OK;
}

static int do_state(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__StateRequest *r = in;
	struct v2proc *p = proc_arg(s, r->id, r->exec_id, err);
	if (!p)
		return NOT_FOUND;
	Google__Protobuf__Timestamp *t;
	Containerd__Task__V2__StateResponse *resp = with_stamp(sizeof(*resp), &t, &p->exited_at);
	containerd__task__v2__state_response__init(resp);
	static const Containerd__V1__Types__Status map[] = {
	    [V2_CREATED] = CONTAINERD__V1__TYPES__STATUS__CREATED,
	    [V2_RUNNING] = CONTAINERD__V1__TYPES__STATUS__RUNNING,
	    [V2_PAUSED] = CONTAINERD__V1__TYPES__STATUS__PAUSED,
	    [V2_STOPPED] = CONTAINERD__V1__TYPES__STATUS__STOPPED,
	};
	resp->id = p->id;
	resp->exec_id = (char *)(p->exec_id ?: "");
	struct v2proc *init = v2_proc_find(s, r->id, NULL);
	resp->bundle = (char *)(init && init->bundle ? init->bundle : "");
	resp->pid = (uint32_t)getpid();
	resp->status = map[p->status];
	resp->stdin = (char *)(p->stdin_path ?: "");
	resp->stdout = (char *)(p->stdout_path ?: "");
	resp->stderr = (char *)(p->stderr_path ?: "");
	resp->terminal = p->terminal;
	if (p->status == V2_STOPPED) {
		resp->exited_at = t;
		resp->exit_status = (uint32_t)p->exit_status;
	}
	*out = resp;
	return OK;
}

static int do_kill(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__KillRequest *r = in;
	struct v2proc *p = proc_arg(s, r->id, r->exec_id, err);
	if (!p)
		return NOT_FOUND;
	*out = NULL;
	if (p->status == V2_STOPPED) {
		/* runc: signalling what is gone is "not found", but --all of a
		 * stopped container has nothing left to do */
		if (r->all)
			return OK;
		return FAIL(NOT_FOUND, "process already finished");
	}
	if (p->status == V2_CREATED && p->exec_id)
		return FAIL(PRECONDITION, "exec %s has not started", p->exec_id);
	json_t *args = json_pack("{s:s, s:i, s:b}", "container_id", p->id, "signal", (int)r->signal,
				 "all", r->all);
	if (p->exec_id)
		json_object_set_new(args, "exec_id", json_string(p->exec_id));
	char code[32] = "";
	json_t *res = agent_call(s, p->id, "signal_process", args, code, err);
	if (!res)
		return !strcmp(code, "state")
			   ? (kc_error_set(err, 0, "process already finished"), NOT_FOUND)
			   : INTERNAL;
	json_decref(res);
	return OK;
}

static int do_resize(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__ResizePtyRequest *r = in;
	struct v2proc *p = proc_arg(s, r->id, r->exec_id, err);
	if (!p)
		return NOT_FOUND;
	*out = NULL;
	if (!p->terminal)
		return OK;
	json_t *args = json_pack("{s:s, s:i, s:i}", "container_id", p->id, "rows", (int)r->height,
				 "cols", (int)r->width);
	if (p->exec_id)
		json_object_set_new(args, "exec_id", json_string(p->exec_id));
	json_t *res = agent_call(s, p->id, "resize_tty", args, NULL, err);
	if (!res)
		return INTERNAL;
	json_decref(res);
	return OK;
}

static int do_close_io(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__CloseIORequest *r = in;
	struct v2proc *p = proc_arg(s, r->id, r->exec_id, err);
	if (!p)
		return NOT_FOUND;
	if (r->stdin)
		v2_proc_close_stdin(p);
	*out = NULL;
	return OK;
}

static int do_wait(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__WaitRequest *r = in;
	struct v2proc *p;
	while ((p = v2_proc_find(s, r->id, r->exec_id)) && p->status != V2_STOPPED)
		pthread_cond_wait(&s->changed, &s->lock);
	if (!p) {
		proc_arg(s, r->id, r->exec_id, err); /* it says which is missing */
		return NOT_FOUND;
	}
	Google__Protobuf__Timestamp *t;
	Containerd__Task__V2__WaitResponse *resp = with_stamp(sizeof(*resp), &t, &p->exited_at);
	containerd__task__v2__wait_response__init(resp);
	resp->exited_at = t;
	resp->exit_status = (uint32_t)p->exit_status;
	*out = resp;
	return OK;
}

static int pause_resume(struct v2shim *s, const char *id, bool pause, struct kc_error *err)
{
	struct v2proc *p = proc_arg(s, id, NULL, err);
	if (!p)
		return NOT_FOUND;
	if (ctr_pause(&s->rt, id, pause, err) < 0)
		return PRECONDITION;
	p->status = pause ? V2_PAUSED : V2_RUNNING;
	if (pause) {
		Containerd__Events__TaskPaused ev = CONTAINERD__EVENTS__TASK_PAUSED__INIT;
		ev.container_id = (char *)id;
		v2_publish(s, "/tasks/paused", &ev);
	} else {
		Containerd__Events__TaskResumed ev = CONTAINERD__EVENTS__TASK_RESUMED__INIT;
		ev.container_id = (char *)id;
		v2_publish(s, "/tasks/resumed", &ev);
	}
	return OK;
}

static int do_pause(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	*out = NULL;
	return pause_resume(s, ((const Containerd__Task__V2__PauseRequest *)in)->id, true, err);
}

static int do_resume(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	*out = NULL;
	return pause_resume(s, ((const Containerd__Task__V2__ResumeRequest *)in)->id, false, err);
}

/* The processes as the host sees them: the shim stands for all of them
 * (as Kata's shim v2 answers with the hypervisor's pid). */
static int do_pids(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__PidsRequest *r = in;
	if (!proc_arg(s, r->id, NULL, err))
		return NOT_FOUND;
	struct pids_resp {
		Containerd__Task__V2__PidsResponse resp;
		Containerd__V1__Types__ProcessInfo info, *list[1];
	} *pr = xcalloc(1, sizeof(*pr));
	containerd__task__v2__pids_response__init(&pr->resp);
	containerd__v1__types__process_info__init(&pr->info);
	pr->info.pid = (uint32_t)getpid();
	pr->list[0] = &pr->info;
	pr->resp.n_processes = 1;
	pr->resp.processes = pr->list;
	*out = pr;
	return OK;
}

static int do_connect(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	(void)s, (void)in, (void)err;
	Containerd__Task__V2__ConnectResponse *resp = xmalloc(sizeof(*resp));
	containerd__task__v2__connect_response__init(resp);
	resp->shim_pid = resp->task_pid = (uint32_t)getpid();
	resp->version = (char *)KC_VERSION;
	*out = resp;
	return OK;
}

/* containerd asks after each task's delete; the daemon goes when it has
 * nothing left to carry. */
static int do_shutdown(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__ShutdownRequest *r = in;
	(void)err;
	*out = NULL;
	if (s->procs && !r->now)
		return OK;
	s->shutdown = true;
	return OK;
}

/* New limits for the container: in the guest, to its cgroup, then the
 * pod's on the host (ctr_update). */
static int do_update(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__UpdateTaskRequest *r = in;
	*out = NULL;
	struct v2proc *p = proc_arg(s, r->id, NULL, err);
	if (!p)
		return NOT_FOUND;
	if (p->status == V2_STOPPED)
		return FAIL(PRECONDITION, "container %s is not running", r->id);
	if (!r->resources || !r->resources->type_url ||
	    strcmp(r->resources->type_url, RESOURCES_TYPE_URL))
		return FAIL(
		    INVALID, "update %s: the resources are not OCI LinuxResources (%s)", r->id,
		    r->resources && r->resources->type_url ? r->resources->type_url : "none");
	json_error_t je;
	json_t *res =
	    json_loadb((const char *)r->resources->value.data, r->resources->value.len, 0, &je);
	if (!json_is_object(res)) {
		json_decref(res);
		return FAIL(INVALID, "update %s: the resources: %s", r->id, je.text);
	}
	if (oci_resources_validate(res, "update", err) < 0) {
		json_decref(res);
		return INVALID;
	}
	struct ctr c;
	int rc = ctr_open(&s->rt, r->id, &c, err);
	if (rc == 0) {
		rc = ctr_update(&s->rt, &c, res, err);
		ctr_close(&c);
	}
	json_decref(res);
	return rc < 0 ? INVALID : OK;
}

/* The container's own cgroup figures from the guest (cgroup v2 there), as
 * containerd's io.containerd.cgroups.v2.Metrics. */
static int do_stats(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	const Containerd__Task__V2__StatsRequest *r = in;
	struct v2proc *p = proc_arg(s, r->id, NULL, err);
	if (!p)
		return NOT_FOUND;
	if (p->status == V2_STOPPED)
		return FAIL(PRECONDITION, "container %s is not running", r->id);
	json_t *res = agent_call(s, r->id, "stats_container",
				 json_pack("{s:s}", "container_id", r->id), NULL, err);
	if (!res)
		return INTERNAL;
	json_t *st = json_object_get(res, "stats");
#define U64(key) ((uint64_t)json_integer_value(json_object_get(st, key)))
	Io__Containerd__Cgroups__V2__PidsStat pids = IO__CONTAINERD__CGROUPS__V2__PIDS_STAT__INIT;
	pids.current = U64("pids");
	Io__Containerd__Cgroups__V2__CPUStat cpu = IO__CONTAINERD__CGROUPS__V2__CPUSTAT__INIT;
	cpu.usage_usec = U64("cpu_usage_ns") / 1000;
	cpu.user_usec = U64("cpu_user_ns") / 1000;
	cpu.system_usec = U64("cpu_system_ns") / 1000;
	Io__Containerd__Cgroups__V2__MemoryStat mem =
	    IO__CONTAINERD__CGROUPS__V2__MEMORY_STAT__INIT;
	mem.usage = U64("memory_usage");
	mem.file = U64("memory_cache");
	/* no limit: what the VM has, as the kernel's "max" would read */
	mem.usage_limit =
	    json_is_integer(json_object_get(st, "memory_limit")) ? U64("memory_limit") : UINT64_MAX;
#undef U64
	json_decref(res);
	Io__Containerd__Cgroups__V2__Metrics m = IO__CONTAINERD__CGROUPS__V2__METRICS__INIT;
	/* read by protobuf-c through m.base (cppcheck cannot see it) */
	m.pids = &pids;	 // cppcheck-suppress unreadVariable
	m.cpu = &cpu;	 // cppcheck-suppress unreadVariable
	m.memory = &mem; // cppcheck-suppress unreadVariable
	size_t n = protobuf_c_message_get_packed_size(&m.base);
	struct stats_resp {
		Containerd__Task__V2__StatsResponse resp;
		Google__Protobuf__Any any;
		uint8_t value[];
	} *sr = xcalloc(1, sizeof(*sr) + n);
	containerd__task__v2__stats_response__init(&sr->resp);
	google__protobuf__any__init(&sr->any);
	protobuf_c_message_pack(&m.base, sr->value);
	sr->any.type_url = (char *)m.base.descriptor->name;
	sr->any.value.data = sr->value;
	sr->any.value.len = n;
	sr->resp.stats = &sr->any;
	*out = sr;
	return OK;
}

static int do_unsupported(struct v2shim *s, const void *in, void **out, struct kc_error *err)
{
	(void)s, (void)in, (void)out;
	kc_error_set(err, 0, "not supported by containerd-shim-kata-v2 yet");
	return UNIMPLEMENTED;
}

typedef int (*handler)(struct v2shim *, const void *, void **, struct kc_error *);

static const struct {
	const char *method;
	handler fn;
} handlers[] = {
    {"State", do_state},       {"Create", do_create},
    {"Start", do_start},       {"Delete", do_delete},
    {"Pids", do_pids},	       {"Pause", do_pause},
    {"Resume", do_resume},     {"Checkpoint", do_unsupported},
    {"Kill", do_kill},	       {"Exec", do_exec},
    {"ResizePty", do_resize},  {"CloseIO", do_close_io},
    {"Update", do_update},     {"Wait", do_wait},
    {"Stats", do_stats},       {"Connect", do_connect},
    {"Shutdown", do_shutdown},
};

int v2_task_call(struct v2shim *s, const char *method, const uint8_t *in, size_t in_len,
		 uint8_t **out, size_t *out_len, struct kc_error *err)
{
	const ProtobufCMethodDescriptor *md = protobuf_c_service_descriptor_get_method_by_name(
	    &containerd__task__v2__task__descriptor, method);
	handler fn = NULL;
	for (size_t i = 0; md && i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (!strcmp(handlers[i].method, method))
			fn = handlers[i].fn;
	if (!fn)
		return kc_error_set(err, 0, "method %s is not in the task service", method),
		       UNIMPLEMENTED;
	ProtobufCMessage *req = protobuf_c_message_unpack(md->input, NULL, in_len, in);
	if (!req)
		return kc_error_set(err, 0, "%s: a request that is not a %s", method,
				    md->input->name),
		       INVALID;
	void *resp = NULL;
	pthread_mutex_lock(&s->lock);
	int code = fn(s, req, &resp, err);
	pthread_mutex_unlock(&s->lock);
	protobuf_c_message_free_unpacked(req, NULL);
	*out = NULL;
	*out_len = 0;
	if (code)
		return code;
	/* the responses with no fields of their own are google.protobuf.Empty */
	if (resp) {
		*out_len = protobuf_c_message_get_packed_size(resp);
		*out = xmalloc(*out_len ? *out_len : 1);
		protobuf_c_message_pack(resp, *out);
		free(resp);
	}
	return OK;
}
