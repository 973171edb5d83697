/* kata-proxy's multiplexing (see proxy.h). One thread, one poll loop over
 * the agent connection, the listening socket and the clients; every
 * connection has a decoder and a queue written without blocking. */
#include "proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent_client.h"
#include "log.h"
#include "proto.h"
#include "strbuf.h"
#include "xalloc.h"

#define MAX_CLIENTS	   64
#define CLIENT_QUEUE_LIMIT (8u << 20) /* a client this far behind is dropped */

struct conn {
	int fd;
	struct frame_decoder dec;
	struct byteq out;
	bool hello;
	unsigned serial; /* tells a reused slot from the client that left it */
};

struct pending {
	json_int_t proxy_id;
	int client;
	unsigned serial;
	json_t *client_id;
	bool owns_stream; /* create_container / exec_process: the client owns the new stream */
};

/* Who owns a stream: an open-addressed table keyed by stream number. An
 * entry lives as long as its client's connection (the shim's lasts as
 * long as its process), so the table holds live streams only, and a
 * frame costs one look-up however many processes came and went. */
struct owner {
	uint32_t stream; /* 0: a free slot */
	int client;
	unsigned serial;
	bool standin; /* claimed with attach_stream: the process's host side */
};

struct owner_table {
	struct owner *slots;
	size_t cap, n; /* cap: a power of two, or 0 */
};

struct proxy {
	struct conn agent;
	json_t *agent_hello;
	struct conn clients[MAX_CLIENTS];
	int listen_fd;
	unsigned next_serial;
	json_int_t next_id;
	struct pending *pending;
	size_t npending, cappending;
	struct owner_table owners;
	int fs_server_fd, vm_fd; /* pidfds, -1 for none */
	pid_t fs_server_pid;
};

static void conn_init(struct conn *c, int fd, unsigned serial)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->serial = serial;
	frame_decoder_init(&c->dec);
}

static void conn_free(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	frame_decoder_free(&c->dec);
	byteq_free(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void conn_queue(struct conn *c, const void *buf, size_t len)
{
	if (c->fd < 0)
		return;
	byteq_append(&c->out, buf, len);
}

static int conn_flush(struct conn *c)
{
	return byteq_write(&c->out, c->fd) < 0 ? -1 : 0;
}

static void queue_frame(struct conn *c, const struct frame *f, uint32_t len_override)
{
	unsigned char hdr[PROTO_HEADER];
	frame_encode_header(hdr, f->stream, f->type, f->flags, len_override);
	conn_queue(c, hdr, sizeof(hdr));
	conn_queue(c, f->payload, len_override);
}

static void queue_json(struct conn *c, uint32_t stream, uint8_t type, json_t *j)
{
	size_t n;
	unsigned char *b = frame_build_json(stream, type, j, &n);
	conn_queue(c, b, n);
	free(b);
	json_decref(j);
}

static void client_error(struct conn *c, json_t *id, const char *code, const char *msg)
{
	queue_json(c, 0, FRAME_RESPONSE,
		   json_pack("{s:O, s:b, s:s, s:s}", "id", id ? id : json_null(), "ok", 0, "code",
			     code, "error", msg));
}

/* ---- streams ------------------------------------------------------------ */

static size_t slot_of(const struct owner_table *t, uint32_t stream)
{
	return (stream * 2654435761u) & (t->cap - 1);
}

static struct owner *owner_of(struct proxy *p, uint32_t stream)
{
	struct owner_table *t = &p->owners;
	if (!t->cap || !stream)
		return NULL;
	for (size_t i = slot_of(t, stream); t->slots[i].stream; i = (i + 1) & (t->cap - 1))
		if (t->slots[i].stream == stream)
			return &t->slots[i];
	return NULL;
}

static void owners_grow(struct owner_table *t)
{
	struct owner_table bigger = {.cap = t->cap ? t->cap * 2 : 64};
	bigger.slots = xcalloc(bigger.cap, sizeof(*bigger.slots));
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->slots[i].stream)
			continue;
		size_t k = slot_of(&bigger, t->slots[i].stream);
		while (bigger.slots[k].stream)
			k = (k + 1) & (bigger.cap - 1);
		bigger.slots[k] = t->slots[i];
		bigger.n++;
	}
	free(t->slots);
	*t = bigger;
}

