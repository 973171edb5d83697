/* A process's stdio as streams over the channel, with flow control both
 * ways, and its end: the exit status handed to whoever waits for it once
 * its output has been passed on (or a short linger has passed). */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "strbuf.h"
#include "xalloc.h"

#define CREDIT_CAP (1ULL << 40)

struct process *process_new(struct agent *a, struct container *c, const char *exec_id,
			    bool terminal)
{
	struct process *p = xcalloc(1, sizeof(*p));
	p->c = c;
	p->exec_id = exec_id ? xstrdup(exec_id) : NULL;
	p->stream = a->next_stream++;
	if (!a->next_stream) { /* 0 is the control stream */
		a->next_stream = 1;
		a->streams_wrapped = true;
	}
	p->terminal = terminal;
	p->in_fd = p->out_fd = p->err_fd = p->status_fd = -1;
	p->in_credit = PROTO_DEFAULT_WINDOW;
	p->waiters = json_array();
	p->tag_in = (struct ev_tag){EV_STDIN, p};
	p->tag_out = (struct ev_tag){EV_STDOUT, p};
	p->tag_err = (struct ev_tag){EV_STDERR, p};
	p->tag_status = (struct ev_tag){EV_STATUS, p};
	p->next = a->processes;
	a->processes = p;
	return p;
}

struct process *process_find_stream(struct agent *a, uint32_t stream)
{
	for (struct process *p = a->processes; p; p = p->next)
		if (p->stream == stream && !p->dead)
			return p;
	return NULL;
}

struct process *process_find(struct agent *a, struct container *c, const char *exec_id)
{
	if (!exec_id || !*exec_id)
		return c->init;
	for (struct process *p = a->processes; p; p = p->next)
		if (p->c == c && p->exec_id && !strcmp(p->exec_id, exec_id) && !p->dead)
			return p;
	return NULL;
}

static void close_fd(struct agent *a, int *fd, uint32_t *registered)
{
	if (*fd < 0)
		return;
	if (registered && *registered) {
		ev_del(a, *fd);
		*registered = 0;
	}
	close(*fd);
	*fd = -1;
}

/* The terminal the child made in the container replaces the agent's. */
void process_set_terminal(struct agent *a, struct process *p, int master)
{
	close_fd(a, &p->in_fd, &p->ev_in);
	close_fd(a, &p->out_fd, &p->ev_out);
	p->out_fd = master;
	p->in_fd = fcntl(master, F_DUPFD_CLOEXEC, 0); /* its own epoll entry */
	int fds[] = {p->in_fd, p->out_fd};
	for (size_t i = 0; i < 2; i++)
		if (fds[i] >= 0)
			fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
	process_update_events(a, p);
}

/* Unlinked now, freed after the current batch of events (which may still
 * name it). */
