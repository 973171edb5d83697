/* The host's end of the agent protocol: a connection to the agent (through
 * QEMU's socket or the proxy), the handshake, requests and their answers.
 * Frames that arrive while a caller waits for something else are kept in
 * order for whoever reads them next. */
#ifndef KC_AGENT_CLIENT_H
#define KC_AGENT_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "proto.h"

struct agent_client {
	int fd;
	struct frame_decoder dec;
	json_int_t next_id;
	json_t *hello;	     /* what the peer said in its HELLO */
	struct frame *queue; /* frames read but not yet taken */
	size_t nqueue, capqueue;
	char last_code[32]; /* the agent's error code of the last failed call */
};

/* Connect to a unix socket, retrying until timeout_ms (QEMU creates its
 * socket a little after it starts). */
int agent_client_connect(struct agent_client *c, const char *path, int timeout_ms,
			 struct kc_error *err);
/* Adopt a connected fd. */
void agent_client_init(struct agent_client *c, int fd);
void agent_client_close(struct agent_client *c);

/* The version handshake: send our HELLO (role, entropy), wait for the peer's. */
int agent_client_hello(struct agent_client *c, const char *role, int timeout_ms,
		       struct kc_error *err);
/* The handshake with the agent itself over its virtio-serial port, the
 * HELLO sent again (0.25 s, 0.5 s, ... at most 4 s apart) until the answer
 * comes or timeout_ms has passed. A guest's port learns that a host is
 * there from a control message that may come after the host's first bytes:
 * a guest resumed from a template or a cache, on a loaded host, can read
 * our HELLO, find it cannot answer yet (no host, it believes) and take its
 * own end of file for the host's departure - the answer is lost, and
 * nothing else would ever ask again. A HELLO answered twice costs a stray
 * HELLO frame, which the caller ignores. */
int agent_client_hello_resending(struct agent_client *c, const char *role, int timeout_ms,
				 struct kc_error *err);

/* Send a request; returns its id. args is stolen (may be NULL). */
json_int_t agent_client_send_request(struct agent_client *c, const char *op, json_t *args,
				     struct kc_error *err);
/* A request and its response: the response object when ok, else NULL with
 * the agent's message in err and its code in c->last_code. */
json_t *agent_client_call(struct agent_client *c, const char *op, json_t *args, int timeout_ms,
			  struct kc_error *err);

/* The next frame (queued ones first): 1, 0 on timeout, -1 on error/EOF. */
int agent_client_next_frame(struct agent_client *c, struct frame *f, int timeout_ms,
			    struct kc_error *err);
/* Read whatever the socket has into the queue without blocking. */
int agent_client_pump(struct agent_client *c, struct kc_error *err);
bool agent_client_has_queued(const struct agent_client *c);

int agent_client_send(struct agent_client *c, const void *frame, size_t len, struct kc_error *err);
int agent_client_send_window(struct agent_client *c, uint32_t stream, uint8_t fd, uint32_t credit,
			     struct kc_error *err);

#endif
