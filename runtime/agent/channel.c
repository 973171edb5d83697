/* The agent's end of the channel: a virtio-serial port found by its name,
 * or a vsock listener. Frames go out through a queue written without
 * blocking, so a host that stops reading stalls output, not the agent.
 *
 * A virtio-serial port has no "accept": while no host program holds the
 * socket, read() returns 0 and poll() reports POLLHUP without end. The
 * port is then taken out of epoll and tried again when the kernel sends
 * SIGIO (the host connected) or a short timer fires. */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"

#define CHANNEL_CONGESTED (4u << 20) /* queued bytes beyond which output waits */
#define RELAY_SIZE	  (1 << 20)  /* the relay pipe's capacity, when allowed */

/* /sys/class/virtio-ports/vportNpM/name holds the name QEMU gave the port. */
static int find_port(const char *name, char *dev, size_t dev_len)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	if (!d)
		return -1;
	struct dirent *e;
	int found = -1;
	while ((e = readdir(d)) && found < 0) {
		if (e->d_name[0] == '.')
			continue;
		char path[300], got[128] = "";
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(got, sizeof(got), f)) {
			got[strcspn(got, "\n")] = '\0';
			if (!strcmp(got, name)) {
				snprintf(dev, dev_len, "/dev/%s", e->d_name);
				found = 0;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int open_serial(struct channel *c, const struct boot_options *o)
{
	char dev[300];
	double t0 = agent_uptime_ms();
	bool warned = false;
	/* the port's device appears a little after virtio_console loads */
	for (;;) {
		if (find_port(o->port_name, dev, sizeof(dev)) == 0) {
			c->fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
			if (c->fd >= 0)
				break;
			if (errno != ENOENT && errno != ENXIO) {
				log_error("open %s: %s", dev, strerror(errno));
				return -1;
			}
		}
		if (!warned && agent_uptime_ms() - t0 > 5000) {
			log_warn("no virtio-serial port named '%s' yet; still looking",
				 o->port_name);
			warned = true;
		}
		sleep_ms(2);
	}
	/* SIGIO tells us when the host side opens or closes */
	if (fcntl(c->fd, F_SETOWN, getpid()) < 0 ||
	    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_ASYNC) < 0)
		log_debug("O_ASYNC on %s: %s", dev, strerror(errno));
	log_debug("channel: %s (%s) after %.1f ms", dev, o->port_name, agent_uptime_ms() - t0);
	return 0;
}

static int open_vsock(struct channel *c, const struct boot_options *o)
{
	struct sockaddr_vm addr = {
	    .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = o->vsock_port};
	c->listen_fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->listen_fd < 0 || bind(c->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(c->listen_fd, 4) < 0) {
		log_error("vsock port %u: %s", o->vsock_port, strerror(errno));
		return -1;
	}
	log_debug("channel: vsock port %u", o->vsock_port);
	return 0;
}

/* The relay: without it output is copied, which works all the same. */
static void relay_open(struct channel *c)
{
	if (pipe2(c->relay, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_debug("relay pipe: %s; output is copied", strerror(errno));
		c->relay[0] = c->relay[1] = -1;
		return;
	}
	/* room for a few frames in flight; the default (16 pages) holds one */
	if (fcntl(c->relay[1], F_SETPIPE_SZ, RELAY_SIZE) < 0)
		log_debug("relay pipe size: %s", strerror(errno));
}

int channel_open(struct channel *c, const struct boot_options *o, int epfd)
{
	(void)epfd;
	memset(c, 0, sizeof(*c));
	c->fd = c->listen_fd = -1;
	frame_decoder_init(&c->dec);
	relay_open(c);
	return o->channel == CHANNEL_VSOCK ? open_vsock(c, o) : open_serial(c, o);
}

void channel_send(struct channel *c, const void *frame, size_t len)
{
	byteq_append(&c->out, frame, len);
}

void channel_send_json(struct channel *c, uint8_t type, json_t *j)
{
	size_t n;
	unsigned char *b = frame_build_json(0, type, j, &n);
	channel_send(c, b, n);
	free(b);
	json_decref(j);
}

void channel_send_error(struct channel *c, uint32_t stream, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warn("stream %u: %s", stream, msg);
	json_t *j = json_pack("{s:s}", "error", msg);
	size_t n;
	unsigned char *b = frame_build_json(stream, FRAME_ERROR, j, &n);
	channel_send(c, b, n);
	free(b);
	json_decref(j);
}

/* Read what the relay holds into a queue (which keeps it in order). */
static void relay_to_queue(struct channel *c, struct byteq *q)
{
	unsigned char buf[16384];
	while (c->relay_pending) {
		size_t want = c->relay_pending < sizeof(buf) ? c->relay_pending : sizeof(buf);
		ssize_t n = read(c->relay[0], buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) { /* cannot happen: the bytes are there and ours */
			log_error("relay: %zu bytes lost (%s)", c->relay_pending,
				  n < 0 ? strerror(errno) : "end of pipe");
			c->relay_pending = 0;
			break;
		}
		byteq_append(q, buf, (size_t)n);
		c->relay_pending -= (size_t)n;
	}
}

/* A channel that takes no splice (a socket type without it): what the
 * relay holds goes to the front of the queue, and output is copied from
 * now on. */
static void relay_give_up(struct channel *c)
{
	log_debug("the channel refuses splice: output is copied");
	c->relay_nosplice = true;
	struct byteq q = {0};
	relay_to_queue(c, &q);
	if (byteq_pending(&c->out))
		byteq_append(&q, c->out.buf + c->out.off, byteq_pending(&c->out));
	byteq_free(&c->out);
	c->out = q;
}

/* 1 while the relay still holds bytes (the channel is full), 0 once it is
 * empty, -1 on an error of the channel. */
static int relay_flush(struct channel *c)
{
	while (c->relay_pending) {
		ssize_t n = splice(c->relay[0], NULL, c->fd, NULL, c->relay_pending,
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n > 0) {
			c->relay_pending -= (size_t)n;
			c->spoke = true;
			c->unsure_since_ms = 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 1;
		if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
			relay_give_up(c);
			return 0;
		}
		return -1;
	}
	return 0;
}

int channel_flush(struct channel *c)
{
	if (c->fd < 0)
		return 0;
	int r = relay_flush(c);
	if (r != 0)
		return r < 0 ? -1 : 0;
	ssize_t n = byteq_write(&c->out, c->fd);
	if (n > 0) {
		c->spoke = true;
		c->unsure_since_ms = 0;
	}
	return n < 0 ? -1 : 0;
}

bool channel_pending(const struct channel *c)
{
	return c->relay_pending || byteq_pending(&c->out);
}

bool channel_congested(const struct channel *c)
{
	return c->relay_pending + byteq_pending(&c->out) > CHANNEL_CONGESTED;
}

void channel_drop_output(struct channel *c)
{
	byteq_clear(&c->out);
	struct byteq gone = {0};
	relay_to_queue(c, &gone);
	byteq_free(&gone);
}

/* The copying way: read up to n bytes and queue them as a frame; the
 * bytes read, or -1. */
static ssize_t send_pipe_copied(struct channel *c, uint32_t stream, uint8_t fd_index, int src,
				size_t n)
{
	unsigned char buf[PROTO_HEADER + PROTO_MAX_DATA];
	ssize_t got;
	do
		got = read(src, buf + PROTO_HEADER, n);
	while (got < 0 && errno == EINTR);
	if (got <= 0)
		return got;
	frame_encode_header(buf, stream, FRAME_DATA, fd_index, (uint32_t)got);
	byteq_append(&c->out, buf, PROTO_HEADER + (size_t)got);
	return got;
}

/* The end of a frame whose header is in the relay: exactly n bytes into
 * the queue. They are in src (seen by FIONREAD, and no one else reads
 * it); zeros stand in should they not be, so that frames stay whole. */
static void send_pipe_rest(struct channel *c, uint32_t stream, int src, size_t n)
{
	unsigned char buf[PROTO_MAX_DATA];
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(src, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			log_error("stream %u: %zu bytes of output missing mid-frame", stream,
				  n - got);
			memset(buf + got, 0, n - got);
			break;
		}
		got += (size_t)r;
	}
	byteq_append(&c->out, buf, n);
}

ssize_t channel_send_pipe(struct channel *c, uint32_t stream, uint8_t fd_index, int src, size_t n)
{
	if (n > PROTO_MAX_DATA)
		n = PROTO_MAX_DATA;
	/* the relay's bytes leave before the queue's: it may only take a frame
	 * while nothing newer waits in the queue */
	if (c->relay[1] < 0 || c->relay_nosplice || c->fd < 0 || byteq_pending(&c->out))
		return send_pipe_copied(c, stream, fd_index, src, n);
	unsigned char hdr[PROTO_HEADER];
	frame_encode_header(hdr, stream, FRAME_DATA, fd_index, (uint32_t)n);
	ssize_t w;
	do
		w = write(c->relay[1], hdr, sizeof(hdr));
	while (w < 0 && errno == EINTR);
	/* the relay is full (a pipe never writes 12 bytes in part) */
	if (w != (ssize_t)sizeof(hdr))
		return send_pipe_copied(c, stream, fd_index, src, n);
	c->relay_pending += sizeof(hdr);
	size_t moved = 0;
	while (moved < n) {
		ssize_t m = splice(src, NULL, c->relay[1], NULL, n - moved,
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			break;
		moved += (size_t)m;
		c->relay_pending += (size_t)m;
	}
	/* the rest of the frame (the relay filled up) follows in the queue */
	if (moved < n)
		send_pipe_rest(c, stream, src, n - moved);
	/* out now: one frame, one notification of the host (an error of the
	 * channel is the main loop's to see, on its own flush) */
	(void)channel_flush(c);
	return (ssize_t)n;
}
