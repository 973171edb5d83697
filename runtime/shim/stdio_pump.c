/* stdio between local fds and an agent stream (see stdio_pump.h). */
#include "stdio_pump.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void stdio_pump_init(struct stdio_pump *p, struct agent_client *ac, const char *container_id,
		     const char *exec_id, uint32_t stream, bool terminal)
{
	memset(p, 0, sizeof(*p));
	p->ac = ac;
	p->container_id = container_id;
	p->exec_id = exec_id;
	p->stream = stream;
	p->terminal = terminal;
	p->in_fd = p->out_fd = p->err_fd = p->extra_fd = -1;
	p->in_credit = PROTO_DEFAULT_WINDOW;
	p->wait_id = -1;
}

static int on_frame(struct stdio_pump *p, struct frame *f, struct kc_error *err)
{
	if (f->stream == 0) {
		if (f->type != FRAME_RESPONSE)
			return 0;
		_cleanup_error_ struct kc_error why = {0};
		json_t *j = frame_json(f, &why);
		if (!j)
			return 0;
		if (json_integer_value(json_object_get(j, "id")) == p->wait_id) {
			if (!json_is_true(json_object_get(j, "ok"))) {
				kc_error_set(err, 0, "wait: %s",
					     json_string_value(json_object_get(j, "error")));
				json_decref(j);
				return -1;
			}
			p->exited = true;
			p->exit_status = (int)json_integer_value(json_object_get(j, "exit_status"));
			p->oom_killed = json_is_true(json_object_get(j, "oom_killed"));
		}
		json_decref(j);
		return 0;
	}
	if (f->stream != p->stream)
		return 0;
	switch (f->type) {
	case FRAME_DATA: {
		int fd = f->flags == FD_STDERR ? p->err_fd : p->out_fd;
		if (!p->got_output && f->len) {
			p->got_output = true;
			if (p->on_first_output)
				p->on_first_output(p);
		}
		/* a local reader that went away loses the output; the process goes on */
		if (fd >= 0 && f->len)
			(void)write_all(fd, f->payload, f->len);
		/* taken: the agent may send that much again - said once a quarter
		 * of the window is owed, as each grant wakes the guest up */
		if (f->flags > FD_STDERR)
			return 0;
		p->out_owed[f->flags] += f->len;
		if (p->out_owed[f->flags] < STDIO_OUTPUT_WINDOW / 4)
			return 0;
		uint32_t owed = p->out_owed[f->flags];
		p->out_owed[f->flags] = 0;
		return agent_client_send_window(p->ac, p->stream, f->flags, owed, err);
	}
	case FRAME_CLOSE:
		if (f->flags == FD_STDERR)
			p->err_done = true;
		else if (f->flags == FD_STDOUT)
			p->out_done = true;
		return 0;
	case FRAME_WINDOW:
		if (f->flags == FD_STDIN)
			p->in_credit += frame_window_credit(f);
		return 0;
	case FRAME_ERROR: {
		_cleanup_error_ struct kc_error why = {0};
		json_t *j = frame_json(f, &why);
		fprintf(stderr, "agent: stream %u: %s\n", f->stream,
			j && json_string_value(json_object_get(j, "error"))
			    ? json_string_value(json_object_get(j, "error"))
			    : kc_error_msg(&why));
		json_decref(j);
		return 0;
	}
	}
	return 0;
}

static int send_stdin(struct stdio_pump *p, struct kc_error *err)
{
	unsigned char buf[PROTO_HEADER + PROTO_MAX_DATA];
	size_t want = p->in_credit < PROTO_MAX_DATA ? (size_t)p->in_credit : PROTO_MAX_DATA;
	ssize_t n;
	do
		n = read(p->in_fd, buf + PROTO_HEADER, want);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0) {
		p->in_done = true;
		frame_encode_header(buf, p->stream, FRAME_CLOSE, FD_STDIN, 0);
		return agent_client_send(p->ac, buf, PROTO_HEADER, err);
	}
	frame_encode_header(buf, p->stream, FRAME_DATA, FD_STDIN, (uint32_t)n);
	p->in_credit -= (uint64_t)n;
	return agent_client_send(p->ac, buf, PROTO_HEADER + (size_t)n, err);
}

int stdio_pump_run(struct stdio_pump *p, struct kc_error *err)
{
	/* output flows once granted; the exit status comes as wait's answer */
	if (agent_client_send_window(p->ac, p->stream, FD_STDOUT, STDIO_OUTPUT_WINDOW, err) < 0)
		return -1;
	if (!p->terminal &&
	    agent_client_send_window(p->ac, p->stream, FD_STDERR, STDIO_OUTPUT_WINDOW, err) < 0)
		return -1;
	json_t *args = json_pack("{s:s}", "container_id", p->container_id);
	if (p->exec_id)
		json_object_set_new(args, "exec_id", json_string(p->exec_id));
	p->wait_id = agent_client_send_request(p->ac, "wait_process", args, err);
	if (p->wait_id < 0)
		return -1;
	if (p->in_fd < 0)
		p->in_done = true;

	while (!p->exited) {
		struct frame f;
		while (agent_client_has_queued(p->ac)) {
			if (agent_client_next_frame(p->ac, &f, 0, err) < 0)
				return -1;
			int rc = on_frame(p, &f, err);
			frame_free(&f);
			if (rc < 0)
				return -1;
		}
		if (p->exited)
			break;
		struct pollfd fds[3] = {{p->ac->fd, POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
		if (!p->in_done && p->in_credit > 0)
			fds[1].fd = p->in_fd;
		fds[2].fd = p->extra_fd;
		int n = poll(fds, 3, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kc_error_set(err, errno, "poll");
		if (fds[0].revents && agent_client_pump(p->ac, err) < 0)
			return -1;
		if (fds[1].fd >= 0 && fds[1].revents && send_stdin(p, err) < 0)
			return -1;
		if (fds[2].fd >= 0 && fds[2].revents && p->on_extra && p->on_extra(p, p->ctx) < 0)
			return -1;
	}
	return 0;
}
