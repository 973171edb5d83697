/* ttrpc's framing: the header's layout, messages read whole from a
 * stream, an oversized message skipped without losing the next, and a
 * connection cut inside a message reported as such. */
#include "test.h"

#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ttrpc.h"

static void header_layout(void **state)
{
	(void)state;
	unsigned char h[TTRPC_HEADER];
	ttrpc_encode_header(h, 0x0a0b0c0d, 0x01020305, TTRPC_RESPONSE, 0);
	const unsigned char want[TTRPC_HEADER] = {0x0a, 0x0b, 0x0c, 0x0d, 1, 2, 3, 5, 2, 0};
	assert_memory_equal(h, want, sizeof(want));
	uint32_t len, stream;
	uint8_t type, flags;
	ttrpc_decode_header(h, &len, &stream, &type, &flags);
	assert_int_equal(len, 0x0a0b0c0d);
	assert_int_equal(stream, 0x01020305);
	assert_int_equal(type, TTRPC_RESPONSE);
	assert_int_equal(flags, 0);
}

static void write_read(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(ttrpc_write(sv[0], 1, TTRPC_REQUEST, "hello", 5, &err), 0);
	assert_int_equal(ttrpc_write(sv[0], 3, TTRPC_REQUEST, "", 0, &err), 0);
	close(sv[0]);
	struct ttrpc_msg m;
	assert_int_equal(ttrpc_read(sv[1], &m, &err), 1);
	assert_int_equal(m.stream, 1);
	assert_int_equal(m.type, TTRPC_REQUEST);
	assert_int_equal(m.len, 5);
	assert_memory_equal(m.payload, "hello", 5);
	ttrpc_msg_free(&m);
	assert_int_equal(ttrpc_read(sv[1], &m, &err), 1);
	assert_int_equal(m.stream, 3);
	assert_int_equal(m.len, 0);
	ttrpc_msg_free(&m);
	/* a clean end between messages */
	assert_int_equal(ttrpc_read(sv[1], &m, &err), 0);
	close(sv[1]);
}

/* Over the limit: skipped by its length, flagged, and the next message
 * is read in place. A writer in a thread of its own: the socket's buffer
 * is smaller than the message. */
struct big {
	int fd;
};

static void *write_big(void *arg)
{
	struct big *b = arg;
	size_t n = TTRPC_MAX_MESSAGE + 1;
	unsigned char *junk = calloc(1, n);
	unsigned char h[TTRPC_HEADER];
	ttrpc_encode_header(h, (uint32_t)n, 5, TTRPC_REQUEST, 0);
	_cleanup_error_ struct kc_error err = {0};
	if (write(b->fd, h, sizeof(h)) == (ssize_t)sizeof(h)) {
		size_t done = 0;
		while (done < n) {
			ssize_t w = write(b->fd, junk + done, n - done);
			if (w <= 0)
				break;
			done += (size_t)w;
		}
	}
	ttrpc_write(b->fd, 7, TTRPC_REQUEST, "next", 4, &err);
	free(junk);
	close(b->fd);
	return NULL;
}

static void oversized_is_skipped(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct big b = {sv[0]};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, write_big, &b), 0);
	_cleanup_error_ struct kc_error err = {0};
	struct ttrpc_msg m;
	assert_int_equal(ttrpc_read(sv[1], &m, &err), 1);
	assert_true(m.too_long);
	assert_int_equal(m.stream, 5);
	assert_null(m.payload);
	assert_int_equal(ttrpc_read(sv[1], &m, &err), 1);
	assert_false(m.too_long);
	assert_int_equal(m.stream, 7);
	assert_memory_equal(m.payload, "next", 4);
	ttrpc_msg_free(&m);
	pthread_join(t, NULL);
	close(sv[1]);
	/* the writer refuses to send one */
	assert_int_equal(ttrpc_write(sv[1], 9, TTRPC_REQUEST, "", TTRPC_MAX_MESSAGE + 1, &err), -1);
	assert_non_null(strstr(kc_error_msg(&err), "over the limit"));
}

static void cut_inside(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	unsigned char h[TTRPC_HEADER];
	ttrpc_encode_header(h, 100, 1, TTRPC_REQUEST, 0);
	assert_int_equal(write(sv[0], h, sizeof(h)), (ssize_t)sizeof(h));
	assert_int_equal(write(sv[0], "short", 5), 5);
	close(sv[0]);
	_cleanup_error_ struct kc_error err = {0};
	struct ttrpc_msg m;
	assert_int_equal(ttrpc_read(sv[1], &m, &err), -1);
	assert_non_null(strstr(kc_error_msg(&err), "inside a message"));
	close(sv[1]);
	/* and inside a header */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], h, 4), 4);
	close(sv[0]);
	assert_int_equal(ttrpc_read(sv[1], &m, &err), -1);
	assert_non_null(strstr(kc_error_msg(&err), "inside a header"));
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(header_layout),
	    cmocka_unit_test(write_read),
	    cmocka_unit_test(oversized_is_skipped),
	    cmocka_unit_test(cut_inside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