static void set_owner(struct proxy *p, uint32_t stream, int client, bool standin)
{
	struct owner *o = owner_of(p, stream);
	if (!o) {
		struct owner_table *t = &p->owners;
		if (2 * (t->n + 1) > t->cap)
			owners_grow(t);
		size_t i = slot_of(t, stream);
		while (t->slots[i].stream)
			i = (i + 1) & (t->cap - 1);
		o = &t->slots[i];
		o->stream = stream;
		t->n++;
	}
	o->client = client;
	o->serial = p->clients[client].serial;
	o->standin = standin;
}

/* Linear probing: close the gap so later entries stay reachable. */
static void owner_remove_slot(struct owner_table *t, size_t i)
{
	t->slots[i].stream = 0;
	t->n--;
	for (size_t j = (i + 1) & (t->cap - 1); t->slots[j].stream; j = (j + 1) & (t->cap - 1)) {
		struct owner moved = t->slots[j];
		t->slots[j].stream = 0;
		size_t k = slot_of(t, moved.stream);
		while (t->slots[k].stream)
			k = (k + 1) & (t->cap - 1);
		t->slots[k] = moved;
	}
}

/* A client left: the streams it owned are forgotten, and the processes it
 * stood for are released - the agent kills those still running (nobody is
 * left to take their output or exit). The agent's answer has no asker. */
static void forget_streams_of(struct proxy *p, int client, unsigned serial)
{
	struct owner_table *t = &p->owners;
	for (size_t i = 0; i < t->cap;) {
		struct owner *o = &t->slots[i];
		if (o->stream && o->client == client && o->serial == serial) {
			if (o->standin)
				queue_json(&p->agent, 0, FRAME_REQUEST,
					   json_pack("{s:I, s:s, s:I}", "id",
						     (json_int_t)p->next_id++, "op",
						     "release_stream", "stream",
						     (json_int_t)o->stream));
			owner_remove_slot(t, i); /* slot i may now hold a moved entry: look again */
		} else {
			i++;
		}
	}
}

static struct conn *stream_client(struct proxy *p, uint32_t stream)
{
	struct owner *o = owner_of(p, stream);
	if (!o || o->client < 0)
		return NULL;
	struct conn *c = &p->clients[o->client];
	return c->fd >= 0 && c->serial == o->serial ? c : NULL;
}

/* ---- agent -> clients --------------------------------------------------- */

static void from_agent(struct proxy *p, struct frame *f)
{
	if (f->stream != 0) {
		struct conn *c = stream_client(p, f->stream);
		if (c)
			queue_frame(c, f, f->len);
		else
			kc_debug("%s frame for stream %u with no client: dropped",
				 frame_type_name(f->type), f->stream);
		return;
	}
	_cleanup_error_ struct kc_error why = {0};
	json_t *j = frame_json(f, &why);
	if (!j) {
		kc_warn("from the agent: %s", kc_error_msg(&why));
		return;
	}
	if (f->type == FRAME_HELLO) {
		/* the answer to a HELLO sent again (agent_client_hello_resending) */
		kc_debug("from the agent: a repeated HELLO's answer");
		json_decref(j);
		return;
	}
	if (f->type != FRAME_RESPONSE) {
		kc_info("from the agent: %s %.*s", frame_type_name(f->type),
			(int)(f->len > 300 ? 300 : f->len), (const char *)f->payload);
		json_decref(j);
		return;
	}
	json_int_t id = json_integer_value(json_object_get(j, "id"));
	for (size_t i = 0; i < p->npending; i++) {
		struct pending *pd = &p->pending[i];
		if (pd->proxy_id != id)
			continue;
		struct conn *c = &p->clients[pd->client];
		if (c->fd >= 0 && c->serial == pd->serial) {
			json_t *stream = json_object_get(j, "stream");
			if (pd->owns_stream && json_is_true(json_object_get(j, "ok")) &&
			    json_is_integer(stream))
				set_owner(p, (uint32_t)json_integer_value(stream), pd->client,
					  false);
			json_object_set(j, "id", pd->client_id);
			queue_json(c, 0, FRAME_RESPONSE, json_incref(j));
		}
		json_decref(pd->client_id);
		p->pending[i] = p->pending[--p->npending];
		break;
	}
	json_decref(j);
}

