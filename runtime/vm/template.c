/* VM templates over QMP (see template.h). */
#include "template.h"

#include <string.h>
#include <time.h>

#include "clock.h"
#include "hotplug.h"
#include "qmp.h"

#define STATE_FD_NAME "template-state"

static int command(struct qmp *q, const char *cmd, json_t *args, struct kc_error *err)
{
	json_t *r = qmp_execute(q, cmd, args, HOTPLUG_QMP_MS, err);
	if (!r)
		return kc_error_wrap(err, "%s", cmd);
	json_decref(r);
	return 0;
}

/* The RAM of a template is its file: only the devices' state goes over. */
static int ignore_shared(struct qmp *q, struct kc_error *err)
{
	return command(q, "migrate-set-capabilities",
		       json_pack("{s:[{s:s, s:b}]}", "capabilities", "capability",
				 "x-ignore-shared", "state", 1),
		       err);
}

static int pass_state_fd(struct qmp *q, int fd, struct kc_error *err)
{
	json_t *r = qmp_execute_fd(q, "getfd", json_pack("{s:s}", "fdname", STATE_FD_NAME), fd,
				   HOTPLUG_QMP_MS, err);
	if (!r)
		return kc_error_wrap(err, "getfd");
	json_decref(r);
	return 0;
}

/* Poll query-migrate until it completes (or fails, or time runs out). */
static int wait_migration(struct qmp *q, struct kc_error *err)
{
	long long deadline = monotonic_ms() + TEMPLATE_MIGRATE_MS;
	for (;;) {
		json_t *r = qmp_execute(q, "query-migrate", NULL, HOTPLUG_QMP_MS, err);
		if (!r)
			return kc_error_wrap(err, "query-migrate");
		const char *st = json_string_value(json_object_get(r, "status"));
		char status[32] = "";
		if (st)
			snprintf(status, sizeof(status), "%s", st);
		const char *why = json_string_value(json_object_get(r, "error-desc"));
		int rc = 1;
		if (!strcmp(status, "completed"))
			rc = 0;
		else if (!strcmp(status, "failed") || !strcmp(status, "cancelled"))
			rc = kc_error_set(err, 0, "migration %s%s%s", status, why ? ": " : "",
					  why ? why : "");
		json_decref(r);
		if (rc <= 0)
			return rc;
		if (monotonic_ms() >= deadline)
			return kc_error_set(err, 0, "migration still %s after %d s", status,
					    TEMPLATE_MIGRATE_MS / 1000);
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

/* The device state over the passed fd, one way or the other (migrate
 * or migrate-incoming), the memory left out. */
static int transfer(struct qmp *q, const char *cmd, int state_fd, struct kc_error *err)
{
	int rc = ignore_shared(q, err);
	if (rc == 0)
		rc = pass_state_fd(q, state_fd, err);
	if (rc == 0)
		rc = command(q, cmd, json_pack("{s:s}", "uri", "fd:" STATE_FD_NAME), err);
	if (rc == 0)
		rc = wait_migration(q, err);
	return rc;
}

int qemu_template_save(const char *qmp_socket, int state_fd, struct kc_error *err)
{
	struct qmp q;
	if (qmp_connect(&q, qmp_socket, HOTPLUG_QMP_MS, err) < 0)
		return kc_error_wrap(err, "save the template");
	int rc = command(&q, "stop", NULL, err);
	if (rc == 0)
		rc = transfer(&q, "migrate", state_fd, err);
	qmp_close(&q);
	return rc < 0 ? kc_error_wrap(err, "save the template's state") : 0;
}

int qemu_template_resume(const char *qmp_socket, int state_fd, struct kc_error *err)
{
	struct qmp q;
	if (qmp_connect(&q, qmp_socket, HOTPLUG_QMP_MS, err) < 0)
		return kc_error_wrap(err, "start from the template");
	int rc = transfer(&q, "migrate-incoming", state_fd, err);
	/* the template was saved paused, and so the state comes in */
	if (rc == 0)
		rc = command(&q, "cont", NULL, err);
	qmp_close(&q);
	return rc < 0 ? kc_error_wrap(err, "resume the template's state") : 0;
}
