/* v2ctl: a small ttrpc client of containerd-shim-kata-v2's task service,
 * for tests and debugging: the calls ctr has no command for, and raw
 * payloads and frames that a well-behaved containerd never sends.
 *
 *   v2ctl -s SOCKET update ID RESOURCES_JSON   (OCI LinuxResources)
 *   v2ctl -s SOCKET state ID [EXEC_ID]
 *   v2ctl -s SOCKET call METHOD < PAYLOAD      (raw protobuf bytes)
 *   v2ctl -s SOCKET oversized                  (a 5 MiB request)
 *
 * Prints "ok" (or the state) and exits 0, or "error CODE: MESSAGE" and
 * exits 1; 2 for a broken connection or a bad command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "github.com/containerd/containerd/runtime/v2/task/shim.pb-c.h"
#include "ttrpc.h"
#include "ttrpc.pb-c.h"

static int dial(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One request, its response: the payload in *out, or the status printed. */
static int call(int fd, const char *method, const uint8_t *in, size_t len, Ttrpc__Response **out)
{
	Ttrpc__Request req = TTRPC__REQUEST__INIT;
	req.service = (char *)"containerd.task.v2.Task";
	req.method = (char *)method;
	req.payload.data = (uint8_t *)in;
	req.payload.len = len;
	size_t n = ttrpc__request__get_packed_size(&req);
	uint8_t *buf = malloc(n ? n : 1);
	ttrpc__request__pack(&req, buf);
	_cleanup_error_ struct kc_error err = {0};
	int rc = ttrpc_write(fd, 1, TTRPC_REQUEST, buf, n, &err);
	free(buf);
	if (rc < 0) {
		fprintf(stderr, "v2ctl: %s\n", kc_error_msg(&err));
		return 2;
	}
	struct ttrpc_msg m;
	if (ttrpc_read(fd, &m, &err) <= 0) {
		fprintf(stderr, "v2ctl: no response: %s\n",
			err.set ? kc_error_msg(&err) : "connection closed");
		return 2;
	}
	Ttrpc__Response *resp = ttrpc__response__unpack(NULL, m.len, m.payload);
	ttrpc_msg_free(&m);
	if (!resp) {
		fprintf(stderr, "v2ctl: a response that is not a ttrpc Response\n");
		return 2;
	}
	if (resp->status && resp->status->code) {
		printf("error %d: %s\n", resp->status->code, resp->status->message);
		ttrpc__response__free_unpacked(resp, NULL);
		return 1;
	}
	*out = resp;
	return 0;
}

static int update(int fd, const char *id, const char *json)
{
	Containerd__Task__V2__UpdateTaskRequest r = CONTAINERD__TASK__V2__UPDATE_TASK_REQUEST__INIT;
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	any.type_url = (char *)"types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";
	any.value.data = (uint8_t *)json;
	any.value.len = strlen(json);
	r.id = (char *)id;
	r.resources = &any;
	uint8_t buf[8192];
	if (containerd__task__v2__update_task_request__get_packed_size(&r) > sizeof(buf))
		return 2;
	size_t n = containerd__task__v2__update_task_request__pack(&r, buf);
	Ttrpc__Response *resp;
	int rc = call(fd, "Update", buf, n, &resp);
	if (rc == 0) {
		puts("ok");
		ttrpc__response__free_unpacked(resp, NULL);
	}
	return rc;
}

static int state(int fd, const char *id, const char *exec_id)
{
	Containerd__Task__V2__StateRequest r = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	r.id = (char *)id;
	r.exec_id = (char *)(exec_id ?: "");
	uint8_t buf[1024];
	if (containerd__task__v2__state_request__get_packed_size(&r) > sizeof(buf))
		return 2;
	size_t n = containerd__task__v2__state_request__pack(&r, buf);
	Ttrpc__Response *resp;
	int rc = call(fd, "State", buf, n, &resp);
	if (rc)
		return rc;
	Containerd__Task__V2__StateResponse *st = containerd__task__v2__state_response__unpack(
	    NULL, resp->payload.len, resp->payload.data);
	ttrpc__response__free_unpacked(resp, NULL);
	if (!st)
		return 2;
	static const char *const names[] = {"unknown", "created", "running",
					    "stopped", "paused",  "pausing"};
	printf("id=%s status=%s exit_status=%u terminal=%d\n", st->id,
	       st->status < 6 ? names[st->status] : "?", st->exit_status, st->terminal);
	containerd__task__v2__state_response__free_unpacked(st, NULL);
	return 0;
}

static int raw(int fd, const char *method)
{
	uint8_t *buf = malloc(TTRPC_MAX_MESSAGE);
	size_t n = fread(buf, 1, TTRPC_MAX_MESSAGE - 1024, stdin);
	Ttrpc__Response *resp;
	int rc = call(fd, method, buf, n, &resp);
	free(buf);
	if (rc == 0) {
		printf("ok (%zu bytes)\n", resp->payload.len);
		ttrpc__response__free_unpacked(resp, NULL);
	}
	return rc;
}

/* A frame over ttrpc's limit: the shim must answer it and stay in sync. */
static int oversized(int fd)
{
	size_t n = TTRPC_MAX_MESSAGE + (1u << 20);
	unsigned char h[TTRPC_HEADER];
	ttrpc_encode_header(h, (uint32_t)n, 1, TTRPC_REQUEST, 0);
	if (write(fd, h, sizeof(h)) != (ssize_t)sizeof(h))
		return 2;
	uint8_t *junk = calloc(1, n);
	if (!junk)
		return 2;
	for (size_t done = 0; done < n;) {
		ssize_t w = write(fd, junk + done, n - done);
		if (w <= 0) {
			free(junk);
			return 2;
		}
		done += (size_t)w;
	}
	free(junk);
	_cleanup_error_ struct kc_error err = {0};
	struct ttrpc_msg m;
	if (ttrpc_read(fd, &m, &err) <= 0)
		return 2;
	Ttrpc__Response *resp = ttrpc__response__unpack(NULL, m.len, m.payload);
	ttrpc_msg_free(&m);
	if (!resp)
		return 2;
	int rc = resp->status && resp->status->code ? 1 : 0;
	if (rc)
		printf("error %d: %s\n", resp->status->code, resp->status->message);
	ttrpc__response__free_unpacked(resp, NULL);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[1], "-s")) {
		fprintf(stderr, "usage: v2ctl -s SOCKET update ID JSON | state ID [EXEC_ID] | call "
				"METHOD | oversized\n");
		return 2;
	}
	int fd = dial(argv[2]);
	if (fd < 0) {
		fprintf(stderr, "v2ctl: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	const char *cmd = argv[3];
	int rc = 2;
	if (!strcmp(cmd, "update") && argc == 6)
		rc = update(fd, argv[4], argv[5]);
	else if (!strcmp(cmd, "state") && (argc == 5 || argc == 6))
		rc = state(fd, argv[4], argc == 6 ? argv[5] : NULL);
	else if (!strcmp(cmd, "call") && argc == 5)
		rc = raw(fd, argv[4]);
	else if (!strcmp(cmd, "oversized") && argc == 4)
		rc = oversized(fd);
	else
		fprintf(stderr, "v2ctl: unknown command or arguments\n");
	close(fd);
	return rc;
}
