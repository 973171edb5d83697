/* kata-dashboard: the host's readiness, its PCI devices for passthrough
 * and the running sandboxes, live in a terminal. The main thread owns the
 * terminal and only waits in poll(); reports are taken by a worker thread
 * (on request, on device events, every few seconds) so input never waits
 * for a probe. The terminal is restored on exit, on SIGINT/SIGTERM/SIGHUP
 * and on a crash. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "canvas.h"
#include "exit_status.h"
#include "fix.h"
#include "monitor.h"
#include "snapshot.h"
#include "strbuf.h"
#include "strutil.h"
#include "tty.h"
#include "ui.h"
#include "version.h"

#define DEFAULT_RUNTIME_ROOT "/run/kata-containers"

/* The one thread that probes the host: snapshots, and the fixes the input
 * thread asks for (probing touches process-wide state: libpci's error
 * jump, the KVM smoke test's SIGALRM). */
enum fix_job { JOB_NONE, JOB_DESCRIBE, JOB_RUN };

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool want, quit;
	struct snapshot *ready;
	int wake_fd;
	const struct host_root *root;
	const char *root_dir;
	char runtime_root[512];
	int period;
	enum fix_job job;  /* asked for, not yet done */
	enum fix_job done; /* done: its result below, for the input thread */
	char job_item[64];
	char *job_text; /* the description or the result */
	struct kc_error job_err;
	int job_rc;
} worker = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

/* With the lock held; it is dropped while the fix probes. */
static void worker_fix(void)
{
	enum fix_job job = worker.job;
	char item[64];
	str_copy(item, sizeof(item), worker.job_item);
	worker.job = JOB_NONE;
	pthread_mutex_unlock(&worker.lock);
	char *text = NULL;
	_cleanup_error_ struct kc_error err = {0};
	int rc = job == JOB_DESCRIBE ? fix_describe(worker.root_dir, item, &text, &err)
				     : fix_run(worker.root_dir, item, &text, &err);
	pthread_mutex_lock(&worker.lock);
	free(worker.job_text);
	worker.job_text = text;
	kc_error_move(&worker.job_err, &err);
	worker.job_rc = rc;
	worker.done = job;
	/* a fix changes the host: the next snapshot shows it */
	if (job == JOB_RUN)
		worker.want = true;
	ssize_t w = write(worker.wake_fd, "f", 1);
	(void)w;
}

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t curses_active;

static void *worker_run(void *arg _unused_)
{
	pthread_mutex_lock(&worker.lock);
	for (;;) {
		while (!worker.want && !worker.quit && worker.job == JOB_NONE) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += worker.period;
			if (pthread_cond_timedwait(&worker.cond, &worker.lock, &until) == ETIMEDOUT)
				break; /* periodic refresh */
		}
		if (worker.quit)
			break;
		if (worker.job != JOB_NONE) {
			worker_fix();
			continue;
		}
		worker.want = false;
		pthread_mutex_unlock(&worker.lock);
		struct snapshot *s = snapshot_take(worker.root, worker.runtime_root);
		pthread_mutex_lock(&worker.lock);
		snapshot_free(worker.ready);
		worker.ready = s;
		ssize_t w = write(worker.wake_fd, "s", 1);
		(void)w;
	}
	pthread_mutex_unlock(&worker.lock);
	return NULL;
}

static void request_fix(enum fix_job job, const char *item)
{
	pthread_mutex_lock(&worker.lock);
	worker.job = job;
	str_copy(worker.job_item, sizeof(worker.job_item), item);
	pthread_cond_signal(&worker.cond);
	pthread_mutex_unlock(&worker.lock);
}

/* A fix the worker finished: the prompt, or what happened. */
static void fix_done(struct ui *u)
{
	pthread_mutex_lock(&worker.lock);
	enum fix_job job = worker.done;
	worker.done = JOB_NONE;
	if (job == JOB_DESCRIBE && worker.job_rc < 0) {
		snprintf(u->message, sizeof(u->message), "%s", kc_error_msg(&worker.job_err));
		u->message_color = COL_WARN;
	} else if (job == JOB_DESCRIBE) {
		snprintf(u->confirm, sizeof(u->confirm), "Fix %s: %s? [y/N]", worker.job_item,
			 worker.job_text);
		str_copy(u->fix_item, sizeof(u->fix_item), worker.job_item);
		u->confirming = true;
		u->message[0] = '\0';
	} else if (job == JOB_RUN) {
		snprintf(u->message, sizeof(u->message), "%s",
			 worker.job_rc < 0 ? kc_error_msg(&worker.job_err) : worker.job_text);
		u->message_color = worker.job_rc < 0 ? COL_FAIL : COL_PASS;
		u->refreshing = true;
	}
	pthread_mutex_unlock(&worker.lock);
}

