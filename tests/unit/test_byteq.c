/* The byte queue behind the agent's channel and stdin, kata-proxy's
 * connections and the frame decoder: order kept across growth and the
 * front's moves, partial writes to a full pipe, and a writer whose reader
 * has gone. */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>

#include "byteq.h"

static void append_consume_in_order(void **state)
{
	(void)state;
	struct byteq q = {0};
	unsigned char in[10000], out[10000];
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7);
	size_t put = 0, got = 0;
	/* appends and takes of odd sizes: growth and moves of the front */
	while (got < sizeof(in)) {
		size_t n = put < sizeof(in) ? (sizeof(in) - put < 777 ? sizeof(in) - put : 777) : 0;
		byteq_append(&q, in + put, n);
		put += n;
		size_t take = byteq_pending(&q) < 500 ? byteq_pending(&q) : 500;
		memcpy(out + got, q.buf + q.off, take);
		byteq_consume(&q, take);
		got += take;
		assert_int_equal(byteq_pending(&q), put - got);
	}
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(q.off, 0); /* emptied: the next append starts at the front */
	byteq_append(&q, "xy", 2);
	byteq_clear(&q);
	assert_int_equal(byteq_pending(&q), 0);
	byteq_free(&q);
	assert_null(q.buf);
}

static void write_until_full_then_rest(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	int pipe_size = fcntl(p[1], F_GETPIPE_SZ);
	struct byteq q = {0};
	size_t total = (size_t)pipe_size + 1000;
	unsigned char *data = malloc(total);
	memset(data, 'a', total);
	byteq_append(&q, data, total);
	/* the pipe takes what fits; the rest stays queued */
	ssize_t n = byteq_write(&q, p[1]);
	assert_int_equal(n, pipe_size);
	assert_int_equal(byteq_pending(&q), 1000);
	unsigned char *sink = malloc(total);
	assert_int_equal(read(p[0], sink, total), pipe_size);
	assert_int_equal(byteq_write(&q, p[1]), 1000);
	assert_int_equal(byteq_pending(&q), 0);
	/* the reader gone: an error, and the queue as it was */
	byteq_append(&q, "lost", 4);
	close(p[0]);
	errno = 0;
	assert_int_equal(byteq_write(&q, p[1]), -1);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(byteq_pending(&q), 4);
	close(p[1]);
	byteq_free(&q);
	free(data);
	free(sink);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(append_consume_in_order),
	    cmocka_unit_test(write_until_full_then_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
