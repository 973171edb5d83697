/* The agent's event loop: the channel (frames in, queued frames out), the
 * signalfd (children to reap, the host connecting), a timer (reconnect
 * polling, output linger), and every process's pipes. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "version.h"

/* Output lingering after an exit is checked this often. */
#define LINGER_TICK_MS 50
/* A serial port with no host is looked at again this often - a fallback
 * only: SIGIO says when the host opens it. A cached VM waits so, and under
 * TCG each look costs (20 a second took 3.8% of a CPU per idle VM, one a
 * second 0.20%, one in 5 s 0.05%). */
#define NO_HOST_TICK_MS 5000
/* How long an answer waits for a port that has not learnt of its host. */
#define UNSURE_MAX_MS 2000

void ev_add(struct agent *a, int fd, uint32_t events, struct ev_tag *tag)
{
	struct epoll_event ev = {.events = events, .data.ptr = tag};
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 && errno == EEXIST)
		epoll_ctl(a->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void ev_mod(struct agent *a, int fd, uint32_t events, struct ev_tag *tag)
{
	struct epoll_event ev = {.events = events, .data.ptr = tag};
	if (epoll_ctl(a->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
		epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev);
}

void ev_del(struct agent *a, int fd)
{
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* ---- timer -------------------------------------------------------------- */

static bool anyone_lingering(struct agent *a)
{
	for (struct process *p = a->processes; p; p = p->next)
		if (p->exited && json_array_size(p->waiters))
			return true;
	return false;
}

static void timer_update(struct agent *a)
{
	long ms = anyone_lingering(a) || a->ch.unsure_since_ms ? LINGER_TICK_MS
		  : a->ch.listen_fd < 0 && !a->ch.connected    ? NO_HOST_TICK_MS
							       : 0;
	struct itimerspec its = {0};
	if (ms) {
		its.it_interval.tv_sec = ms / 1000;
		its.it_interval.tv_nsec = ms % 1000 * 1000000L;
		its.it_value = its.it_interval;
	}
	timerfd_settime(a->timerfd, 0, &its, NULL);
}

void process_arm_linger(struct agent *a)
{
	timer_update(a);
}

/* ---- channel ------------------------------------------------------------ */

static void update_channel_events(struct agent *a)
{
	struct channel *c = &a->ch;
	if (c->fd < 0 || !c->connected || c->unsure_since_ms)
		return;
	uint32_t ev = EPOLLIN | (channel_pending(c) ? EPOLLOUT : 0);
	ev_mod(a, c->fd, ev, &a->tag_channel);
}

/* The host went away: everything of this session is dropped; processes
 * keep running and the next host picks them up. */
static void session_end(struct agent *a, const char *why)
{
	struct channel *c = &a->ch;
	if (c->hello_done)
		log_info("host disconnected (%s)", why);
	c->hello_done = false;
	c->connected = false;
	c->spoke = false;
	c->unsure_since_ms = 0;
	frame_decoder_free(&c->dec);
	frame_decoder_init(&c->dec);
	channel_drop_output(c);
	if (c->fd >= 0) {
		ev_del(a, c->fd);
		if (c->listen_fd >= 0) { /* a vsock connection is closed; a port stays open */
			close(c->fd);
			c->fd = -1;
		}
	}
	process_host_gone(a);
	timer_update(a);
}

/* The agent's resident memory (VmRSS), in KiB; 0 when unknown. */
static long self_rss_kib(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	long kib = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	return kib;
}

static void on_hello(struct agent *a, const struct frame *f)
{
	_cleanup_error_ struct kc_error why = {0};
	json_t *hello = frame_json(f, &why);
	if (!hello || proto_hello_check(hello, &why) < 0) {
		channel_send_error(&a->ch, 0, "%s", kc_error_msg(&why));
		json_decref(hello);
		return;
	}
	/* entropy from the host, for a guest with no other source yet */
	const char *seed = json_string_value(json_object_get(hello, "entropy"));
	if (seed)
		agent_add_entropy(seed);
	json_t *rt = json_object_get(hello, "realtime_ns");
	if (json_is_integer(rt))
		agent_set_clock((long long)json_integer_value(rt));
	json_decref(hello);

	struct utsname u;
	uname(&u);
	a->ch.hello_done = true;
	json_t *boot =
	    json_pack("{s:f, s:f, s:f, s:f, s:i, s:i}", "init_ms", a->times.start_ms, "modules_ms",
		      a->times.boot_modules_ms, "ready_ms", a->times.ready_ms, "modules_total_ms",
		      a->times.modules_ms, "modules", a->times.modules_loaded, "modules_failed",
		      a->times.modules_failed);
	/* what each module group loaded so far cost, and the agent's own
	 * memory: the guest's footprint, for make bench */
	json_t *groups = json_object();
	for (int i = 0; i < a->times.ngroups_loaded; i++)
		json_object_set_new(groups, a->times.groups_loaded[i],
				    json_pack("{s:f, s:i}", "ms", a->times.group_ms[i], "modules",
					      a->times.group_modules[i]));
	json_object_set_new(boot, "groups", groups);
	json_object_set_new(boot, "agent_rss_kib", json_integer(self_rss_kib()));
	channel_send_json(&a->ch, FRAME_HELLO,
			  json_pack("{s:i, s:s, s:s, s:s, s:i, s:i, s:o}", "version", PROTO_VERSION,
				    "role", "agent", "agent_version", kc_version, "kernel",
				    u.release, "max_data", PROTO_MAX_DATA, "window",
				    PROTO_DEFAULT_WINDOW, "boot", boot));
	log_debug("handshake done at %.1f ms", agent_uptime_ms());
}

static void on_frame(struct agent *a, struct frame *f)
{
	_cleanup_error_ struct kc_error why = {0};
	switch (f->type) {
	case FRAME_HELLO: on_hello(a, f); return;
	case FRAME_REQUEST: {
		json_t *req = frame_json(f, &why);
		if (!req) {
			channel_send_error(&a->ch, 0, "%s", kc_error_msg(&why));
			return;
		}
		if (!a->ch.hello_done) {
			respond_error(a, json_object_get(req, "id"), "protocol",
				      "HELLO first: no handshake on this connection");
		} else {
			if (a->opts.debug_console)
				log_info("request: %.*s", (int)(f->len > 400 ? 400 : f->len),
					 (const char *)f->payload);
			handle_request(a, req);
		}
		json_decref(req);
		return;
	}
	case FRAME_DATA:
	case FRAME_CLOSE:
	case FRAME_WINDOW:
		if (!a->ch.hello_done) {
			channel_send_error(&a->ch, f->stream,
					   "HELLO first: no handshake on this connection");
			return;
		}
		process_on_frame(a, f);
		return;
	case FRAME_ERROR:
		log_warn("host reports on stream %u: %.*s", f->stream,
			 (int)(f->len > 300 ? 300 : f->len), (const char *)f->payload);
		return;
	default:
		channel_send_error(&a->ch, f->stream, "unexpected %s frame from the host",
				   frame_type_name(f->type));
		return;
	}
}

/* A serial port learns that a host opened it from a control message the
 * guest's driver handles later than the host's first bytes: a resumed VM
 * (a template's clone, a cached VM handed over) can read the HELLO, fail
 * to answer (no host, the port says) and then read "no host" as the end of
 * the session - losing the answer, with no one to ask again. So while
 * this session has said nothing yet and has an answer waiting, the port's
 * "no host" is taken as "not yet" for a while: looked at again on SIGIO
 * and every tick until it can take the answer (or UNSURE_MAX_MS passes). */
static bool port_may_not_know_its_host(struct agent *a)
{
	struct channel *c = &a->ch;
	if (c->listen_fd >= 0 || !c->connected || c->spoke || !channel_pending(c))
		return false;
	double now = agent_uptime_ms();
	if (!c->unsure_since_ms) {
		c->unsure_since_ms = now;
		log_debug("the port says no host, with an answer waiting: waiting for it to open");
	} else if (now - c->unsure_since_ms >= UNSURE_MAX_MS) {
		return false;
	}
	ev_del(a, c->fd);
	timer_update(a);
	return true;
}

static void on_channel_readable(struct agent *a)
{
	struct channel *c = &a->ch;
	unsigned char buf[65536];
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n = read(c->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n == 0 && port_may_not_know_its_host(a))
			return;
		if (n <= 0) {
			/* serial: no host; vsock: the host closed */
			if (c->connected || c->listen_fd >= 0)
				session_end(a, n == 0 ? "end of stream" : strerror(errno));
			else
				ev_del(a, c->fd);
			timer_update(a);
			return;
		}
		if (!c->connected) {
			c->connected = true;
			timer_update(a);
		}
		frame_decoder_feed(&c->dec, buf, (size_t)n);
		for (;;) {
			struct frame f;
			_cleanup_error_ struct kc_error why = {0};
			uint32_t bad = 0;
			enum decode_result r = frame_decode(&c->dec, &f, &bad, &why);
			if (r == DECODE_NONE)
				break;
			if (r == DECODE_REJECTED) {
				channel_send_error(c, bad, "%s", kc_error_msg(&why));
				continue;
			}
			on_frame(a, &f);
			frame_free(&f);
		}
		if ((size_t)n < sizeof(buf))
			break;
	}
}

/* A serial port with no host: look again (on SIGIO or the timer). */
static void channel_try_again(struct agent *a)
{
	struct channel *c = &a->ch;
	if (c->listen_fd >= 0 || c->fd < 0)
		return;
	if (c->unsure_since_ms)
		ev_add(a, c->fd, EPOLLIN | EPOLLOUT, &a->tag_channel);
	else if (!c->connected)
		ev_add(a, c->fd, EPOLLIN, &a->tag_channel);
}

static void on_accept(struct agent *a)
{
	int fd = accept4(a->ch.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (a->ch.fd >= 0)
		session_end(a, "a new connection replaced it");
	a->ch.fd = fd;
	a->ch.connected = true;
	ev_add(a, fd, EPOLLIN, &a->tag_channel);
	log_debug("vsock connection accepted");
}

/* ---- children ----------------------------------------------------------- */

static void reap_children(struct agent *a)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);
		if (pid <= 0)
			return;
		for (struct process *p = a->processes; p; p = p->next)
			if (p->pid == pid && !p->exited) {
				process_reaped(a, p, st);
				break;
			}
	}
}