static void request_refresh(void)
{
	pthread_mutex_lock(&worker.lock);
	worker.want = true;
	pthread_cond_signal(&worker.cond);
	pthread_mutex_unlock(&worker.lock);
}

static void on_quit_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	ssize_t w = write(sig_pipe[1], &c, 1);
	(void)w;
	errno = saved;
}

static void on_crash(int sig)
{
	/* leave the terminal usable, then die as the signal asks */
	if (curses_active)
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void restore_terminal(void)
{
	if (curses_active) {
		endwin();
		curses_active = 0;
	}
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_quit_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	struct sigaction crash = {.sa_handler = on_crash};
	sigemptyset(&crash.sa_mask);
	static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	for (size_t i = 0; i < ARRAY_SIZE(crash_signals); i++)
		sigaction(crash_signals[i], &crash, NULL);
}

enum {
	OPT_HOST_ROOT = 256,
	OPT_RUNTIME_ROOT,
	OPT_VIEW,
	OPT_SIZE,
	OPT_NO_COLOR,
	OPT_REFRESH,
	OPT_ONCE
};

static const struct option long_options[] = {
    {"once", no_argument, NULL, OPT_ONCE},
    {"host-root", required_argument, NULL, OPT_HOST_ROOT},
    {"runtime-root", required_argument, NULL, OPT_RUNTIME_ROOT},
    {"view", required_argument, NULL, OPT_VIEW},
    {"size", required_argument, NULL, OPT_SIZE},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"refresh", required_argument, NULL, OPT_REFRESH},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *out, const char *prog)
{
	fprintf(
	    out,
	    "Usage: %s [OPTIONS]\n"
	    "Show at a glance whether this node can run Kata Containers, why not, its PCI\n"
	    "devices for passthrough and the running sandboxes, and fix problems on the spot.\n"
	    "\n"
	    "Options:\n"
	    "      --once               print one frame to standard output and exit\n"
	    "      --view VIEW          start in checks (default), vfio or sandboxes\n"
	    "      --size COLSxLINES    frame size for --once (default: $COLUMNS x $LINES, else "
	    "100x32)\n"
	    "      --host-root DIR      inspect the host mounted at DIR (default /)\n"
	    "      --runtime-root DIR   kata-runtime's state directory (default %s)\n"
	    "      --refresh SECONDS    refresh every SECONDS besides device events (default 10)\n"
	    "      --no-color           no colours (also with NO_COLOR set)\n"
	    "  -h, --help               print this help\n"
	    "  -V, --version            print the version\n"
	    "\n"
	    "Keys: j/k or arrows move, Tab or 1-3 switch views, Enter details, / filter,\n"
	    "f fix (root), r refresh, ? help, q quit.\n"
	    "Exit status: 0, or 2 on a usage error.\n",
	    prog, DEFAULT_RUNTIME_ROOT);
}

static int parse_view(const char *s)
{
	if (!strcmp(s, "checks"))
		return VIEW_CHECKS;
	if (!strcmp(s, "vfio"))
		return VIEW_VFIO;
	if (!strcmp(s, "sandboxes"))
		return VIEW_SANDBOXES;
	return -1;
}

static void once_size(const char *spec, int *w, int *h)
{
	const char *c = getenv("COLUMNS"), *l = getenv("LINES");
	*w = c && atoi(c) > 0 ? atoi(c) : 100;
	*h = l && atoi(l) > 0 ? atoi(l) : 32;
	if (spec)
		sscanf(spec, "%dx%d", w, h);
}

static void selected_item(const struct snapshot *s, const struct ui *u, char *id, size_t len)
{
	const struct report_item *items[512];
	int n = ui_visible_checks(s, u, items, 512);
	id[0] = '\0';
	if (n > 0)
		str_copy(id, len,
			 items[u->selected[VIEW_CHECKS] < n ? u->selected[VIEW_CHECKS] : 0]->id);
}

