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

int channel_open(struct channel *c, const struct boot_options *o, int epfd)
{
	(void)epfd;
	memset(c, 0, sizeof(*c));
	c->fd = c->listen_fd = -1;
	frame_decoder_init(&c->dec);
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

int channel_flush(struct channel *c)
{
	if (c->fd < 0)
		return 0;
	ssize_t n = byteq_write(&c->out, c->fd);
	if (n > 0) {
		c->spoke = true;
		c->unsure_since_ms = 0;
	}
	return n < 0 ? -1 : 0;
}

bool channel_congested(const struct channel *c)
{
	return byteq_pending(&c->out) > CHANNEL_CONGESTED;
}
