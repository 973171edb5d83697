/* Helper programs with a deadline (see proc.h). */
#include "proc.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

int run_capture(const char *const argv[], int timeout_ms, char *out, size_t outlen, int *status,
		struct kc_error *err)
{
	int pipefd[2], errpipe[2];
	size_t used = 0;
	pid_t pid;

	if (outlen)
		out[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return kc_error_set(err, errno, "pipe");
	/* a second pipe reports a failed exec (its write end closes on success) */
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return kc_error_set(err, errno, "pipe");
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		close(errpipe[0]);
		close(errpipe[1]);
		return kc_error_set(err, e, "fork");
	}
	if (pid == 0) {
		/* the shim v2 blocks SIGTERM in itself, not in what it runs */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		int e = errno;
		ssize_t w = write(errpipe[1], &e, sizeof(e));
		(void)w;
		_exit(127);
	}
	close(pipefd[1]);
	close(errpipe[1]);

	int exec_errno = 0;
	ssize_t n = read(errpipe[0], &exec_errno, sizeof(exec_errno));
	close(errpipe[0]);
	if (n == (ssize_t)sizeof(exec_errno)) {
		close(pipefd[0]);
		waitpid(pid, status, 0);
		return kc_error_set(err, exec_errno, "cannot run %s", argv[0]);
	}

	long deadline = now_ms() + timeout_ms;
	bool timed_out = false;
	for (;;) {
		long left = deadline - now_ms();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd pfd = {.fd = pipefd[0], .events = POLLIN};
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			timed_out = pr == 0;
			break;
		}
		char buf[512];
		n = read(pipefd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		if (outlen > used + 1) {
			size_t take = (size_t)n < outlen - 1 - used ? (size_t)n : outlen - 1 - used;
			memcpy(out + used, buf, take);
			used += take;
			out[used] = '\0';
		}
	}
	close(pipefd[0]);
	/* its output closed; it may still run (a daemon): wait within the deadline */
	while (!timed_out) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return kc_error_set(err, errno, "waiting for %s", argv[0]);
		if (now_ms() >= deadline)
			timed_out = true;
		else
			usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return kc_error_set(err, 0, "%s did not finish within %d ms", argv[0], timeout_ms);
}
