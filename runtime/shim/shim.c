/* kata-shim's work (see shim.h). */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "agent_client.h"
#include "fdpass.h"
#include "log.h"
#include "stdio_pump.h"

int console_send(const char *socket_path, int master, const char *name, struct kc_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(socket_path) >= sizeof(sa.sun_path))
		return kc_error_set(err, 0, "console socket path %s is too long", socket_path);
	strcpy(sa.sun_path, socket_path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return kc_error_set(err, errno, "socket");
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(s);
		return kc_error_set(err, e, "console socket %s", socket_path);
	}
	ssize_t n = fd_send(s, master, name, strlen(name));
	int e = errno;
	close(s);
	if (n < 0)
		return kc_error_set(err, e, "send the terminal to %s", socket_path);
	return 0;
}

struct shim_ctx {
	const struct shim_options *o;
	int sigfd;
	int tty; /* local terminal, -1 */
	unsigned short rows, cols;
};

static void send_resize(struct stdio_pump *p, struct shim_ctx *s)
{
	struct winsize ws;
	if (s->tty < 0 || ioctl(s->tty, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return;
	if (ws.ws_row == s->rows && ws.ws_col == s->cols)
		return;
	s->rows = ws.ws_row;
	s->cols = ws.ws_col;
	_cleanup_error_ struct kc_error err = {0};
	json_t *a = json_pack("{s:s, s:i, s:i}", "container_id", s->o->container_id, "rows",
			      ws.ws_row, "cols", ws.ws_col);
	if (s->o->exec_id)
		json_object_set_new(a, "exec_id", json_string(s->o->exec_id));
	if (agent_client_send_request(p->ac, "resize_tty", a, &err) < 0)
		kc_warn("resize: %s", kc_error_msg(&err));
}

static int on_signal(struct stdio_pump *p, void *ctx)
{
	struct shim_ctx *s = ctx;
	struct signalfd_siginfo si;
	while (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGWINCH) {
			send_resize(p, s);
			continue;
		}
		if (si.ssi_signo == SIGCHLD)
			continue;
		/* the process's stand-in: what reaches us is meant for it */
		kc_debug("forwarding signal %u", si.ssi_signo);
		_cleanup_error_ struct kc_error err = {0};
		json_t *a = json_pack("{s:s, s:i}", "container_id", s->o->container_id, "signal",
				      (int)si.ssi_signo);
		if (s->o->exec_id)
			json_object_set_new(a, "exec_id", json_string(s->o->exec_id));
		if (agent_client_send_request(p->ac, "signal_process", a, &err) < 0)
			return -1;
	}
	return 0;
}

int shim_run(const struct shim_options *o, struct kc_error *err)
{
	struct agent_client ac;
	if (agent_client_connect(&ac, o->proxy_socket, 10000, err) < 0)
		return -1;
	if (agent_client_hello(&ac, "shim", 10000, err) < 0)
		goto fail;
	json_t *r = agent_client_call(&ac, "attach_stream",
				      json_pack("{s:i}", "stream", (int)o->stream), 10000, err);
	if (!r)
		goto fail;
	json_decref(r);

	struct shim_ctx s = {.o = o, .sigfd = -1, .tty = -1};
	struct termios saved;
	bool restore = false;
	int in = STDIN_FILENO, out = STDOUT_FILENO, errfd = STDERR_FILENO;
	if (o->terminal && o->console_socket) {
		int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		char name[64];
		if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 ||
		    ptsname_r(m, name, sizeof(name))) {
			kc_error_set(err, errno, "terminal");
			goto fail;
		}
		if (console_send(o->console_socket, m, name, err) < 0)
			goto fail;
		close(m);
		/* our session's terminal: its size changes come to us as SIGWINCH */
		setsid();
		s.tty = open(name, O_RDWR | O_CLOEXEC);
		if (s.tty < 0 || ioctl(s.tty, TIOCSCTTY, 0) < 0) {
			kc_error_set(err, errno, "terminal %s", name);
			goto fail;
		}
		struct termios t;
		if (tcgetattr(s.tty, &t) == 0) {
			cfmakeraw(&t);
			tcsetattr(s.tty, TCSANOW, &t);
		}
		in = out = s.tty;
		errfd = -1;
	} else if (o->terminal) {
		/* run in the foreground: our own terminal, raw while the process has it */
		if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
			struct termios t = saved;
			cfmakeraw(&t);
			tcsetattr(STDIN_FILENO, TCSANOW, &t);
			restore = true;
			s.tty = STDIN_FILENO;
		}
		errfd = -1;
	}

	sigset_t mask;
	sigfillset(&mask);
	sigdelset(&mask, SIGSEGV);
	sigdelset(&mask, SIGBUS);
	sigdelset(&mask, SIGFPE);
	sigdelset(&mask, SIGILL);
	sigdelset(&mask, SIGABRT);
	sigdelset(&mask, SIGTTIN);
	sigdelset(&mask, SIGTTOU);
	sigdelset(&mask, SIGTSTP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	s.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

	struct stdio_pump p;
	stdio_pump_init(&p, &ac, o->container_id, o->exec_id, o->stream, o->terminal);
	p.in_fd = in;
	p.out_fd = out;
	p.err_fd = errfd;
	p.extra_fd = s.sigfd;
	p.on_extra = on_signal;
	p.ctx = &s;
	send_resize(&p, &s);
	/* attached, the terminal (if any) with the caller: the runtime may go
	 * (conmon takes create's exit as the end of the console's hand-over) */
	if (o->ready_fd >= 0) {
		if (write(o->ready_fd, "R", 1) < 0) {
			/* the runtime gave up waiting: nothing to tell */
		}
		close(o->ready_fd);
	}
	int rc = stdio_pump_run(&p, err);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	agent_client_close(&ac);
	if (rc < 0)
		return -1;
	return p.exit_status & 0xff;
fail:
	agent_client_close(&ac);
	return -1;
}
