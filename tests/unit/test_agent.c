/* The agent's pure pieces, without a guest: the kernel command line it
 * boots from, the paths a request may name beneath the shared directory,
 * the container states it reports, and the channel's output queue and
 * relay (over a socket pair standing in for the port). */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>

#include "agent.h"
#include "container.h"
#include "mounts.h"
#include "proto.h"

static void cmdline_defaults_and_overrides(void **state)
{
	(void)state;
	struct boot_options o;
	boot_parse_cmdline(NULL, &o);
	assert_int_equal(o.channel, CHANNEL_SERIAL);
	assert_string_equal(o.port_name, PROTO_AGENT_PORT_NAME);
	assert_int_equal(o.vsock_port, PROTO_AGENT_VSOCK_PORT);
	assert_false(o.debug_console);

	boot_parse_cmdline("console=ttyS0 quiet agent.channel=vsock agent.vsock_port=1025 "
			   "agent.debug_console agent.port=my.port",
			   &o);
	assert_int_equal(o.channel, CHANNEL_VSOCK);
	assert_int_equal(o.vsock_port, 1025);
	assert_true(o.debug_console);
	assert_string_equal(o.port_name, "my.port");

	/* nonsense is ignored, never half taken */
	boot_parse_cmdline("agent.vsock_port=0 agent.vsock_port=x agent.port= agent.channel", &o);
	assert_int_equal(o.vsock_port, PROTO_AGENT_VSOCK_PORT);
	assert_string_equal(o.port_name, PROTO_AGENT_PORT_NAME);
	assert_int_equal(o.channel, CHANNEL_SERIAL);
}

