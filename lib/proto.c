/* Frame encoding and decoding (see proto.h). */
#include "proto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "xalloc.h"

void frame_decoder_init(struct frame_decoder *d)
{
	memset(d, 0, sizeof(*d));
}

void frame_decoder_free(struct frame_decoder *d)
{
	byteq_free(&d->in);
	memset(d, 0, sizeof(*d));
}

void frame_decoder_feed(struct frame_decoder *d, const void *data, size_t len)
{
	const unsigned char *p = data;

	/* the rest of a rejected frame is dropped as it arrives */
	if (d->skip) {
		size_t drop = len < d->skip ? len : (size_t)d->skip;
		d->skip -= drop;
		p += drop;
		len -= drop;
	}
	if (len)
		byteq_append(&d->in, p, len);
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return ntohl(v);
}

static size_t max_payload(uint8_t type)
{
	switch (type) {
	case FRAME_DATA: return PROTO_MAX_DATA;
	case FRAME_CLOSE: return 0;
	case FRAME_WINDOW: return 4;
	case FRAME_HELLO:
	case FRAME_REQUEST:
	case FRAME_RESPONSE:
	case FRAME_EVENT:
	case FRAME_ERROR: return PROTO_MAX_CONTROL;
	default: return 0;
	}
}

enum decode_result frame_decode(struct frame_decoder *d, struct frame *f, uint32_t *bad_stream,
				struct kc_error *err)
{
	memset(f, 0, sizeof(*f));
	size_t avail = byteq_pending(&d->in);
	const unsigned char *p = d->in.buf + d->in.off;
	if (avail < PROTO_HEADER)
		return DECODE_NONE;
	uint32_t len = get32(p), stream = get32(p + 4);
	uint8_t type = p[8], flags = p[9];
	bool known = type >= FRAME_HELLO && type <= FRAME_ERROR;
	bool control = type == FRAME_HELLO || type == FRAME_REQUEST || type == FRAME_RESPONSE ||
		       type == FRAME_EVENT || type == FRAME_ERROR;

	const char *problem = NULL;
	if (!known)
		problem = "unknown frame type";
	else if (len > max_payload(type))
		problem = type == FRAME_CLOSE || type == FRAME_WINDOW ? "malformed frame"
								      : "frame too large";
	else if (type == FRAME_WINDOW && len != 4)
		problem = "malformed WINDOW frame";
	else if (control && stream != 0 && type != FRAME_ERROR)
		problem = "control frame outside stream 0";
	else if ((type == FRAME_DATA || type == FRAME_CLOSE || type == FRAME_WINDOW) &&
		 (stream == 0 || flags > FD_STDERR))
		problem = stream == 0 ? "stdio frame on stream 0" : "bad fd in flags";
	if (problem) {
		/* skip it by its declared length, keeping the byte stream in sync */
		uint64_t total = (uint64_t)PROTO_HEADER + len;
		size_t have = avail < total ? avail : (size_t)total;
		byteq_consume(&d->in, have);
		d->skip = total - have;
		d->rejected++;
		if (bad_stream)
			*bad_stream = stream;
		if (err)
			kc_error_set(err, 0, "%s (type %u, %u bytes)", problem, type, len);
		return DECODE_REJECTED;
	}
	if (avail < PROTO_HEADER + (size_t)len)
		return DECODE_NONE;
	f->stream = stream;
	f->type = type;
	f->flags = flags;
	f->len = len;
	f->payload = xmalloc((size_t)len + 1);
	memcpy(f->payload, p + PROTO_HEADER, len);
	f->payload[len] = '\0';
	byteq_consume(&d->in, PROTO_HEADER + (size_t)len);
	return DECODE_FRAME;
}

void frame_free(struct frame *f)
{
	free(f->payload);
	f->payload = NULL;
}

void frame_encode_header(unsigned char *hdr, uint32_t stream, uint8_t type, uint8_t flags,
			 uint32_t len)
{
	uint32_t l = htonl(len), s = htonl(stream);
	memcpy(hdr, &l, 4);
	memcpy(hdr + 4, &s, 4);
	hdr[8] = type;
	hdr[9] = flags;
	hdr[10] = hdr[11] = 0;
}

unsigned char *frame_build(uint32_t stream, uint8_t type, uint8_t flags, const void *payload,
			   size_t len, size_t *out_len)
{
	unsigned char *b = xmalloc(PROTO_HEADER + len);
	frame_encode_header(b, stream, type, flags, (uint32_t)len);
	if (len)
		memcpy(b + PROTO_HEADER, payload, len);
	*out_len = PROTO_HEADER + len;
	return b;
}

unsigned char *frame_build_json(uint32_t stream, uint8_t type, const json_t *j, size_t *out_len)
{
	char *text = json_dumps(j, JSON_COMPACT);
	if (!text)
		text = xstrdup("{}");
	unsigned char *b = frame_build(stream, type, 0, text, strlen(text), out_len);
	free(text);
	return b;
}

unsigned char *frame_build_window(uint32_t stream, uint8_t fd, uint32_t credit, size_t *out_len)
{
	uint32_t c = htonl(credit);
	return frame_build(stream, FRAME_WINDOW, fd, &c, 4, out_len);
}

json_t *frame_json(const struct frame *f, struct kc_error *err)
{
	json_error_t jerr;
	json_t *j = json_loadb((const char *)f->payload, f->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		kc_error_set(err, 0, "malformed JSON in %s frame: %s", frame_type_name(f->type),
			     jerr.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		kc_error_set(err, 0, "%s frame is not a JSON object", frame_type_name(f->type));
		return NULL;
	}
	return j;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

const char *frame_type_name(uint8_t type)
{
	switch (type) {
	case FRAME_HELLO: return "HELLO";
	case FRAME_REQUEST: return "REQUEST";
	case FRAME_RESPONSE: return "RESPONSE";
	case FRAME_EVENT: return "EVENT";
	case FRAME_DATA: return "DATA";
	case FRAME_CLOSE: return "CLOSE";
	case FRAME_WINDOW: return "WINDOW";
	case FRAME_ERROR: return "ERROR";
	}
	return "unknown";
}

int proto_hello_check(const json_t *hello, struct kc_error *err)
{
	json_t *v = json_object_get(hello, "version");
	if (!json_is_integer(v))
		return kc_error_set(err, 0, "HELLO without a protocol version");
	if (json_integer_value(v) != PROTO_VERSION)
		return kc_error_set(err, 0,
				    "protocol version %lld is not supported (this side speaks %d)",
				    (long long)json_integer_value(v), PROTO_VERSION);
	return 0;
}

uint32_t frame_window_credit(const struct frame *f)
{
	return f->len == 4 ? get32(f->payload) : 0;
}