/* ---- clients -> agent --------------------------------------------------- */

static void client_request(struct proxy *p, int ci, json_t *req)
{
	struct conn *c = &p->clients[ci];
	json_t *id = json_object_get(req, "id");
	const char *op = json_string_value(json_object_get(req, "op"));
	if (!id || !op) {
		client_error(c, id, "invalid", "a request needs an 'id' and an 'op'");
		return;
	}
	if (!strcmp(op, "attach_stream")) {
		json_t *s = json_object_get(req, "stream");
		if (!json_is_integer(s) || json_integer_value(s) <= 0 ||
		    json_integer_value(s) > 0xffffffffLL) {
			client_error(c, id, "invalid",
				     "attach_stream: 'stream' must be a stream number");
			return;
		}
		set_owner(p, (uint32_t)json_integer_value(s), ci, true);
		queue_json(c, 0, FRAME_RESPONSE, json_pack("{s:O, s:b}", "id", id, "ok", 1));
		return;
	}
	if (p->npending == p->cappending) {
		p->cappending = p->cappending ? p->cappending * 2 : 32;
		p->pending = xrealloc(p->pending, p->cappending * sizeof(*p->pending));
	}
	struct pending *pd = &p->pending[p->npending++];
	pd->proxy_id = p->next_id++;
	pd->client = ci;
	pd->serial = c->serial;
	pd->client_id = json_incref(id);
	pd->owns_stream = !strcmp(op, "create_container") || !strcmp(op, "exec_process");
	json_object_set_new(req, "id", json_integer(pd->proxy_id));
	queue_json(&p->agent, 0, FRAME_REQUEST, json_incref(req));
}

static void from_client(struct proxy *p, int ci, struct frame *f)
{
	struct conn *c = &p->clients[ci];
	_cleanup_error_ struct kc_error why = {0};
	if (f->type == FRAME_HELLO) {
		json_t *h = frame_json(f, &why);
		if (!h || proto_hello_check(h, &why) < 0) {
			queue_json(c, 0, FRAME_ERROR,
				   json_pack("{s:s}", "error", kc_error_msg(&why)));
			json_decref(h);
			return;
		}
		json_decref(h);
		c->hello = true;
		json_t *reply = json_deep_copy(p->agent_hello);
		json_object_set_new(reply, "via", json_string("kata-proxy"));
		queue_json(c, 0, FRAME_HELLO, reply);
		return;
	}
	if (!c->hello) {
		queue_json(
		    c, f->stream, FRAME_ERROR,
		    json_pack("{s:s}", "error", "HELLO first: no handshake on this connection"));
		return;
	}
	if (f->type == FRAME_REQUEST) {
		json_t *req = frame_json(f, &why);
		if (!req) {
			queue_json(c, 0, FRAME_ERROR,
				   json_pack("{s:s}", "error", kc_error_msg(&why)));
			return;
		}
		client_request(p, ci, req);
		json_decref(req);
		return;
	}
	if (f->type == FRAME_DATA || f->type == FRAME_CLOSE || f->type == FRAME_WINDOW) {
		struct conn *owner = stream_client(p, f->stream);
		if (owner != c) {
			queue_json(
			    c, f->stream, FRAME_ERROR,
			    json_pack(
				"{s:s}", "error",
				"this stream belongs to another client (attach_stream first)"));
			return;
		}
		queue_frame(&p->agent, f, f->len);
		return;
	}
	queue_json(c, f->stream, FRAME_ERROR,
		   json_pack("{s:s}", "error", "unexpected frame from a client"));
}

/* ---- connections -------------------------------------------------------- */

