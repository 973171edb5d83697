/* A created container's process: start it (runc's start, the shim v2's
 * Start), pause and resume it. Both front ends call these; the verbs'
 * arguments are theirs. */
#include "runtime.h"

#include <string.h>

#include "agent_client.h"
#include "crash.h"
#include "hooks.h"
#include "log.h"
#include "timeouts.h"

int ctr_start(struct rt *rt, const char *id, struct kc_error *err)
{
	struct ctr c;
	if (ctr_open(rt, id, &c, err) < 0)
		return -1;
	const char *status = ctr_status(&c);
	if (strcmp(status, "created")) {
		kc_error_set(err, 0,
			     !strcmp(status, "stopped")
				 ? "cannot start a container that has stopped"
				 : "cannot start an already running container");
		ctr_close(&c);
		return -1;
	}
	struct agent_client ac;
	if (ctr_agent(&c, &ac, err) < 0) {
		ctr_close(&c);
		return -1;
	}
	/* recorded first: a crash in between is settled by asking the guest */
	json_object_set_new(c.state, "status", json_string("starting"));
	if (ctr_save(&c, err) < 0) {
		agent_client_close(&ac);
		ctr_close(&c);
		return -1;
	}
	crash_point("start:recorded");
	json_t *r = agent_client_call(&ac, "start_container",
				      json_pack("{s:s}", "container_id", id), AGENT_CALL_MS, err);
	agent_client_close(&ac);
	if (!r) {
		json_object_set_new(c.state, "status", json_string("created"));
		_cleanup_error_ struct kc_error e2 = {0};
		ctr_save(&c, &e2);
		ctr_close(&c);
		return -1;
	}
	json_decref(r);
	crash_point("start:started");
	json_object_set_new(c.state, "status", json_string("running"));
	int rc = ctr_save(&c, err);
	crash_point("start:running");
	json_t *hooks = json_object_get(c.state, "hooks");
	if (hooks && rc == 0) {
		json_t *st = ctr_oci_state(&c);
		_cleanup_error_ struct kc_error herr = {0};
		/* a failing poststart hook is a warning (runtime spec) */
		if (hooks_run(hooks, "poststart", st, &herr) < 0)
			kc_warn("%s", kc_error_msg(&herr));
		json_decref(st);
	}
	ctr_close(&c);
	return rc;
}

/* Freeze or thaw a running container's processes in the guest (runc's
 * pause and resume; the shim v2's Pause and Resume). */
int ctr_pause(struct rt *rt, const char *id, bool pause, struct kc_error *err)
{
	struct ctr c;
	if (ctr_open(rt, id, &c, err) < 0)
		return -1;
	const char *status = ctr_status(&c);
	int rc = -1;
	if (strcmp(status, pause ? "running" : "paused")) {
		kc_error_set(err, 0, "container %s is %s, not %s", id, status,
			     pause ? "running" : "paused");
	} else {
		struct agent_client ac;
		if (ctr_agent(&c, &ac, err) == 0) {
			json_t *r = agent_client_call(
			    &ac, pause ? "pause_container" : "resume_container",
			    json_pack("{s:s}", "container_id", id), AGENT_QUERY_MS, err);
			agent_client_close(&ac);
			if (r) {
				json_decref(r);
				json_object_set_new(c.state, "status",
						    json_string(pause ? "paused" : "running"));
				rc = ctr_save(&c, err);
			}
		}
	}
	ctr_close(&c);
	return rc;
}
