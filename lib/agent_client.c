/* Agent protocol client (see agent_client.h). */
#include "agent_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/vm_sockets.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fs.h"
#include "strbuf.h"
#include "xalloc.h"

void agent_client_init(struct agent_client *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->next_id = 1;
	frame_decoder_init(&c->dec);
}

/* vsock://CID:PORT: the agent's vsock port (a guest booting: retried) */
static int connect_vsock(struct agent_client *c, const char *uri, int timeout_ms,
			 struct kc_error *err)
{
	unsigned cid, port;
	if (sscanf(uri, "vsock://%u:%u", &cid, &port) != 2)
		return kc_error_set(err, 0, "'%s' is not vsock://CID:PORT", uri);
	struct sockaddr_vm sa = {.svm_family = AF_VSOCK, .svm_cid = cid, .svm_port = port};
	long long deadline = monotonic_ms() + timeout_ms;
	for (;;) {
		int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return kc_error_set(err, errno, "vsock socket");
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			agent_client_init(c, fd);
			return 0;
		}
		int e = errno;
		close(fd);
		if (monotonic_ms() >= deadline)
			return kc_error_set(err, e, "connect to %s", uri);
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

int agent_client_connect(struct agent_client *c, const char *path, int timeout_ms,
			 struct kc_error *err)
{
	if (!strncmp(path, "vsock://", 8))
		return connect_vsock(c, path, timeout_ms, err);
	long long deadline = monotonic_ms() + timeout_ms;
	for (;;) {
		int fd = unix_connect_nofollow(path);
		if (fd >= 0) {
			agent_client_init(c, fd);
			return 0;
		}
		int e = -fd;
		if ((e != ENOENT && e != ECONNREFUSED && e != EAGAIN) || monotonic_ms() >= deadline)
			return kc_error_set(err, e, "connect to %s", path);
		struct timespec ts = {0, 5 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

void agent_client_close(struct agent_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	frame_decoder_free(&c->dec);
	for (size_t i = 0; i < c->nqueue; i++)
		frame_free(&c->queue[i]);
	free(c->queue);
	c->queue = NULL;
	c->nqueue = c->capqueue = 0;
	json_decref(c->hello);
	c->hello = NULL;
}

int agent_client_send(struct agent_client *c, const void *frame, size_t len, struct kc_error *err)
{
	int rc = write_all(c->fd, frame, len);
	if (rc < 0)
		return kc_error_set(err, -rc, "write to the agent");
	return 0;
}

int agent_client_send_window(struct agent_client *c, uint32_t stream, uint8_t fd, uint32_t credit,
			     struct kc_error *err)
{
	size_t n;
	unsigned char *b = frame_build_window(stream, fd, credit, &n);
	int rc = agent_client_send(c, b, n, err);
	free(b);
	return rc;
}

static int send_json(struct agent_client *c, uint8_t type, json_t *j, struct kc_error *err)
{
	size_t n;
	unsigned char *b = frame_build_json(0, type, j, &n);
	int rc = agent_client_send(c, b, n, err);
	free(b);
	return rc;
}

static void enqueue(struct agent_client *c, const struct frame *f)
{
	if (c->nqueue == c->capqueue) {
		c->capqueue = c->capqueue ? c->capqueue * 2 : 16;
		c->queue = xrealloc(c->queue, c->capqueue * sizeof(*c->queue));
	}
	c->queue[c->nqueue++] = *f;
}

/* Decode what is buffered into the queue; 0, or -1 (nothing decodable is fatal). */
static void decode_all(struct agent_client *c)
{
	for (;;) {
		struct frame f;
		_cleanup_error_ struct kc_error why = {0};
		uint32_t bad;
		enum decode_result r = frame_decode(&c->dec, &f, &bad, &why);
		if (r == DECODE_NONE)
			return;
		if (r == DECODE_REJECTED) {
			/* shown as an ERROR frame of that stream */
			json_t *j = json_pack("{s:s}", "error", kc_error_msg(&why));
			char *text = json_dumps(j, JSON_COMPACT);
			json_decref(j);
			f = (struct frame){.stream = bad,
					   .type = FRAME_ERROR,
					   .len = (uint32_t)strlen(text),
					   .payload = (unsigned char *)text};
		}
		enqueue(c, &f);
	}
}

static int read_some(struct agent_client *c, int timeout_ms, struct kc_error *err)
{
	struct pollfd p = {c->fd, POLLIN, 0};
	int n;
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return kc_error_set(err, errno, "poll");
	if (n == 0)
		return 0;
	unsigned char buf[65536];
	ssize_t r;
	do
		r = read(c->fd, buf, sizeof(buf));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return kc_error_set(err, errno, "read from the agent");
	if (r == 0)
		return kc_error_set(err, 0, "the agent's channel closed");
	frame_decoder_feed(&c->dec, buf, (size_t)r);
	decode_all(c);
	return 1;
}

int agent_client_pump(struct agent_client *c, struct kc_error *err)
{
	int rc = read_some(c, 0, err);
	return rc < 0 ? -1 : 0;
}

bool agent_client_has_queued(const struct agent_client *c)
{
	return c->nqueue > 0;
}

static void dequeue(struct agent_client *c, size_t i, struct frame *f)
{
	*f = c->queue[i];
	memmove(c->queue + i, c->queue + i + 1, (c->nqueue - i - 1) * sizeof(*c->queue));
	c->nqueue--;
}

int agent_client_next_frame(struct agent_client *c, struct frame *f, int timeout_ms,
			    struct kc_error *err)
{
	long long deadline = timeout_ms < 0 ? -1 : monotonic_ms() + timeout_ms;
	while (!c->nqueue) {
		int left = deadline < 0 ? -1 : (int)(deadline - monotonic_ms());
		if (deadline >= 0 && left <= 0)
			return 0;
		int rc = read_some(c, left, err);
		if (rc < 0)
			return -1;
	}
	dequeue(c, 0, f);
	return 1;
}

/* Wait for the frame matching `want` (HELLO, or the RESPONSE with an id),
 * queueing the rest. */
static json_t *wait_control(struct agent_client *c, uint8_t type, json_int_t id, int timeout_ms,
			    struct kc_error *err)
{
	long long deadline = timeout_ms < 0 ? -1 : monotonic_ms() + timeout_ms;
	size_t scanned = 0;
	for (;;) {
		for (; scanned < c->nqueue; scanned++) {
			struct frame *q = &c->queue[scanned];
			if (q->stream == 0 && q->type == FRAME_ERROR && type == FRAME_HELLO) {
				struct frame f;
				dequeue(c, scanned, &f);
				_cleanup_error_ struct kc_error why = {0};
				json_t *j = frame_json(&f, &why);
				kc_error_set(err, 0, "agent: %s",
					     j ? json_string_value(json_object_get(j, "error"))
					       : kc_error_msg(&why));
				json_decref(j);
				frame_free(&f);
				return NULL;
			}
			if (q->stream != 0 || q->type != type)
				continue;
			_cleanup_error_ struct kc_error why = {0};
			json_t *j = frame_json(q, &why);
			if (type == FRAME_RESPONSE &&
			    (!j || json_integer_value(json_object_get(j, "id")) != id)) {
				json_decref(j);
				continue;
			}
			struct frame f;
			dequeue(c, scanned, &f);
			frame_free(&f);
			if (!j)
				kc_error_set(err, 0, "agent: %s", kc_error_msg(&why));
			return j;
		}
		int left = deadline < 0 ? -1 : (int)(deadline - monotonic_ms());
		if (deadline >= 0 && left <= 0) {
			kc_error_set(err, ETIMEDOUT, "no answer from the agent within %d ms",
				     timeout_ms);
			return NULL;
		}
		if (read_some(c, left, err) < 0)
			return NULL;
	}
}

static int send_hello(struct agent_client *c, const char *role, struct kc_error *err)
{
	unsigned char seed[32];
	char hex[65];
	if (getrandom(seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		memset(seed, 0, sizeof(seed));
	for (size_t i = 0; i < sizeof(seed); i++)
		snprintf(hex + 2 * i, 3, "%02x", seed[i]);
	/* the host's time: a guest resumed from a VM template has the
	 * template's, and sets its clock from this */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	json_t *h =
	    json_pack("{s:i, s:s, s:s, s:I}", "version", PROTO_VERSION, "role", role, "entropy",
		      hex, "realtime_ns", (json_int_t)now.tv_sec * 1000000000 + now.tv_nsec);
	int rc = send_json(c, FRAME_HELLO, h, err);
	json_decref(h);
	return rc;
}

static int accept_hello(struct agent_client *c, json_t *peer, struct kc_error *err)
{
	_cleanup_error_ struct kc_error why = {0};
	if (proto_hello_check(peer, &why) < 0) {
		json_decref(peer);
		return kc_error_set(err, 0, "agent: %s", kc_error_msg(&why));
	}
	json_decref(c->hello);
	c->hello = peer;
	return 0;
}

int agent_client_hello(struct agent_client *c, const char *role, int timeout_ms,
		       struct kc_error *err)
{
	if (send_hello(c, role, err) < 0)
		return -1;
	json_t *peer = wait_control(c, FRAME_HELLO, 0, timeout_ms, err);
	return peer ? accept_hello(c, peer, err) : -1;
}

#define HELLO_RESEND_FIRST_MS 250
#define HELLO_RESEND_MAX_MS   4000

int agent_client_hello_resending(struct agent_client *c, const char *role, int timeout_ms,
				 struct kc_error *err)
{
	long long deadline = monotonic_ms() + timeout_ms;
	int gap = HELLO_RESEND_FIRST_MS;
	for (;;) {
		if (send_hello(c, role, err) < 0)
			return -1;
		long long left = deadline - monotonic_ms();
		_cleanup_error_ struct kc_error why = {0};
		json_t *peer = wait_control(c, FRAME_HELLO, 0,
					    left < gap ? (int)(left > 0 ? left : 0) : gap, &why);
		if (peer)
			return accept_hello(c, peer, err);
		if (kc_error_code(&why) != ETIMEDOUT) {
			kc_error_move(err, &why);
			return -1;
		}
		if (monotonic_ms() >= deadline)
			return kc_error_set(err, ETIMEDOUT, "no answer from the agent within %d ms",
					    timeout_ms);
		gap = gap * 2 > HELLO_RESEND_MAX_MS ? HELLO_RESEND_MAX_MS : gap * 2;
	}
}

json_int_t agent_client_send_request(struct agent_client *c, const char *op, json_t *args,
				     struct kc_error *err)
{
	json_t *req = args ? args : json_object();
	json_int_t id = c->next_id++;
	json_object_set_new(req, "id", json_integer(id));
	json_object_set_new(req, "op", json_string(op));
	int rc = send_json(c, FRAME_REQUEST, req, err);
	json_decref(req);
	return rc < 0 ? -1 : id;
}

json_t *agent_client_call(struct agent_client *c, const char *op, json_t *args, int timeout_ms,
			  struct kc_error *err)
{
	c->last_code[0] = '\0';
	json_int_t id = agent_client_send_request(c, op, args, err);
	if (id < 0)
		return NULL;
	json_t *r = wait_control(c, FRAME_RESPONSE, id, timeout_ms, err);
	if (!r)
		return NULL;
	if (!json_is_true(json_object_get(r, "ok"))) {
		const char *msg = json_string_value(json_object_get(r, "error"));
		const char *code = json_string_value(json_object_get(r, "code"));
		snprintf(c->last_code, sizeof(c->last_code), "%s", code ? code : "unknown");
		/* the codes callers decide on, as errno values (the agent's own
		 * code stays in last_code) */
		int e = !code			     ? 0
			: !strcmp(code, "exists")    ? EEXIST
			: !strcmp(code, "not_found") ? ENOENT
						     : 0;
		kc_error_setc(err, e, "%s", msg ? msg : "the agent refused without a reason");
		json_decref(r);
		return NULL;
	}
	return r;
}