/* Read and dispatch; -1 when the connection is finished. */
static int read_conn(struct proxy *p, struct conn *c, int ci)
{
	unsigned char buf[65536];
	ssize_t n = read(c->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	frame_decoder_feed(&c->dec, buf, (size_t)n);
	for (;;) {
		struct frame f;
		_cleanup_error_ struct kc_error why = {0};
		uint32_t bad = 0;
		enum decode_result r = frame_decode(&c->dec, &f, &bad, &why);
		if (r == DECODE_NONE)
			break;
		if (r == DECODE_REJECTED) {
			if (ci < 0)
				kc_warn("from the agent: %s", kc_error_msg(&why));
			else
				queue_json(c, bad, FRAME_ERROR,
					   json_pack("{s:s}", "error", kc_error_msg(&why)));
			continue;
		}
		if (ci < 0)
			from_agent(p, &f);
		else
			from_client(p, ci, &f);
		frame_free(&f);
	}
	return 0;
}

static void drop_client(struct proxy *p, int ci)
{
	kc_debug("client %d left", ci);
	forget_streams_of(p, ci, p->clients[ci].serial);
	conn_free(&p->clients[ci]);
	/* its pending answers are tied to its serial: they lapse */
}

static int listen_on(const char *path, struct kc_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return kc_error_set(err, 0, "socket path %s is too long", path);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return kc_error_set(err, errno, "socket");
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 16) < 0) {
		int e = errno;
		close(fd);
		return kc_error_set(err, e, "listen on %s", path);
	}
	return fd;
}