static void on_signal(struct agent *a)
{
	struct signalfd_siginfo si;
	while (read(a->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD: reap_children(a); break;
		case SIGIO: channel_try_again(a); break;
		case SIGTERM:
		case SIGINT:
		case SIGPWR:
			log_info("signal %d: powering off", si.ssi_signo);
			agent_poweroff(a);
			break;
		}
	}
}

static void on_timer(struct agent *a)
{
	uint64_t ticks;
	if (read(a->timerfd, &ticks, sizeof(ticks)) < 0) {
		/* nothing to do: the tick is only a wake-up */
	}
	channel_try_again(a);
	for (struct process *p = a->processes; p; p = p->next)
		if (p->exited)
			process_check_waiters(a, p);
	timer_update(a);
}

int agent_loop_init(struct agent *a)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGIO);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGPWR);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	a->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	a->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (a->epfd < 0 || a->sigfd < 0 || a->timerfd < 0) {
		log_error("epoll/signalfd/timerfd: %s", strerror(errno));
		return -1;
	}
	a->tag_channel = (struct ev_tag){EV_CHANNEL, NULL};
	a->tag_listen = (struct ev_tag){EV_LISTEN, NULL};
	a->tag_signal = (struct ev_tag){EV_SIGNAL, NULL};
	a->tag_timer = (struct ev_tag){EV_TIMER, NULL};
	ev_add(a, a->sigfd, EPOLLIN, &a->tag_signal);
	ev_add(a, a->timerfd, EPOLLIN, &a->tag_timer);
	a->next_stream = 1;
	return 0;
}

