/* Containers' lives in the agent: created (the init process prepared and
 * waiting), running, paused, stopped, removed; and what a process's status
 * pipe reports on the way to execve. */
#include "container.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "fdpass.h"
#include "strbuf.h"
#include "xalloc.h"

const char *container_status_name(enum container_status s)
{
	switch (s) {
	case C_CREATING: return "creating";
	case C_CREATED: return "created";
	case C_RUNNING: return "running";
	case C_PAUSED: return "paused";
	case C_STOPPED: return "stopped";
	}
	return "unknown";
}

struct container *container_find(struct agent *a, const char *id)
{
	for (struct container *c = a->containers; c; c = c->next)
		if (!strcmp(c->id, id))
			return c;
	return NULL;
}

struct container *container_new(struct agent *a, const char *id)
{
	struct container *c = xcalloc(1, sizeof(*c));
	c->id = xstrdup(id);
	c->status = C_CREATING;
	c->start_fd = -1;
	c->next = a->containers;
	a->containers = c;
	return c;
}

/* Kill what is left of the container, collect it (bounded), forget it. */
void container_free(struct agent *a, struct container *c)
{
	if (c->start_fd >= 0) {
		close(c->start_fd);
		c->start_fd = -1;
	}
	if (c->status == C_PAUSED)
		cgroup_freeze(c->cgroup, false);
	cgroup_signal(c->cgroup, SIGKILL);
	for (struct process *p = a->processes; p; p = p->next)
		if (p->c == c && !p->exited)
			kill(p->pid, SIGKILL);
	/* the kernel needs a moment to take them down; reap them here so the
	 * cgroup can go and waiters get their 137 */
	for (int tries = 0; tries < 400; tries++) {
		bool left = false;
		for (struct process *p = a->processes; p; p = p->next) {
			if (p->c != c || p->exited)
				continue;
			int st;
			pid_t r = waitpid(p->pid, &st, WNOHANG);
			if (r == p->pid || (r < 0 && errno == ECHILD))
				process_reaped(a, p, r == p->pid ? st : (SIGKILL & 0x7f));
			else
				left = true;
		}
		if (!left)
			break;
		struct timespec ts = {0, 5 * 1000000L};
		nanosleep(&ts, NULL);
	}
	for (struct process *p = a->processes, *next; p; p = next) {
		next = p->next;
		if (p->c == c)
			process_free(a, p);
	}
	cgroup_remove(c->cgroup);
	for (struct container **pp = &a->containers; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	json_decref(c->spec);
	json_decref(c->devices_found);
	free(c->cgroup);
	free(c->rootfs);
	free(c->id);
	free(c);
}

/* The child's status socket: "T" (its terminal, made in the container),
 * "R" (ready to start), "E<why>", or closed by a successful execve. */
void process_on_status(struct agent *a, struct process *p)
{
	if (p->dead || p->status_fd < 0)
		return;
	char msg[1100];
	int passed;
	ssize_t n = fd_recv(p->status_fd, msg, sizeof(msg) - 1, &passed, MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n == 1 && msg[0] == 'T') {
		if (passed >= 0 && p->terminal)
			process_set_terminal(a, p, passed);
		else if (passed >= 0)
			close(passed);
		return;
	}
	if (passed >= 0)
		close(passed);
	struct container *c = p->c;
	json_t *pending = p->pending_status;
	p->pending_status = NULL;

	if (n == 1 && msg[0] == 'R') { /* a container's init, prepared */
		c->status = C_CREATED;
		if (pending) {
			json_t *body = json_pack("{s:i, s:i, s:b}", "pid", p->pid, "stream",
						 p->stream, "terminal", p->terminal);
			if (c->devices_found && p == c->init)
				json_object_set(body, "vfio", c->devices_found);
			respond_ok(a, pending, body);
		}
		json_decref(pending);
		return;
	}
	/* closed, or an error: this pipe has said all it will */
	ev_del(a, p->status_fd);
	close(p->status_fd);
	p->status_fd = -1;
	if (n > 0 && msg[0] == 'E') {
		msg[n] = '\0';
		const char *why = msg + 1;
		log_info("%s%s%s: %s", c ? c->id : "", p->exec_id ? "/" : "",
			 p->exec_id ? p->exec_id : "", why);
		if (pending)
			respond_error(a, pending, "exec", "%s", why);
		json_decref(pending);
		if (p == c->init && c->status == C_CREATING) {
			/* create failed: nothing of the container stays */
			c->status = C_STOPPED;
			p->failed = true;
		} else if (p != c->init) {
			p->failed = true; /* the host never learns of this exec */
		}
		if (p->exited)
			process_exit_noted(a, p);
		return;
	}
	/* execve succeeded (or the child died before saying anything) */
	if (p->exited && !(c && p == c->init && c->status == C_RUNNING)) {
		if (pending)
			respond_error(a, pending, "exec",
				      "the process exited before it started (status %d)",
				      p->exit_status);
		json_decref(pending);
		if (p != c->init) {
			p->failed = true;
		} else if (c->status == C_CREATING) {
			c->status = C_STOPPED;
			p->failed = true;
		}
		process_exit_noted(a, p);
		return;
	}
	if (pending) {
		if (p == c->init)
			respond_ok(a, pending, NULL);
		else
			respond_ok(a, pending,
				   json_pack("{s:i, s:i, s:b}", "pid", p->pid, "stream", p->stream,
					     "terminal", p->terminal));
	}
	json_decref(pending);
}

/* After a reap: processes that never started are forgotten, and so is a
 * container whose creation failed. */
void process_exit_noted(struct agent *a, struct process *p)
{
	if (p->status_fd >= 0)
		return; /* the status pipe still has to speak */
	struct container *c = p->c;
	if (c && c->init == p && c->status == C_STOPPED && p->failed) {
		container_free(a, c);
		return;
	}
	if (p->failed)
		process_free(a, p);
}
