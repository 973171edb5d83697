/* The agent protocol, shared by the guest agent, the proxy, the shim and
 * the runtime: one byte stream (virtio-serial, vsock or a unix socket)
 * carrying frames.
 *
 *   u32 length | u32 stream | u8 type | u8 flags | u16 reserved | payload
 *
 * in network byte order. Stream 0 carries JSON control messages (HELLO,
 * REQUEST, RESPONSE, EVENT, ERROR); every process has its own stream
 * carrying raw DATA, CLOSE (end of one direction) and WINDOW (flow control
 * credit), with `flags` naming stdin, stdout or stderr.
 *
 * Flow control: a sender may send as many DATA bytes on (stream, fd) as the
 * receiver has granted with WINDOW frames, and no more; nothing flows
 * before the first grant. A frame longer than the maximum, or of an
 * unknown type, is skipped by its declared length (the stream of bytes
 * stays in sync) and reported as an error on its stream. */
#ifndef KC_PROTO_H
#define KC_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "byteq.h"
#include "error.h"

#define PROTO_VERSION	     1
#define PROTO_HEADER	     12
#define PROTO_MAX_DATA	     (64 * 1024)   /* DATA payload */
#define PROTO_MAX_CONTROL    (1024 * 1024) /* JSON payload */
#define PROTO_DEFAULT_WINDOW (256 * 1024)  /* what receivers usually grant */

/* Where the agent listens: the virtio-serial port QEMU names for it, or a
 * vsock port (both can be changed on the guest's kernel command line) */
#define PROTO_AGENT_PORT_NAME  "agent.channel.0"
#define PROTO_AGENT_VSOCK_PORT 1024

enum frame_type {
	FRAME_HELLO = 1,    /* JSON {"version", "role", "max_data", ...} */
	FRAME_REQUEST = 2,  /* JSON {"id", "op", ...} */
	FRAME_RESPONSE = 3, /* JSON {"id", "ok", "error"?, ...} */
	FRAME_EVENT = 4,    /* JSON {"event", ...} */
	FRAME_DATA = 5,	    /* raw bytes of one process fd */
	FRAME_CLOSE = 6,    /* no more data on that fd */
	FRAME_WINDOW = 7,   /* u32 credit granted for that fd */
	FRAME_ERROR = 8,    /* JSON {"error"}: about this stream */
};

enum stdio_fd { FD_STDIN = 0, FD_STDOUT = 1, FD_STDERR = 2 };

struct frame {
	uint32_t stream;
	uint8_t type;
	uint8_t flags;
	uint32_t len;
	unsigned char *payload; /* len bytes (+ a NUL for convenience); owned */
};

/* Incremental decoder: feed bytes as they arrive, take whole frames out. */
struct frame_decoder {
	struct byteq in; /* undecoded bytes */
	uint64_t skip;	 /* bytes of a rejected frame still to discard */
	uint32_t skip_stream;
	uint64_t rejected; /* frames skipped so far */
};

void frame_decoder_init(struct frame_decoder *d);
void frame_decoder_free(struct frame_decoder *d);
void frame_decoder_feed(struct frame_decoder *d, const void *data, size_t len);

enum decode_result {
	DECODE_NONE = 0, /* need more bytes */
	DECODE_FRAME,	 /* *f holds a frame (free with frame_free) */
	DECODE_REJECTED, /* a bad frame was skipped; err names stream and why */
};

/* Take the next frame. A rejected frame is reported once, then skipped. */
enum decode_result frame_decode(struct frame_decoder *d, struct frame *f, uint32_t *bad_stream,
				struct kc_error *err);
void frame_free(struct frame *f);

/* Encode a frame into buf (PROTO_HEADER + len bytes). */
void frame_encode_header(unsigned char *hdr, uint32_t stream, uint8_t type, uint8_t flags,
			 uint32_t len);

/* Build frames (malloc'd bytes, *out_len set). */
unsigned char *frame_build(uint32_t stream, uint8_t type, uint8_t flags, const void *payload,
			   size_t len, size_t *out_len);
unsigned char *frame_build_json(uint32_t stream, uint8_t type, const json_t *j, size_t *out_len);
unsigned char *frame_build_window(uint32_t stream, uint8_t fd, uint32_t credit, size_t *out_len);

/* Parse a control frame's JSON payload; NULL with why on malformed JSON. */
json_t *frame_json(const struct frame *f, struct kc_error *err);

/* Write all bytes to a blocking fd (EINTR-safe). 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

const char *frame_type_name(uint8_t type);

/* The credit carried by a WINDOW frame. */
uint32_t frame_window_credit(const struct frame *f);

/* 0 when a peer's HELLO speaks our protocol version; -1 with why. */
int proto_hello_check(const json_t *hello, struct kc_error *err);

#endif