static void relative_paths_stay_beneath(void **state)
{
	(void)state;
	static const char *const ok[] = {"c1/rootfs", "a", "a/b/c", "a//b", "..a", "a/..b", "a/."};
	static const char *const bad[] = {"",	       "/etc", "..",	 "../x",
					  "a/../../x", "a/..", "a/../b", "a//..//b"};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (!safe_relative(ok[i]))
			fail_msg("'%s' was refused", ok[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (safe_relative(bad[i]))
			fail_msg("'%s' was taken", bad[i]);
}

static void container_states_have_names(void **state)
{
	(void)state;
	assert_string_equal(container_status_name(C_CREATING), "creating");
	assert_string_equal(container_status_name(C_CREATED), "created");
	assert_string_equal(container_status_name(C_RUNNING), "running");
	assert_string_equal(container_status_name(C_PAUSED), "paused");
	assert_string_equal(container_status_name(C_STOPPED), "stopped");
	assert_string_equal(container_status_name((enum container_status)99), "unknown");
}

/* A channel over one end of a socket pair (the peer reads), with its
 * relay pipe - of the agent's size (1 MiB), or Linux's default (16
 * pages) when small_relay - and a pipe standing in for a process's
 * output. The socket's buffer is small, so a large frame cannot leave at
 * once. */
struct test_chan {
	struct channel c;
	int peer;
	int src[2];
};

static void test_chan_open(struct test_chan *t, bool small_relay)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	memset(t, 0, sizeof(*t));
	t->c.fd = sv[0];
	t->c.listen_fd = -1;
	t->c.connected = t->c.hello_done = true;
	frame_decoder_init(&t->c.dec);
	assert_int_equal(pipe2(t->c.relay, O_CLOEXEC | O_NONBLOCK), 0);
	if (!small_relay)
		assert_int_equal(fcntl(t->c.relay[1], F_SETPIPE_SZ, 1 << 20), 1 << 20);
	t->peer = sv[1];
	assert_int_equal(pipe2(t->src, O_CLOEXEC | O_NONBLOCK), 0);
	int small = 4096;
	setsockopt(t->c.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
}

static void test_chan_close(struct test_chan *t)
{
	close(t->c.fd);
	close(t->c.relay[0]);
	close(t->c.relay[1]);
	byteq_free(&t->c.out);
	frame_decoder_free(&t->c.dec);
	close(t->peer);
	close(t->src[0]);
	close(t->src[1]);
}

/* Output as the process would write it, sent as one frame of stream. */
static void test_chan_output(struct test_chan *t, uint32_t stream, uint8_t fd_index,
			     const void *data, size_t len)
{
	assert_int_equal(write(t->src[1], data, len), (ssize_t)len);
	assert_int_equal(channel_send_pipe(&t->c, stream, fd_index, t->src[0], len), (ssize_t)len);
}

/* Frame K of the fill below: PROTO_MAX_DATA bytes of one letter. */
static void fill_pattern(unsigned char *buf, int k)
{
	memset(buf, 'a' + k % 26, PROTO_MAX_DATA);
}

/* 64 KiB frames of stream until the socket is full and one waits in the
 * relay (a unix socket takes a write or more past its buffer); how many. */
static int fill_until_relay_waits(struct test_chan *t, uint32_t stream)
{
	static unsigned char big[PROTO_MAX_DATA];
	int k = 0;
	while (!t->c.relay_pending && k < 64) {
		fill_pattern(big, k);
		test_chan_output(t, stream, FD_STDOUT, big, sizeof(big));
		k++;
	}
	assert_true(t->c.relay_pending > 0);
	return k;
}

/* Read the peer's end while flushing the channel, until nothing is
 * pending; decode what came. */
static size_t drain_frames(struct channel *c, int peer, struct frame *out, size_t max)
{
	struct frame_decoder d;
	frame_decoder_init(&d);
	static unsigned char buf[1 << 16];
	size_t n = 0;
	for (int spins = 0; spins < 100000; spins++) {
		assert_int_equal(channel_flush(c), 0);
		ssize_t got = read(peer, buf, sizeof(buf));
		if (got > 0)
			frame_decoder_feed(&d, buf, (size_t)got);
		else if (!channel_pending(c))
			break;
	}
	assert_false(channel_pending(c));
	struct kc_error err = {0};
	uint32_t bad;
	while (n < max && frame_decode(&d, &out[n], &bad, &err) == DECODE_FRAME)
		n++;
	frame_decoder_free(&d);
	return n;
}

static void channel_output_keeps_its_order(void **state)
{
	(void)state;
	struct test_chan t;
	test_chan_open(&t, false);

	/* spliced through the relay, and out at once */
	test_chan_output(&t, 7, FD_STDOUT, "first", 5);
	assert_false(channel_pending(&t.c));

	/* once a frame waits in the relay, what is queued after it (a control
	 * frame, more output) leaves after it */
	int k = fill_until_relay_waits(&t, 7);
	size_t len;
	unsigned char *close_frame = frame_build(9, FRAME_CLOSE, FD_STDERR, NULL, 0, &len);
	channel_send(&t.c, close_frame, len);
	free(close_frame);
	/* the queue holds something now: this one is copied behind it */
	test_chan_output(&t, 8, FD_STDERR, "second", 6);
	assert_true(byteq_pending(&t.c.out) > 0);

	struct frame f[70];
	size_t n = drain_frames(&t.c, t.peer, f, 70);
	assert_int_equal(n, (size_t)k + 3);
	assert_int_equal(f[0].type, FRAME_DATA);
	assert_int_equal(f[0].stream, 7);
	assert_memory_equal(f[0].payload, "first", 5);
	static unsigned char big[PROTO_MAX_DATA];
	for (int i = 1; i <= k; i++) {
		fill_pattern(big, i - 1);
		assert_int_equal(f[i].type, FRAME_DATA);
		assert_int_equal(f[i].len, sizeof(big));
		assert_memory_equal(f[i].payload, big, sizeof(big));
	}
	assert_int_equal(f[k + 1].type, FRAME_CLOSE);
	assert_int_equal(f[k + 1].stream, 9);
	assert_int_equal(f[k + 2].type, FRAME_DATA);
	assert_int_equal(f[k + 2].stream, 8);
	assert_int_equal(f[k + 2].flags, FD_STDERR);
	assert_memory_equal(f[k + 2].payload, "second", 6);
	for (size_t i = 0; i < n; i++)
		frame_free(&f[i]);
	test_chan_close(&t);
}

static void channel_drops_what_a_gone_host_never_read(void **state)
{
	(void)state;
	struct test_chan t;
	test_chan_open(&t, false);
	fill_until_relay_waits(&t, 3);
	channel_send(&t.c, "queued", 6);
	assert_true(channel_pending(&t.c));
	channel_drop_output(&t.c);
	assert_false(channel_pending(&t.c));
	/* the relay is empty: nothing old leaves with the next session's frames */
	char b;
	errno = 0;
	assert_int_equal(read(t.c.relay[0], &b, 1), -1);
	assert_int_equal(errno, EAGAIN);
	test_chan_close(&t);
}

/* A relay too full for a whole frame: the frame's header and first part
 * are in the relay, its rest follows in the queue - still one frame. */
static void channel_frame_split_between_relay_and_queue(void **state)
{
	(void)state;
	struct test_chan t;
	test_chan_open(&t, true);
	static unsigned char big[PROTO_MAX_DATA];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 13 + 1);
	/* the header takes one of the relay's 16 pages: 15 pages fit */
	test_chan_output(&t, 5, FD_STDOUT, big, sizeof(big));
	struct frame f[2];
	assert_int_equal(drain_frames(&t.c, t.peer, f, 2), 1);
	assert_int_equal(f[0].len, sizeof(big));
	assert_memory_equal(f[0].payload, big, sizeof(big));
	frame_free(&f[0]);
	test_chan_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cmdline_defaults_and_overrides),
	    cmocka_unit_test(relative_paths_stay_beneath),
	    cmocka_unit_test(container_states_have_names),
	    cmocka_unit_test(channel_output_keeps_its_order),
	    cmocka_unit_test(channel_drops_what_a_gone_host_never_read),
	    cmocka_unit_test(channel_frame_split_between_relay_and_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