/* The one connection to the agent, and its handshake. */
static int connect_agent(struct proxy *p, const struct proxy_options *o, struct kc_error *err)
{
	struct agent_client ac;
	if (agent_client_connect(&ac, o->agent_socket, o->connect_timeout_ms, err) < 0 ||
	    agent_client_hello_resending(&ac, "proxy", o->connect_timeout_ms, err) < 0)
		return kc_error_wrap(err, "agent at %s", o->agent_socket);
	p->agent_hello = json_incref(ac.hello);
	conn_init(&p->agent, ac.fd, 0);
	/* anything the agent sent after its HELLO stays in order */
	while (agent_client_has_queued(&ac)) {
		struct frame f;
		if (agent_client_next_frame(&ac, &f, 0, err) > 0) {
			from_agent(p, &f);
			frame_free(&f);
		}
	}
	ac.fd = -1;
	agent_client_close(&ac);
	fcntl(p->agent.fd, F_SETFL, fcntl(p->agent.fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

static void accept_client(struct proxy *p)
{
	int fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	int slot;
	for (slot = 0; slot < MAX_CLIENTS && p->clients[slot].fd >= 0; slot++)
		;
	if (slot == MAX_CLIENTS) {
		kc_warn("too many clients: one refused");
		close(fd);
		return;
	}
	conn_init(&p->clients[slot], fd, ++p->next_serial);
}

/* The file server's end: the guest's files are gone, and every access to
 * them would wait for ever. The VM goes, as Kata 2 has it; its channel
 * closes and everyone waiting on it hears of the end. */
static void fs_server_died(struct proxy *p)
{
	kc_error_log(
	    "the VM's file server (virtiofsd, pid %d) has exited: the container's files are "
	    "gone; stopping the VM",
	    (int)p->fs_server_pid);
	if (p->fs_server_fd >= 0)
		close(p->fs_server_fd);
	p->fs_server_fd = -1;
	if (p->vm_fd >= 0 && pidfd_send_signal(p->vm_fd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		kc_error_log("stop the VM: %s", strerror(errno));
}

/* A pidfd for a process the runtime started just before us, -1 for none;
 * *gone (when asked) is set when it has already exited (any other
 * failure, a kernel without pidfds say, only loses the watch). */
static int watch_pid(pid_t pid, const char *what, bool *gone)
{
	if (pid <= 0)
		return -1;
	int fd = pidfd_open(pid, 0);
	if (fd < 0) {
		if (gone)
			*gone = errno == ESRCH;
		kc_warn("%s (pid %d): %s", what, (int)pid, strerror(errno));
	} else {
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	return fd;
}

/* One poll round over the agent, the listening socket and the clients;
 * 1 when the agent's channel has closed, -1 on error. */
static int serve_once(struct proxy *p, struct kc_error *err)
{
	struct pollfd fds[MAX_CLIENTS + 2];
	int map[MAX_CLIENTS + 2];
	int n = 0;
	fds[n] =
	    (struct pollfd){p->agent.fd, POLLIN | (byteq_pending(&p->agent.out) ? POLLOUT : 0), 0};
	map[n++] = -1;
	fds[n] = (struct pollfd){p->listen_fd, POLLIN, 0};
	map[n++] = -2;
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (p->clients[i].fd >= 0) {
			struct conn *c = &p->clients[i];
			fds[n] = (struct pollfd){
			    c->fd, POLLIN | (byteq_pending(&c->out) ? POLLOUT : 0), 0};
			map[n++] = i;
		}
	if (p->fs_server_fd >= 0) {
		fds[n] = (struct pollfd){p->fs_server_fd, POLLIN, 0};
		map[n++] = -3;
	}
	if (poll(fds, (nfds_t)n, -1) < 0)
		return errno == EINTR ? 0 : kc_error_set(err, errno, "poll");
	bool agent_gone = false;
	for (int k = 0; k < n; k++) {
		if (!fds[k].revents)
			continue;
		if (map[k] == -3) {
			fs_server_died(p);
		} else if (map[k] == -1) {
			if ((fds[k].revents & POLLOUT) && conn_flush(&p->agent) < 0)
				agent_gone = true;
			if ((fds[k].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    read_conn(p, &p->agent, -1) < 0)
				agent_gone = true;
		} else if (map[k] == -2) {
			accept_client(p);
		} else {
			int ci = map[k];
			struct conn *c = &p->clients[ci];
			if (c->fd < 0)
				continue;
			if ((fds[k].revents & POLLOUT) && conn_flush(c) < 0) {
				drop_client(p, ci);
				continue;
			}
			if ((fds[k].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    read_conn(p, c, ci) < 0)
				drop_client(p, ci);
		}
	}
	/* write what is queued now; the poll catches the rest */
	if (conn_flush(&p->agent) < 0)
		agent_gone = true;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct conn *c = &p->clients[i];
		if (c->fd < 0)
			continue;
		if (conn_flush(c) < 0 || byteq_pending(&c->out) > CLIENT_QUEUE_LIMIT)
			drop_client(p, i);
	}
	return agent_gone ? 1 : 0;
}

int proxy_run(const struct proxy_options *o, struct kc_error *err)
{
	struct proxy p = {0};
	p.next_id = 1;
	p.fs_server_fd = p.vm_fd = -1;
	for (int i = 0; i < MAX_CLIENTS; i++)
		p.clients[i].fd = -1;

	if (connect_agent(&p, o, err) < 0)
		return -1;
	p.listen_fd = listen_on(o->listen_socket, err);
	if (p.listen_fd < 0) {
		conn_free(&p.agent);
		json_decref(p.agent_hello);
		return -1;
	}
	p.fs_server_pid = o->fs_server_pid;
	bool fs_gone = false;
	p.vm_fd = watch_pid(o->vm_pid, "the VM", NULL);
	p.fs_server_fd = watch_pid(o->fs_server_pid, "the file server", &fs_gone);
	/* already gone: the VM cannot have its files */
	if (fs_gone)
		fs_server_died(&p);
	kc_info("serving %s for the agent at %s (agent %s, kernel %s)", o->listen_socket,
		o->agent_socket, json_string_value(json_object_get(p.agent_hello, "agent_version")),
		json_string_value(json_object_get(p.agent_hello, "kernel")));
	if (o->ready_fd >= 0) {
		if (write(o->ready_fd, "R", 1) < 0) {
			/* the parent went away: keep serving anyway */
		}
		close(o->ready_fd);
	}

	int rc;
	while ((rc = serve_once(&p, err)) == 0)
		;
	if (rc > 0) {
		kc_info("the agent's channel closed: the VM is gone");
		rc = 0;
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (p.clients[i].fd >= 0)
			conn_free(&p.clients[i]);
	conn_free(&p.agent);
	close(p.listen_fd);
	unlink(o->listen_socket);
	for (size_t i = 0; i < p.npending; i++)
		json_decref(p.pending[i].client_id);
	free(p.pending);
	free(p.owners.slots);
	json_decref(p.agent_hello);
	if (p.fs_server_fd >= 0)
		close(p.fs_server_fd);
	if (p.vm_fd >= 0)
		close(p.vm_fd);
	return rc;
}
