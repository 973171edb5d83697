/* ttrpc for the task service: a thread per connection reads requests, a
 * thread per request answers it (Wait blocks for as long as the process
 * lives, while containerd goes on calling on the same connection), and
 * answers are written whole under the connection's lock. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"

#include "log.h"
#include "shimv2.h"
#include "ttrpc.h"
#include "ttrpc.pb-c.h"

#define TASK_SERVICE "containerd.task.v2.Task"

/* gRPC's status codes, as ttrpc carries them */
#define CODE_UNIMPLEMENTED 12
#define CODE_INTERNAL	   13
#define CODE_INVALID	   3

struct conn {
	struct v2shim *s;
	int fd;
	pthread_mutex_t wlock;
	int refs; /* the reader and each request in flight */
};

struct call {
	struct conn *c;
	uint32_t stream;
	Ttrpc__Request *req;
};

static void conn_put(struct conn *c)
{
	pthread_mutex_lock(&c->wlock);
	bool last = --c->refs == 0;
	pthread_mutex_unlock(&c->wlock);
	if (last) {
		close(c->fd);
		pthread_mutex_destroy(&c->wlock);
		free(c);
	}
}

static void respond(struct conn *c, uint32_t stream, int code, const char *message,
		    const uint8_t *payload, size_t len)
{
	Ttrpc__Response resp = TTRPC__RESPONSE__INIT;
	Ttrpc__Status status = TTRPC__STATUS__INIT;
	if (code) {
		status.code = code;
		status.message = (char *)message;
		resp.status = &status;
	} else {
		resp.payload.data = (uint8_t *)payload;
		resp.payload.len = len;
	}
	size_t n = ttrpc__response__get_packed_size(&resp);
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return;
	ttrpc__response__pack(&resp, buf);
	_cleanup_error_ struct kc_error err = {0};
	pthread_mutex_lock(&c->wlock);
	if (ttrpc_write(c->fd, stream, TTRPC_RESPONSE, buf, n, &err) < 0)
		kc_debug("%s", kc_error_msg(&err));
	pthread_mutex_unlock(&c->wlock);
	free(buf);
}

static void *serve_call(void *arg)
{
	struct call *k = arg;
	_cleanup_error_ struct kc_error err = {0};
	uint8_t *out = NULL;
	size_t out_len = 0;
	int code;
	if (strcmp(k->req->service, TASK_SERVICE)) {
		code = CODE_UNIMPLEMENTED;
		kc_error_set(&err, 0, "service %s is not served here", k->req->service);
	} else {
		code = v2_task_call(k->c->s, k->req->method, k->req->payload.data,
				    k->req->payload.len, &out, &out_len, &err);
	}
	if (code)
		kc_debug("%s: %s", k->req->method, kc_error_msg(&err));
	respond(k->c, k->stream, code, kc_error_msg(&err), out, out_len);
	free(out);
	ttrpc__request__free_unpacked(k->req, NULL);
	conn_put(k->c);
	free(k);
	return NULL;
}

static void *serve_conn(void *arg)
{
	struct conn *c = arg;
	for (;;) {
		struct ttrpc_msg m;
		_cleanup_error_ struct kc_error err = {0};
		int rc = ttrpc_read(c->fd, &m, &err);
		if (rc <= 0) {
			if (rc < 0)
				kc_debug("%s", kc_error_msg(&err));
			break;
		}
		if (m.type != TTRPC_REQUEST) {
			ttrpc_msg_free(&m);
			continue;
		}
		if (m.too_long) {
			respond(c, m.stream, CODE_INVALID, "message over ttrpc's 4 MiB limit", NULL,
				0);
			continue;
		}
		Ttrpc__Request *req = ttrpc__request__unpack(NULL, m.len, m.payload);
		ttrpc_msg_free(&m);
		if (!req) {
			respond(c, m.stream, CODE_INVALID, "a request that is not a ttrpc Request",
				NULL, 0);
			continue;
		}
		struct call *k = calloc(1, sizeof(*k));
		if (!k) {
			ttrpc__request__free_unpacked(req, NULL);
			respond(c, m.stream, CODE_INTERNAL, "out of memory", NULL, 0);
			continue;
		}
		k->c = c;
		k->stream = m.stream;
		k->req = req;
		pthread_mutex_lock(&c->wlock);
		c->refs++;
		pthread_mutex_unlock(&c->wlock);
		pthread_t t;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, serve_call, k)) {
			respond(c, m.stream, CODE_INTERNAL, "no thread for the request", NULL, 0);
			ttrpc__request__free_unpacked(req, NULL);
			free(k);
			conn_put(c);
		}
		pthread_attr_destroy(&attr);
	}
	conn_put(c);
	return NULL;
}

/* accept(2) failed: 1 to go on (the connection waits in the backlog, or
 * is gone), 0 for a failure of the socket itself. Out of descriptors or
 * memory, the daemon waits for connections to close rather than exit:
 * containerd would lose the pod's only daemon. */
static int accept_failed(int e)
{
	static long long last_said;
	switch (e) {
	case EINTR:
	case EAGAIN:
	case ECONNABORTED:
	case EPROTO: return 1;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		if (monotonic_ms() - last_said > 10000) {
			kc_warn("accept: %s; connections wait until others close", strerror(e));
			last_said = monotonic_ms();
		}
		poll(NULL, 0, 100);
		return 1;
	default: return 0;
	}
}

int v2_server_run(struct v2shim *s, struct kc_error *err)
{
	/* SIGTERM and SIGINT (blocked in every thread): a clean exit, with
	 * the socket removed */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	_cleanup_close_ int sfd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return kc_error_set(err, errno, "signalfd");
	for (;;) {
		pthread_mutex_lock(&s->lock);
		bool done = s->shutdown;
		pthread_mutex_unlock(&s->lock);
		if (done)
			return 0;
		struct pollfd pfd[2] = {{s->listen_fd, POLLIN, 0}, {sfd, POLLIN, 0}};
		int n = poll(pfd, 2, 200);
		if (n < 0 && errno != EINTR)
			return kc_error_set(err, errno, "poll");
		if (n <= 0)
			continue;
		struct signalfd_siginfo si;
		if ((pfd[1].revents & POLLIN) &&
		    read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			kc_info("%s: shutting down", strsignal((int)si.ssi_signo));
			return 0;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (accept_failed(errno))
				continue;
			return kc_error_set(err, errno, "accept");
		}
		struct conn *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->s = s;
		c->fd = fd;
		c->refs = 1;
		pthread_mutex_init(&c->wlock, NULL);
		pthread_t t;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, serve_conn, c))
			conn_put(c);
		pthread_attr_destroy(&attr);
	}
}