void process_free(struct agent *a, struct process *p)
{
	if (p->dead)
		return;
	close_fd(a, &p->in_fd, &p->ev_in);
	close_fd(a, &p->out_fd, &p->ev_out);
	close_fd(a, &p->err_fd, &p->ev_err);
	uint32_t st = p->status_fd >= 0;
	close_fd(a, &p->status_fd, &st);
	for (struct process **pp = &a->processes; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	if (p->c && p->c->init == p)
		p->c->init = NULL;
	p->dead = true;
	p->next = a->graveyard;
	a->graveyard = p;
}

void process_bury(struct agent *a)
{
	while (a->graveyard) {
		struct process *p = a->graveyard;
		a->graveyard = p->next;
		json_decref(p->pending_status);
		json_decref(p->waiters);
		byteq_free(&p->in);
		free(p->exec_id);
		free(p);
	}
}

/* ---- output: process -> host ------------------------------------------- */

static void send_close(struct agent *a, struct process *p, int fd_index)
{
	size_t n;
	unsigned char *b = frame_build(p->stream, FRAME_CLOSE, (uint8_t)fd_index, NULL, 0, &n);
	channel_send(&a->ch, b, n);
	free(b);
}

void process_on_output(struct agent *a, struct process *p, int fd_index)
{
	int *fd = fd_index == FD_STDOUT ? &p->out_fd : &p->err_fd;
	uint32_t *reg = fd_index == FD_STDOUT ? &p->ev_out : &p->ev_err;
	if (p->dead || *fd < 0)
		return;
	unsigned char buf[PROTO_HEADER + PROTO_MAX_DATA];
	/* a few reads per wake-up keeps other streams fair */
	for (int rounds = 0;
	     rounds < 4 && p->out_credit[fd_index] > 0 && !channel_congested(&a->ch); rounds++) {
		size_t room = p->out_credit[fd_index] < PROTO_MAX_DATA
				  ? (size_t)p->out_credit[fd_index]
				  : PROTO_MAX_DATA;
		/* from a pipe, the kernel moves the bytes to the channel itself;
		 * the read below sees the end of the output, or an error */
		int avail = 0;
		if (!p->terminal && !p->discard[fd_index] && ioctl(*fd, FIONREAD, &avail) == 0 &&
		    avail > 0) {
			ssize_t sent =
			    channel_send_pipe(&a->ch, p->stream, (uint8_t)fd_index, *fd,
					      (size_t)avail < room ? (size_t)avail : room);
			if (sent > 0) {
				p->out_credit[fd_index] -= (uint64_t)sent;
				continue;
			}
		}
		ssize_t n = read(*fd, buf + PROTO_HEADER, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			/* end of output (a terminal reports EIO once its last user is gone) */
			close_fd(a, fd, reg);
			send_close(a, p, fd_index);
			process_check_waiters(a, p);
			return;
		}
		if (p->discard[fd_index])
			continue;
		frame_encode_header(buf, p->stream, FRAME_DATA, (uint8_t)fd_index, (uint32_t)n);
		channel_send(&a->ch, buf, PROTO_HEADER + (size_t)n);
		p->out_credit[fd_index] -= (uint64_t)n;
	}
}

/* ---- input: host -> process -------------------------------------------- */

static void grant_stdin(struct agent *a, struct process *p, bool force)
{
	if (!p->in_credit_owed || (!force && p->in_credit_owed < PROTO_DEFAULT_WINDOW / 4))
		return;
	size_t n;
	unsigned char *b = frame_build_window(p->stream, FD_STDIN, (uint32_t)p->in_credit_owed, &n);
	channel_send(&a->ch, b, n);
	free(b);
	p->in_credit += p->in_credit_owed;
	p->in_credit_owed = 0;
}

static void stdin_close_now(struct agent *a, struct process *p)
{
	close_fd(a, &p->in_fd, &p->ev_in);
	byteq_free(&p->in);
}

void process_on_stdin_writable(struct agent *a, struct process *p)
{
	if (p->dead || p->in_fd < 0)
		return;
	size_t queued = byteq_pending(&p->in);
	ssize_t n = byteq_write(&p->in, p->in_fd);
	if (n < 0) {
		/* the reader is gone (EPIPE): what is left can never be delivered */
		p->in_credit_owed += queued;
		stdin_close_now(a, p);
		grant_stdin(a, p, true);
		return;
	}
	p->in_credit_owed += (size_t)n;
	if (!byteq_pending(&p->in)) {
		if (p->in_close_pending)
			stdin_close_now(a, p);
		grant_stdin(a, p, true);
	} else {
		grant_stdin(a, p, false);
	}
}

static void on_stdin_data(struct agent *a, struct process *p, const struct frame *f)
{
	if (p->in_fd < 0 || p->in_close_pending) {
		channel_send_error(&a->ch, p->stream, "stdin of this process is closed");
		return;
	}
	if (f->len > p->in_credit) {
		channel_send_error(&a->ch, p->stream,
				   "stdin window exceeded: %u bytes sent, %zu granted", f->len,
				   p->in_credit);
		return;
	}
	p->in_credit -= f->len;
	byteq_append(&p->in, f->payload, f->len);
	process_on_stdin_writable(a, p);
}

void process_on_frame(struct agent *a, const struct frame *f)
{
	struct process *p = process_find_stream(a, f->stream);
	if (!p) {
		/* A stream that was handed out and has ended is not the host's
		 * mistake: credit for output it just took, or stdin's end, crosses
		 * the exit status on the wire. Only a stream never issued is. */
		bool ended = a->streams_wrapped || f->stream < a->next_stream;
		if (!ended)
			channel_send_error(&a->ch, f->stream, "no process has stream %u",
					   f->stream);
		return;
	}
	switch (f->type) {
	case FRAME_DATA:
		if (f->flags != FD_STDIN)
			channel_send_error(&a->ch, f->stream, "DATA to the agent must be stdin");
		else
			on_stdin_data(a, p, f);
		break;
	case FRAME_CLOSE:
		if (f->flags != FD_STDIN) {
			/* the host no longer wants this output: drain it unseen */
			p->discard[f->flags] = true;
			p->out_credit[f->flags] = CREDIT_CAP;
		} else if (p->terminal) {
			/* a terminal has no end of input of its own: what the host's end
			 * of file means to it is its EOF character (^D) */
			if (p->in_fd >= 0) {
				struct termios t;
				unsigned char eof =
				    tcgetattr(p->in_fd, &t) == 0 && t.c_cc[VEOF] ? t.c_cc[VEOF] : 4;
				struct frame ef = {.stream = f->stream,
						   .type = FRAME_DATA,
						   .flags = FD_STDIN,
						   .len = 1,
						   .payload = &eof};
				p->in_credit += 1;
				on_stdin_data(a, p, &ef);
			}
		} else if (!byteq_pending(&p->in)) {
			stdin_close_now(a, p);
		} else {
			p->in_close_pending = true;
		}
		break;
	case FRAME_WINDOW:
		if (f->flags == FD_STDIN) {
			channel_send_error(&a->ch, f->stream,
					   "stdin credit is granted by the agent, not to it");
		} else {
			if (p->exited && !p->out_credit[f->flags])
				p->linger_from_ms = agent_uptime_ms();
			uint64_t c = p->out_credit[f->flags] + frame_window_credit(f);
			p->out_credit[f->flags] = c > CREDIT_CAP ? CREDIT_CAP : c;
		}
		break;
	}
}

/* ---- registration ------------------------------------------------------- */

static void want(struct agent *a, int fd, uint32_t *reg, uint32_t events, struct ev_tag *tag)
{
	if (fd < 0 || *reg == events)
		return;
	/* an fd with nothing wanted leaves epoll: a hung-up pipe would
	 * otherwise wake the loop for ever */
	if (!events)
		ev_del(a, fd);
	else if (*reg)
		ev_mod(a, fd, events, tag);
	else
		ev_add(a, fd, events, tag);
	*reg = events;
}

void process_update_events(struct agent *a, struct process *p)
{
	bool can_send = a->ch.connected && a->ch.hello_done && !channel_congested(&a->ch);
	want(a, p->out_fd, &p->ev_out, can_send && p->out_credit[FD_STDOUT] ? EPOLLIN : 0,
	     &p->tag_out);
	want(a, p->err_fd, &p->ev_err, can_send && p->out_credit[FD_STDERR] ? EPOLLIN : 0,
	     &p->tag_err);
	want(a, p->in_fd, &p->ev_in, byteq_pending(&p->in) ? EPOLLOUT : 0, &p->tag_in);
}

/* ---- the end ------------------------------------------------------------ */

void process_check_waiters(struct agent *a, struct process *p)
{
	if (!p->exited || !json_array_size(p->waiters))
		return;
	bool drained = p->out_fd < 0 && p->err_fd < 0;
	if (!drained && agent_uptime_ms() - p->linger_from_ms < AGENT_OUTPUT_LINGER_MS)
		return;
	size_t i;
	json_t *id;
	json_array_foreach (p->waiters, i, id) {
		json_t *body = json_pack("{s:i}", "exit_status", p->exit_status);
		if (p->term_signal)
			json_object_set_new(body, "signal", json_integer(p->term_signal));
		/* the OOM killer took a process of the container (TaskOOM, and
		 * the CRI's "OOMKilled") */
		if (p->c && p == p->c->init && cgroup_oom_kills(p->c->cgroup))
			json_object_set_new(body, "oom_killed", json_true());
		respond_ok(a, id, body);
	}
	json_array_clear(p->waiters);
	p->told = true;
}

/* An exec whose exit status has been told is forgotten, and its pipes or
 * terminal closed: probes that exec every few seconds must not pile up
 * processes and ptys in a long-lived container. (A container's init stays
 * until the container is removed.) */
void process_sweep(struct agent *a)
{
	struct process *next;
	for (struct process *p = a->processes; p; p = next) {
		next = p->next;
		if (p->told && p->c && p != p->c->init && !json_array_size(p->waiters))
			process_free(a, p);
	}
}

void process_reaped(struct agent *a, struct process *p, int wstatus)
{
	p->exited = true;
	p->linger_from_ms = agent_uptime_ms();
	if (WIFSIGNALED(wstatus)) {
		p->term_signal = WTERMSIG(wstatus);
		p->exit_status = 128 + p->term_signal;
	} else {
		p->exit_status = WEXITSTATUS(wstatus);
	}
	log_debug("process %d (stream %u) exited with %d", p->pid, p->stream, p->exit_status);
	/* nobody can write to stdin any more */
	if (p->in_fd >= 0 && !p->terminal) {
		p->in_credit_owed += byteq_pending(&p->in);
		stdin_close_now(a, p);
	}
	if (p->c && p->c->init == p && p->c->status != C_CREATING)
		p->c->status = C_STOPPED;
	process_exit_noted(a, p);
	process_check_waiters(a, p);
	process_arm_linger(a);
}

/* A new host session: credits and waiting requests belonged to the old one. */
void process_host_gone(struct agent *a)
{
	for (struct process *p = a->processes; p; p = p->next) {
		memset(p->out_credit, 0, sizeof(p->out_credit));
		memset(p->discard, 0, sizeof(p->discard));
		json_array_clear(p->waiters);
		json_decref(p->pending_status);
		p->pending_status = NULL;
		p->in_credit = PROTO_DEFAULT_WINDOW;
		p->in_credit_owed = 0;
	}
}