void agent_loop(struct agent *a)
{
	if (a->ch.listen_fd >= 0)
		ev_add(a, a->ch.listen_fd, EPOLLIN, &a->tag_listen);
	else
		ev_add(a, a->ch.fd, EPOLLIN, &a->tag_channel);
	timer_update(a);
	for (;;) {
		struct epoll_event evs[32];
		int n = epoll_wait(a->epfd, evs, 32, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("epoll_wait: %s", strerror(errno));
			return;
		}
		for (int i = 0; i < n; i++) {
			struct ev_tag *t = evs[i].data.ptr;
			uint32_t e = evs[i].events;
			switch (t->kind) {
			case EV_CHANNEL:
				if (e & EPOLLOUT && channel_flush(&a->ch) < 0)
					session_end(a, "write failed");
				if (e & (EPOLLIN | EPOLLHUP | EPOLLERR) && a->ch.fd >= 0)
					on_channel_readable(a);
				break;
			case EV_LISTEN: on_accept(a); break;
			case EV_SIGNAL: on_signal(a); break;
			case EV_TIMER: on_timer(a); break;
			case EV_STDOUT: process_on_output(a, t->owner, FD_STDOUT); break;
			case EV_STDERR: process_on_output(a, t->owner, FD_STDERR); break;
			case EV_STDIN: process_on_stdin_writable(a, t->owner); break;
			case EV_STATUS: process_on_status(a, t->owner); break;
			}
		}
		/* frames queued by any handler go out now, or when the channel drains */
		if (a->ch.connected && channel_flush(&a->ch) < 0)
			session_end(a, "write failed");
		if (a->poweroff_after_flush && !channel_pending(&a->ch))
			agent_poweroff(a);
		update_channel_events(a);
		for (struct process *p = a->processes; p; p = p->next)
			process_update_events(a, p);
		process_sweep(a);
		process_bury(a);
	}
}
