/* A descriptor and its message over a Unix socket, both ways; a message
 * without one says so. */
#include "test.h"

#include <fcntl.h>
#include <sys/socket.h>

#include "fdpass.h"

static void roundtrip(void **state)
{
	(void)state;
	int sv[2], p[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fd_send(sv[0], p[1], "T", 1), 1);
	char buf[8];
	int got;
	assert_int_equal(fd_recv(sv[1], buf, sizeof(buf), &got, 0), 1);
	assert_int_equal(buf[0], 'T');
	assert_true(got >= 0 && got != p[1]);
	assert_true(fcntl(got, F_GETFD) & FD_CLOEXEC);
	/* the same pipe: what goes in one end comes out of the other */
	assert_int_equal(write(got, "x", 1), 1);
	assert_int_equal(read(p[0], buf, 1), 1);
	assert_int_equal(buf[0], 'x');
	close(got);
	/* a plain message carries none */
	assert_int_equal(write(sv[0], "R", 1), 1);
	assert_int_equal(fd_recv(sv[1], buf, sizeof(buf), &got, 0), 1);
	assert_int_equal(got, -1);
	/* nothing there, and not waiting */
	assert_int_equal(fd_recv(sv[1], buf, sizeof(buf), &got, MSG_DONTWAIT), -1);
	assert_int_equal(got, -1);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
