/* QMP client (see qmp.h): one JSON object per line each way; events
 * arriving between a command and its answer are skipped. */
#include "qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fdpass.h"
#include "fs.h"
#include "proto.h"
#include "strbuf.h"
#include "xalloc.h"

static json_t *next_message(struct qmp *q, long long deadline, struct kc_error *err)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		if (nl) {
			size_t n = (size_t)(nl - q->buf) + 1;
			json_error_t je;
			json_t *j = json_loadb(q->buf, n, 0, &je);
			memmove(q->buf, q->buf + n, q->len - n);
			q->len -= n;
			if (j)
				return j;
			continue;
		}
		if (q->len == sizeof(q->buf))
			return kc_error_set(err, 0, "QMP: message too long"), NULL;
		long long left = deadline - monotonic_ms();
		if (left <= 0)
			return kc_error_set(err, ETIMEDOUT, "QMP: no answer"), NULL;
		struct pollfd p = {q->fd, POLLIN, 0};
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		ssize_t r = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return kc_error_set(err, r < 0 ? errno : 0, "QMP: connection closed"), NULL;
		q->len += (size_t)r;
	}
}

int qmp_connect(struct qmp *q, const char *path, int timeout_ms, struct kc_error *err)
{
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	long long deadline = monotonic_ms() + timeout_ms;
	for (;;) {
		q->fd = unix_connect_nofollow(path);
		if (q->fd >= 0)
			break;
		int e = -q->fd;
		q->fd = -1;
		if ((e != ENOENT && e != ECONNREFUSED) || monotonic_ms() >= deadline)
			return kc_error_set(err, e, "QMP %s", path);
		struct timespec ts = {0, 5 * 1000000L};
		nanosleep(&ts, NULL);
	}
	json_t *greeting = next_message(q, deadline + 2000, err);
	if (!greeting)
		return -1;
	json_decref(greeting);
	json_t *r = qmp_execute(q, "qmp_capabilities", NULL, timeout_ms, err);
	if (!r)
		return -1;
	json_decref(r);
	return 0;
}

json_t *qmp_execute(struct qmp *q, const char *command, json_t *args, int timeout_ms,
		    struct kc_error *err)
{
	return qmp_execute_fd(q, command, args, -1, timeout_ms, err);
}

json_t *qmp_execute_fd(struct qmp *q, const char *command, json_t *args, int fd, int timeout_ms,
		       struct kc_error *err)
{
	q->error_desc[0] = '\0';
	json_t *cmd = json_pack("{s:s}", "execute", command);
	if (args)
		json_object_set_new(cmd, "arguments", args);
	char *text = json_dumps(cmd, JSON_COMPACT);
	json_decref(cmd);
	size_t n = strlen(text);
	text = xrealloc(text, n + 2);
	text[n] = '\n';
	/* the descriptor rides on the command's bytes (getfd, add-fd) */
	int rc = fd < 0 ? write_all(q->fd, text, n + 1)
			: (fd_send(q->fd, fd, text, n + 1) == (ssize_t)(n + 1) ? 0 : -errno);
	free(text);
	if (rc < 0)
		return kc_error_set(err, -rc, "QMP %s", command), NULL;
	long long deadline = monotonic_ms() + timeout_ms;
	for (;;) {
		json_t *m = next_message(q, deadline, err);
		if (!m)
			return NULL;
		json_t *ret = json_object_get(m, "return");
		json_t *error = json_object_get(m, "error");
		if (ret) {
			json_incref(ret);
			json_decref(m);
			return ret;
		}
		if (error) {
			const char *desc = json_string_value(json_object_get(error, "desc"));
			snprintf(q->error_desc, sizeof(q->error_desc), "%s", desc ? desc : "");
			kc_error_set(err, 0, "QMP %s: %s", command,
				     desc ? desc : "(no description)");
			json_decref(m);
			return NULL;
		}
		json_decref(m); /* an event */
	}
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}
