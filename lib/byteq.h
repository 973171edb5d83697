/* A byte queue: appended at the end, taken from the front. The agent's
 * channel and each process's stdin, kata-proxy's connections and the frame
 * decoder all buffer this way. */
#ifndef KC_BYTEQ_H
#define KC_BYTEQ_H

#include <stddef.h>
#include <sys/types.h>

struct byteq {
	unsigned char *buf;
	size_t off, len, cap; /* queued bytes are buf[off..len) */
};

void byteq_append(struct byteq *q, const void *data, size_t n);
static inline size_t byteq_pending(const struct byteq *q)
{
	return q->len - q->off;
}
/* Take n (<= pending) bytes off the front. */
void byteq_consume(struct byteq *q, size_t n);
/* Forget what is queued (the memory stays for reuse). */
void byteq_clear(struct byteq *q);
/* Write the queue to fd until it is empty or fd would block: the bytes
 * written, or -1 with errno on an error (what was written before it is
 * taken off the queue all the same). */
ssize_t byteq_write(struct byteq *q, int fd);
void byteq_free(struct byteq *q);

#endif
