#include "byteq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "xalloc.h"

void byteq_append(struct byteq *q, const void *data, size_t n)
{
	/* the front is moved down only when the room is needed */
	if (q->off && q->len + n > q->cap) {
		memmove(q->buf, q->buf + q->off, q->len - q->off);
		q->len -= q->off;
		q->off = 0;
	}
	if (q->len + n > q->cap) {
		size_t cap = q->cap ? q->cap : 4096;
		while (cap < q->len + n)
			cap *= 2;
		q->buf = xrealloc(q->buf, cap);
		q->cap = cap;
	}
	memcpy(q->buf + q->len, data, n);
	q->len += n;
}

void byteq_consume(struct byteq *q, size_t n)
{
	q->off += n;
	if (q->off == q->len)
		byteq_clear(q);
}

void byteq_clear(struct byteq *q)
{
	q->off = q->len = 0;
}

ssize_t byteq_write(struct byteq *q, int fd)
{
	size_t done = 0;
	while (q->off < q->len) {
		ssize_t n = write(fd, q->buf + q->off, q->len - q->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -1;
		byteq_consume(q, (size_t)n);
		done += (size_t)n;
	}
	return (ssize_t)done;
}

void byteq_free(struct byteq *q)
{
	free(q->buf);
	memset(q, 0, sizeof(*q));
}