static void draw(struct canvas *c, const struct snapshot *s, struct ui *u)
{
	c->w = COLS;
	c->h = LINES;
	erase();
	ui_draw(c, s, u);
	refresh();
}

static void open_screen(struct canvas *canvas, bool color)
{
	install_signals();
	atexit(restore_terminal);
	initscr();
	curses_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	canvas_curses_init(canvas, color && has_colors());
}

/* The worker woke us: a new snapshot, a fix's answer, or both. */
static void take_worker_result(int wake_fd, struct snapshot **s, struct ui *u)
{
	char buf[64];
	while (read(wake_fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&worker.lock);
	bool fixed = worker.done != JOB_NONE;
	if (worker.ready) {
		snapshot_free(*s);
		*s = worker.ready;
		worker.ready = NULL;
		u->refreshing = false;
	}
	pthread_mutex_unlock(&worker.lock);
	if (fixed)
		fix_done(u);
}

/* f: the worker probes what fixing the selected item takes; the answer
 * comes back on the wake pipe. */
static void ask_fix(const struct snapshot *s, struct ui *u)
{
	char id[64];
	selected_item(s, u, id, sizeof(id));
	if (!id[0])
		return;
	if (!u->root) {
		snprintf(u->message, sizeof(u->message),
			 "Fixing needs root (you are uid %u): run kata-dashboard as root, or "
			 "kata-setup.",
			 (unsigned)geteuid());
		u->message_color = COL_WARN;
		return;
	}
	snprintf(u->message, sizeof(u->message), "Looking at %s...", id);
	u->message_color = COL_DIM;
	request_fix(JOB_DESCRIBE, id);
}

/* Every key waiting; true to quit. */
static bool handle_keys(const struct snapshot *s, struct ui *u, bool *redraw)
{
	int key;
	while ((key = getch()) != ERR) {
		enum ui_command cmd = ui_key(u, s, key);
		*redraw = true;
		switch (cmd) {
		case CMD_QUIT: return true;
		case CMD_REFRESH:
			u->refreshing = true;
			request_refresh();
			break;
		case CMD_ASK_FIX: ask_fix(s, u); break;
		case CMD_RUN_FIX:
			snprintf(u->message, sizeof(u->message), "Fixing %s...", u->fix_item);
			u->message_color = COL_DIM;
			request_fix(JOB_RUN, u->fix_item);
			break;
		default: break;
		}
	}
	return false;
}

static void stop_worker(pthread_t thread)
{
	pthread_mutex_lock(&worker.lock);
	worker.quit = true;
	pthread_cond_signal(&worker.cond);
	pthread_mutex_unlock(&worker.lock);
	pthread_join(thread, NULL);
	snapshot_free(worker.ready);
	free(worker.job_text);
}

static int run_interactive(struct host_root *root, const char *root_dir, struct ui *u, bool color)
{
	int wake[2];
	struct monitor *mon = NULL;
	struct snapshot *s;
	struct canvas canvas = {0};
	pthread_t thread;

	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		perror("kata-dashboard: pipe");
		return EXIT_USAGE;
	}
	/* the first frame comes from a report taken before the screen opens */
	s = snapshot_take(root, worker.runtime_root);
	worker.wake_fd = wake[1];
	worker.root = root;
	worker.root_dir = root_dir;
	if (pthread_create(&thread, NULL, worker_run, NULL) != 0) {
		perror("kata-dashboard: thread");
		snapshot_free(s);
		return EXIT_USAGE;
	}
	if (root->live)
		mon = monitor_open();
	open_screen(&canvas, color);
	draw(&canvas, s, u);

	bool quit = false;
	int quit_signal = 0;
	while (!quit) {
		struct pollfd fds[4] = {
		    {.fd = STDIN_FILENO, .events = POLLIN},
		    {.fd = wake[0], .events = POLLIN},
		    {.fd = sig_pipe[0], .events = POLLIN},
		    {.fd = mon ? monitor_fd(mon) : -1, .events = POLLIN},
		};
		int r = poll(fds, 4, -1);
		if (r < 0 && errno != EINTR)
			break;
		bool redraw = r < 0; /* EINTR: most likely SIGWINCH */
		if (fds[2].revents & POLLIN) {
			char c;
			while (read(sig_pipe[0], &c, 1) == 1)
				quit = true, quit_signal = c;
		}
		if (fds[1].revents & POLLIN) {
			take_worker_result(wake[0], &s, u);
			redraw = true;
		}
		if (mon && (fds[3].revents & POLLIN) && monitor_drain(mon)) {
			u->refreshing = true;
			request_refresh();
			redraw = true;
		}
		if (!quit)
			quit = handle_keys(s, u, &redraw);
		if (redraw && !quit)
			draw(&canvas, s, u);
	}
	restore_terminal();
	stop_worker(thread);
	snapshot_free(s);
	monitor_close(mon);
	close(wake[0]);
	close(wake[1]);
	return quit_signal ? -quit_signal : 0;
}

