/* `make bench` for kata-proxy: what past execs cost it. A fake agent
 * (this program) serves the proxy's channel; N short-lived clients each
 * attach a stream and go, as kata-shim does for every exec; then one live
 * client receives F frames of output. Printed: the time the N execs took,
 * the proxy's resident memory before and after them, and the proxy's CPU
 * time and the wall time for the F frames.
 *
 *   bench_proxy KATA-PROXY [EXECS [FRAMES]]     (defaults 100000, 200000) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent_client.h"
#include "proto.h"

#define PAYLOAD 64

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void die(const char *what, struct kc_error *err)
{
	fprintf(stderr, "bench_proxy: %s: %s\n", what, err ? kc_error_msg(err) : strerror(errno));
	exit(1);
}

/* The proxy's time on a CPU, in ms (schedstat counts nanoseconds, where
 * stat's utime and stime count clock ticks). */
static double cpu_ms(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f || fscanf(f, "%llu", &ns) != 1)
		die("read the proxy's schedstat", NULL);
	fclose(f);
	return (double)ns / 1e6;
}

/* A field of /proc/PID/status in KiB (VmRSS, VmHWM). */
static long status_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	long v = -1;
	size_t n = strlen(field);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* Accept the proxy and answer its HELLO as an agent would. */
static int agent_handshake(int listen_fd)
{
	_cleanup_error_ struct kc_error err = {0};
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		die("accept the proxy", NULL);
	struct agent_client c;
	agent_client_init(&c, fd);
	struct frame f;
	if (agent_client_next_frame(&c, &f, 10000, &err) <= 0 || f.type != FRAME_HELLO)
		die("the proxy's HELLO", &err);
	frame_free(&f);
	json_t *hello = json_pack("{s:i, s:s, s:s, s:s}", "version", PROTO_VERSION, "role", "agent",
				  "agent_version", "bench", "kernel", "none");
	size_t n;
	unsigned char *b = frame_build_json(0, FRAME_HELLO, hello, &n);
	json_decref(hello);
	if (write_all(fd, b, n) < 0)
		die("send HELLO", NULL);
	free(b);
	c.fd = -1;
	agent_client_close(&c);
	return fd;
}

static void attach(struct agent_client *c, uint32_t stream)
{
	_cleanup_error_ struct kc_error err = {0};
	json_t *r = agent_client_call(c, "attach_stream", json_pack("{s:i}", "stream", (int)stream),
				      10000, &err);
	if (!r)
		die("attach_stream", &err);
	json_decref(r);
}

static void client_open(struct agent_client *c, const char *sock)
{
	_cleanup_error_ struct kc_error err = {0};
	if (agent_client_connect(c, sock, 10000, &err) < 0 ||
	    agent_client_hello(c, "bench", 10000, &err) < 0)
		die("connect to the proxy", &err);
}

/* The agent's side of the output: frames DATA frames on stream, blocking. */
static void agent_send_output(int fd, uint32_t stream, long frames)
{
	unsigned char batch[64 * (PROTO_HEADER + PAYLOAD)];
	size_t per = PROTO_HEADER + PAYLOAD;
	for (size_t i = 0; i < sizeof(batch) / per; i++) {
		frame_encode_header(batch + i * per, stream, FRAME_DATA, FD_STDOUT, PAYLOAD);
		memset(batch + i * per + PROTO_HEADER, 'x', PAYLOAD);
	}
	for (long sent = 0; sent < frames;) {
		long k = frames - sent < 64 ? frames - sent : 64;
		if (write_all(fd, batch, (size_t)k * per) < 0)
			_exit(1);
		sent += k;
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_proxy KATA-PROXY [EXECS [FRAMES]]\n");
		return 2;
	}
	long execs = argc > 2 ? atol(argv[2]) : 100000;
	long frames = argc > 3 ? atol(argv[3]) : 200000;
	signal(SIGPIPE, SIG_IGN);

	char dir[] = "/tmp/bench-proxy.XXXXXX", agent_sock[128], proxy_sock[128];
	if (!mkdtemp(dir))
		die("mkdtemp", NULL);
	snprintf(agent_sock, sizeof(agent_sock), "%s/agent.sock", dir);
	snprintf(proxy_sock, sizeof(proxy_sock), "%s/proxy.sock", dir);
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", agent_sock);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0)
		die("the agent's socket", NULL);

	int ready[2];
	if (pipe(ready) < 0)
		die("pipe", NULL);
	pid_t proxy = fork();
	if (proxy == 0) {
		char fdarg[16];
		snprintf(fdarg, sizeof(fdarg), "%d", ready[1]);
		close(ready[0]);
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0)
			dup2(null, STDERR_FILENO);
		execl(argv[1], argv[1], "--agent-socket", agent_sock, "--listen", proxy_sock,
		      "--ready-fd", fdarg, (char *)NULL);
		_exit(127);
	}
	close(ready[1]);
	int afd = agent_handshake(lfd);
	char r;
	if (read(ready[0], &r, 1) != 1)
		die("the proxy did not get ready", NULL);
	close(ready[0]);

	long rss0 = status_kib(proxy, "VmRSS");
	double t0 = now_ms();
	for (long i = 1; i <= execs; i++) {
		struct agent_client c;
		client_open(&c, proxy_sock);
		attach(&c, (uint32_t)i);
		agent_client_close(&c);
	}
	double exec_ms = now_ms() - t0;
	/* the proxy notices the last client's going on its next round */
	struct agent_client live;
	client_open(&live, proxy_sock);
	uint32_t stream = (uint32_t)execs + 1;
	attach(&live, stream);
	long rss1 = status_kib(proxy, "VmRSS"), hwm1 = status_kib(proxy, "VmHWM");

	double cpu0 = cpu_ms(proxy), cpu_execs = cpu0;
	t0 = now_ms();
	pid_t writer = fork();
	if (writer == 0)
		agent_send_output(afd, stream, frames);
	long got = 0;
	_cleanup_error_ struct kc_error err = {0};
	while (got < frames) {
		struct frame f;
		if (agent_client_next_frame(&live, &f, 10000, &err) <= 0)
			die("output through the proxy", &err);
		got += f.type == FRAME_DATA && f.stream == stream;
		frame_free(&f);
	}
	double out_ms = now_ms() - t0;
	double out_cpu = cpu_ms(proxy) - cpu0;
	waitpid(writer, NULL, 0);

	printf("kata-proxy, %ld past execs (a client that attaches a stream and goes):\n", execs);
	printf("  execs                  %.0f ms wall (%.1f us each), %.0f ms proxy CPU\n", exec_ms,
	       exec_ms * 1000.0 / (double)(execs ? execs : 1), cpu_execs);
	printf("  proxy memory           RSS %ld KiB before, %ld KiB after (peak %ld KiB)\n", rss0,
	       rss1, hwm1);
	printf("  output, %ld frames  %.0f ms wall, %.1f ms proxy CPU\n", frames, out_ms, out_cpu);

	agent_client_close(&live);
	close(afd);
	kill(proxy, SIGTERM);
	waitpid(proxy, NULL, 0);
	unlink(agent_sock);
	unlink(proxy_sock);
	rmdir(dir);
	return 0;
}
