/* The shim v2's processes and their stdio carriers (see shimv2.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "agent_client.h"
#include "log.h"
#include "shimv2.h"
#include "xalloc.h"
#include "stdio_pump.h"
#include "strutil.h"

struct v2proc *v2_proc_find(struct v2shim *s, const char *id, const char *exec_id)
{
	if (exec_id && !*exec_id)
		exec_id = NULL;
	for (struct v2proc *p = s->procs; p; p = p->next)
		if (!strcmp(p->id, id) &&
		    (exec_id ? p->exec_id && !strcmp(p->exec_id, exec_id) : !p->exec_id))
			return p;
	return NULL;
}

struct v2proc *v2_proc_add(struct v2shim *s, const char *id, const char *exec_id)
{
	struct v2proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->id = xstrdup(id);
	p->exec_id = exec_id && *exec_id ? xstrdup(exec_id) : NULL;
	p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p->next = s->procs;
	s->procs = p;
	return p;
}

void v2_proc_remove(struct v2shim *s, struct v2proc *p)
{
	for (struct v2proc **pp = &s->procs; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	free(p->id);
	free(p->exec_id);
	free(p->bundle);
	free(p->stdin_path);
	free(p->stdout_path);
	free(p->stderr_path);
	json_decref(p->spec);
	if (p->wake_fd >= 0)
		close(p->wake_fd);
	free(p);
}

/* containerd's FIFOs. Its stdin FIFO is opened read-write so that it never
 * reads as ended before containerd has opened it: the end of stdin is
 * CloseIO. An output FIFO whose reader is gone (containerd restarting) is
 * opened read-write too, so the process blocks on its output rather than
 * losing it. */
static int open_fifo(const char *path, bool input)
{
	if (!path || !*path)
		return -1;
	int fd;
	if (input) {
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	} else {
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 && errno == ENXIO)
			fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	}
	return fd;
}

struct carrier {
	struct v2shim *s;
	struct v2proc *p;
	struct agent_client ac;
	struct stdio_pump pump;
	int in, out, errfd;
};

/* CloseIO: the end of the process's stdin, sent from the carrier's thread. */
static int on_wake(struct stdio_pump *pump, void *ctx)
{
	struct carrier *c = ctx;
	uint64_t v;
	if (read(c->p->wake_fd, &v, sizeof(v)) < 0) {
		/* nothing pending */
	}
	pthread_mutex_lock(&c->s->lock);
	bool close_in = c->p->close_stdin;
	pthread_mutex_unlock(&c->s->lock);
	if (!close_in || pump->in_done)
		return 0;
	pump->in_done = true;
	unsigned char h[PROTO_HEADER];
	frame_encode_header(h, pump->stream, FRAME_CLOSE, FD_STDIN, 0);
	_cleanup_error_ struct kc_error err = {0};
	return agent_client_send(pump->ac, h, sizeof(h), &err);
}

static void *carry(void *arg)
{
	struct carrier *c = arg;
	_cleanup_error_ struct kc_error err = {0};
	int rc = stdio_pump_run(&c->pump, &err);
	if (rc < 0)
		kc_warn("%s%s%s: stdio: %s", c->p->id, c->p->exec_id ? " exec " : "",
			c->p->exec_id ?: "", kc_error_msg(&err));
	agent_client_close(&c->ac);
	if (c->in >= 0)
		close(c->in);
	if (c->out >= 0)
		close(c->out);
	if (c->errfd >= 0 && c->errfd != c->out)
		close(c->errfd);
	struct v2shim *s = c->s;
	struct v2proc *p = c->p;
	pthread_mutex_lock(&s->lock);
	/* a broken channel is a dead VM: the process is gone with it */
	p->exit_status = rc < 0 ? 255 : c->pump.exit_status & 0xff;
	clock_gettime(CLOCK_REALTIME, &p->exited_at);
	p->status = V2_STOPPED;
	if (!p->exec_id)
		v2_record_stopped(s, p->id);
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
	/* before the exit: containerd's CRI then says "OOMKilled" */
	if (!p->exec_id && rc == 0 && c->pump.oom_killed)
		v2_event_oom(s, p);
	v2_event_exit(s, p);
	free(c);
	return NULL;
}

int v2_proc_carry(struct v2shim *s, struct v2proc *p, struct kc_error *err)
{
	struct carrier *c = calloc(1, sizeof(*c));
	if (!c)
		return kc_error_set(err, ENOMEM, "carrier");
	c->s = s;
	c->p = p;
	c->in = c->out = c->errfd = -1;
	char *proxy = v2_proxy_socket(s, p->id, err);
	if (!proxy)
		goto fail;
	int rc = agent_client_connect(&c->ac, proxy, 10000, err);
	free(proxy);
	if (rc < 0)
		goto fail;
	json_t *r;
	if (agent_client_hello(&c->ac, "shim", 10000, err) < 0 ||
	    !(r = agent_client_call(&c->ac, "attach_stream",
				    json_pack("{s:i}", "stream", (int)p->stream), 10000, err))) {
		agent_client_close(&c->ac);
		goto fail;
	}
	json_decref(r);
	c->in = open_fifo(p->stdin_path, true);
	c->out = open_fifo(p->stdout_path, false);
	c->errfd = p->terminal ? -1 : open_fifo(p->stderr_path, false);
	stdio_pump_init(&c->pump, &c->ac, p->id, p->exec_id, p->stream, p->terminal);
	c->pump.in_fd = c->in;
	c->pump.out_fd = c->out;
	c->pump.err_fd = c->errfd;
	c->pump.extra_fd = p->wake_fd;
	c->pump.on_extra = on_wake;
	c->pump.ctx = c;
	if (pthread_create(&p->io, NULL, carry, c)) {
		agent_client_close(&c->ac);
		kc_error_set(err, errno, "a thread for the stdio of %s", p->id);
		goto fail;
	}
	p->io_running = true;
	return 0;
fail:
	if (c->in >= 0)
		close(c->in);
	if (c->out >= 0)
		close(c->out);
	if (c->errfd >= 0)
		close(c->errfd);
	free(c);
	return -1;
}

void v2_proc_close_stdin(struct v2proc *p)
{
	p->close_stdin = true;
	uint64_t one = 1;
	if (write(p->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is full: the carrier has a wake-up pending anyway */
	}
}

void v2_proc_join(struct v2proc *p)
{
	if (p->io_running) {
		pthread_join(p->io, NULL);
		p->io_running = false;
	}
}
