/* `make bench` for kata-dashboard: time from start to the first frame on a
 * pseudo-terminal (median of several starts), and the CPU it uses while
 * idle (no keys, no events) over a few seconds. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Start the dashboard on a pty; return the time until its header shows. */
static double start(const char *bin, const char *root, pid_t *pid_out, int *master_out)
{
	struct winsize ws = {.ws_row = 40, .ws_col = 120};
	int master;
	double t0 = now_ms();
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		execl(bin, bin, "--host-root", root, (char *)NULL);
		_exit(127);
	}
	char buf[65536];
	size_t used = 0;
	for (;;) {
		struct pollfd p = {.fd = master, .events = POLLIN};
		if (poll(&p, 1, 5000) <= 0)
			return -1;
		ssize_t n = read(master, buf + used, sizeof(buf) - 1 - used);
		if (n <= 0)
			return -1;
		used += (size_t)n;
		buf[used] = '\0';
		if (strstr(buf, "Sandboxes"))
			break; /* the tabs line: the frame is out */
		if (used > sizeof(buf) - 1024)
			used = 0;
	}
	*pid_out = pid;
	*master_out = master;
	return now_ms() - t0;
}

static long cpu_ticks(pid_t pid)
{
	char path[64], line[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(line, sizeof(line), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	char *p = strrchr(line, ')');
	unsigned long ut = 0, st = 0;
	/* fields after ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
	 * utime stime */
	sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
	return (long)(ut + st);
}

static void stop(pid_t pid, int master)
{
	ssize_t w = write(master, "q", 1);
	(void)w;
	int status;
	for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++) {
		char buf[4096];
		struct pollfd p = {.fd = master, .events = POLLIN};
		if (poll(&p, 1, 20) > 0 && read(master, buf, sizeof(buf)) < 0)
			break;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(master);
}

int main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : "build/bin/kata-dashboard";
	const char *root = argc > 2 ? argv[2] : "/";
	enum { STARTS = 15, IDLE_S = 5 };
	double t[STARTS];
	pid_t pid;
	int master;

	for (int i = 0; i < STARTS; i++) {
		t[i] = start(bin, root, &pid, &master);
		if (t[i] < 0) {
			fprintf(stderr, "bench: the dashboard showed no frame\n");
			return 1;
		}
		if (i < STARTS - 1)
			stop(pid, master);
	}
	qsort(t, STARTS, sizeof(double), cmp);
	/* the last one stays up, idle */
	long ticks0 = cpu_ticks(pid);
	double w0 = now_ms();
	/* drain output so the child never blocks on a full pty */
	while (now_ms() - w0 < IDLE_S * 1000.0) {
		char buf[4096];
		struct pollfd p = {.fd = master, .events = POLLIN};
		if (poll(&p, 1, 100) > 0 && read(master, buf, sizeof(buf)) < 0)
			break;
	}
	long ticks1 = cpu_ticks(pid);
	double secs = (now_ms() - w0) / 1000.0;
	long hz = sysconf(_SC_CLK_TCK);
	stop(pid, master);
	printf("kata-dashboard --host-root %s: first frame median %.1f ms over %d starts (min "
	       "%.1f, max %.1f); "
	       "idle CPU %.2f%% over %.0f s\n",
	       root, t[STARTS / 2], STARTS, t[0], t[STARTS - 1],
	       100.0 * (double)(ticks1 - ticks0) / (double)hz / secs, secs);
	return 0;
}