/* --once: one frame, printed as text. */
static int print_once(const struct host_root *root, const char *size, struct ui *u)
{
	int w, h;
	once_size(size, &w, &h);
	struct snapshot *s = snapshot_take(root, worker.runtime_root);
	struct canvas *cv = canvas_text_new(w, h);
	ui_draw(cv, s, u);
	canvas_text_print(cv);
	canvas_text_free(cv);
	snapshot_free(s);
	return fflush(stdout) == 0 ? 0 : EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *root_dir = "/", *runtime_root = NULL, *size = NULL;
	bool once = false, color = true;
	struct ui u = {0};
	int c;

	worker.period = 10;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_ONCE: once = true; break;
		case OPT_HOST_ROOT: root_dir = optarg; break;
		case OPT_RUNTIME_ROOT: runtime_root = optarg; break;
		case OPT_SIZE: size = optarg; break;
		case OPT_NO_COLOR: color = false; break;
		case OPT_VIEW: {
			int v = parse_view(optarg);
			if (v < 0) {
				fprintf(stderr,
					"%s: --view: '%s' is not checks, vfio or sandboxes\n", prog,
					optarg);
				return EXIT_USAGE;
			}
			u.view = (enum view)v;
			break;
		}
		case OPT_REFRESH: {
			unsigned v;
			if (parse_uint(optarg, 10, &v) < 0 || v < 1 || v > 86400) {
				fprintf(
				    stderr,
				    "%s: --refresh: '%s' is not a number of seconds (1 to 86400)\n",
				    prog, optarg);
				return EXIT_USAGE;
			}
			worker.period = (int)v;
			break;
		}
		case 'h': usage(stdout, prog); return 0;
		case 'V': kc_print_version(prog, NULL); return 0;
		case ':':
			fprintf(stderr, "%s: option '%s' needs an argument\n", prog,
				argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "%s: unknown option '%s'\nTry '%s --help'.\n", prog,
				argv[optind - 1], prog);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		return EXIT_USAGE;
	}
	if (size) {
		int w = 0, h = 0;
		if (sscanf(size, "%dx%d", &w, &h) != 2 || w < 1 || h < 1 || w > 1000 || h > 1000) {
			fprintf(stderr, "%s: --size: '%s' is not COLSxLINES\n", prog, size);
			return EXIT_USAGE;
		}
	}
	_cleanup_error_ struct kc_error err = {0};
	struct host_root root;
	if (host_root_open(&root, root_dir, &err) < 0) {
		fprintf(stderr, "%s: --host-root: %s\n", prog, kc_error_msg(&err));
		return EXIT_USAGE;
	}
	/* the runtime's state lives in the host root too */
	snprintf(worker.runtime_root, sizeof(worker.runtime_root), "%s",
		 runtime_root ? runtime_root : DEFAULT_RUNTIME_ROOT);
	u.root = geteuid() == 0;

	int status = 0;
	if (once) {
		status = print_once(&root, size, &u);
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			fprintf(stderr, "%s: needs a terminal (use --once to print one frame)\n",
				prog);
			host_root_close(&root);
			return EXIT_USAGE;
		}
		color = color && color_enabled(COLOR_AUTO, STDOUT_FILENO);
		setlocale(LC_ALL, "");
		status = run_interactive(&root, root_dir, &u, color);
	}
	host_root_close(&root);
	if (status < 0) {
		/* ended by a signal, terminal restored: die of it, as a shell expects
		 * of an interrupted program (status 128 + N, 130 for Ctrl-C) */
		signal(-status, SIG_DFL);
		raise(-status);
		return 128 - status;
	}
	return status;
}
