/* The host's side of the agent's handshake: a HELLO whose answer is lost
 * (a guest's virtio-serial port that did not yet know the host was there)
 * is sent again until one is answered; the plain handshake waits once. */
#include "test.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_client.h"
#include "clock.h"
#include "proto.h"

/* A guest that reads `lost` HELLOs without answering, then answers each
 * one after. Runs in a child until its end of the socket closes. */
static void guest(int fd, int lost)
{
	struct frame_decoder d;
	frame_decoder_init(&d);
	int seen = 0;
	unsigned char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		frame_decoder_feed(&d, buf, (size_t)n);
		struct frame f;
		uint32_t bad;
		struct kc_error why = {0};
		while (frame_decode(&d, &f, &bad, &why) == DECODE_FRAME) {
			if (f.type == FRAME_HELLO && ++seen > lost) {
				json_t *h = json_pack("{s:i, s:s}", "version", PROTO_VERSION,
						      "role", "agent");
				size_t len;
				unsigned char *out = frame_build_json(0, FRAME_HELLO, h, &len);
				if (write(fd, out, len) != (ssize_t)len)
					_exit(1);
				free(out);
				json_decref(h);
			}
			frame_free(&f);
		}
		kc_error_clear(&why);
	}
	_exit(0);
}

/* A client connected to a guest (in a child) that loses `lost` answers. */
static pid_t start_guest(struct agent_client *c, int lost)
{
	int fds[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		guest(fds[1], lost);
	}
	close(fds[1]);
	agent_client_init(c, fds[0]);
	return pid;
}

static void stop_guest(struct agent_client *c, pid_t pid)
{
	agent_client_close(c);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void a_lost_answer_is_asked_again(void **state)
{
	(void)state;
	struct agent_client c;
	pid_t pid = start_guest(&c, 2);
	struct kc_error err = {0};
	long long t0 = monotonic_ms();
	assert_int_equal(agent_client_hello_resending(&c, "proxy", 10000, &err), 0);
	/* two lost: asked again after 250 ms, then 500 ms more */
	long long took = monotonic_ms() - t0;
	assert_true(took >= 700);
	assert_true(took < 5000);
	assert_non_null(c.hello);
	assert_string_equal(json_string_value(json_object_get(c.hello, "role")), "agent");
	stop_guest(&c, pid);
}

static void the_plain_handshake_waits_once(void **state)
{
	(void)state;
	struct agent_client c;
	pid_t pid = start_guest(&c, 1);
	struct kc_error err = {0};
	assert_true(agent_client_hello(&c, "runtime", 600, &err) < 0);
	assert_int_equal(kc_error_code(&err), ETIMEDOUT);
	kc_error_clear(&err);
	stop_guest(&c, pid);
}

static void resending_gives_up_at_the_timeout(void **state)
{
	(void)state;
	struct agent_client c;
	pid_t pid = start_guest(&c, 1000);
	struct kc_error err = {0};
	long long t0 = monotonic_ms();
	assert_true(agent_client_hello_resending(&c, "proxy", 1200, &err) < 0);
	long long took = monotonic_ms() - t0;
	assert_true(took >= 1200 && took < 3000);
	assert_int_equal(kc_error_code(&err), ETIMEDOUT);
	assert_non_null(strstr(kc_error_msg(&err), "within 1200 ms"));
	kc_error_clear(&err);
	stop_guest(&c, pid);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_lost_answer_is_asked_again),
	    cmocka_unit_test(the_plain_handshake_waits_once),
	    cmocka_unit_test(resending_gives_up_at_the_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
