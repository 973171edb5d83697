/* ttrpc's framing, as containerd's shims speak it over a unix socket:
 *
 *   u32 length | u32 stream id | u8 type | u8 flags | payload (length bytes)
 *
 * in network byte order, the payload a protobuf message (a ttrpc Request
 * or Response). Clients use odd stream ids and may have many requests in
 * flight on one connection; a response carries its request's id. A
 * message longer than TTRPC_MAX_MESSAGE is refused without being read
 * whole: its bytes are skipped so the connection stays in sync. */
#ifndef KC_TTRPC_H
#define KC_TTRPC_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define TTRPC_HEADER	  10
#define TTRPC_MAX_MESSAGE (4u << 20) /* ttrpc's own limit */

enum ttrpc_type { TTRPC_REQUEST = 1, TTRPC_RESPONSE = 2 };

struct ttrpc_msg {
	uint32_t stream;
	uint8_t type, flags;
	uint32_t len;
	unsigned char *payload; /* len bytes; owned; NULL when too long */
	int too_long;		/* the payload was skipped: answer with an error */
};

void ttrpc_encode_header(unsigned char h[TTRPC_HEADER], uint32_t len, uint32_t stream, uint8_t type,
			 uint8_t flags);
void ttrpc_decode_header(const unsigned char h[TTRPC_HEADER], uint32_t *len, uint32_t *stream,
			 uint8_t *type, uint8_t *flags);

/* Read one message from a blocking fd: 1, 0 at a clean end of stream
 * (before a header), -1 with err on a broken or truncated one. */
int ttrpc_read(int fd, struct ttrpc_msg *m, struct kc_error *err);
void ttrpc_msg_free(struct ttrpc_msg *m);

/* Write one message whole (header and payload in one writev). */
int ttrpc_write(int fd, uint32_t stream, uint8_t type, const void *payload, size_t len,
		struct kc_error *err);

#endif
