/* ttrpc's framing (see ttrpc.h). */
#include "ttrpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

void ttrpc_encode_header(unsigned char h[TTRPC_HEADER], uint32_t len, uint32_t stream, uint8_t type,
			 uint8_t flags)
{
	h[0] = (unsigned char)(len >> 24), h[1] = (unsigned char)(len >> 16);
	h[2] = (unsigned char)(len >> 8), h[3] = (unsigned char)len;
	h[4] = (unsigned char)(stream >> 24), h[5] = (unsigned char)(stream >> 16);
	h[6] = (unsigned char)(stream >> 8), h[7] = (unsigned char)stream;
	h[8] = type;
	h[9] = flags;
}

void ttrpc_decode_header(const unsigned char h[TTRPC_HEADER], uint32_t *len, uint32_t *stream,
			 uint8_t *type, uint8_t *flags)
{
	*len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
	*stream = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
	*type = h[8];
	*flags = h[9];
}

/* n bytes, or what there was: the count read (short only at end of stream). */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int ttrpc_read(int fd, struct ttrpc_msg *m, struct kc_error *err)
{
	memset(m, 0, sizeof(*m));
	unsigned char h[TTRPC_HEADER];
	ssize_t n = read_full(fd, h, sizeof(h));
	if (n == 0)
		return 0;
	if (n < 0)
		return kc_error_set(err, errno, "ttrpc: read");
	if (n < (ssize_t)sizeof(h))
		return kc_error_set(err, 0, "ttrpc: the connection ended inside a header");
	ttrpc_decode_header(h, &m->len, &m->stream, &m->type, &m->flags);
	if (m->len > TTRPC_MAX_MESSAGE) {
		/* skip it by its declared length: the next header stays in place */
		unsigned char sink[4096];
		for (uint32_t left = m->len; left;) {
			size_t chunk = left < sizeof(sink) ? left : sizeof(sink);
			n = read_full(fd, sink, chunk);
			if (n != (ssize_t)chunk)
				return kc_error_set(err, n < 0 ? errno : 0,
						    "ttrpc: the connection ended inside a message");
			left -= (uint32_t)chunk;
		}
		m->too_long = 1;
		return 1;
	}
	m->payload = malloc(m->len ? m->len : 1);
	if (!m->payload)
		return kc_error_set(err, ENOMEM, "ttrpc: a message of %u bytes", m->len);
	n = read_full(fd, m->payload, m->len);
	if (n != (ssize_t)m->len) {
		int e = n < 0 ? errno : 0;
		ttrpc_msg_free(m);
		return kc_error_set(err, e, "ttrpc: the connection ended inside a message");
	}
	return 1;
}

void ttrpc_msg_free(struct ttrpc_msg *m)
{
	free(m->payload);
	m->payload = NULL;
}

int ttrpc_write(int fd, uint32_t stream, uint8_t type, const void *payload, size_t len,
		struct kc_error *err)
{
	if (len > TTRPC_MAX_MESSAGE)
		return kc_error_set(err, 0, "ttrpc: a message of %zu bytes is over the limit", len);
	unsigned char h[TTRPC_HEADER];
	ttrpc_encode_header(h, (uint32_t)len, stream, type, 0);
	struct iovec iov[2] = {{h, sizeof(h)}, {(void *)payload, len}};
	size_t total = sizeof(h) + len, done = 0;
	while (done < total) {
		ssize_t w = writev(fd, iov, 2);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return kc_error_set(err, errno, "ttrpc: write");
		done += (size_t)w;
		/* advance the two vectors past what went */
		for (int i = 0; i < 2; i++) {
			size_t take = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;
			iov[i].iov_base = (char *)iov[i].iov_base + take;
			iov[i].iov_len -= take;
			w -= (ssize_t)take;
		}
	}
	return 0;
}
