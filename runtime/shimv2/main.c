/* containerd-shim-kata-v2: the command line containerd runs (start,
 * delete) and the daemon it starts (serve). See shimv2.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <malloc.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bundle.h"
#include "exit_status.h"
#include "factory.h"
#include "fs.h"
#include "github.com/containerd/containerd/runtime/v2/task/shim.pb-c.h"
#include "log.h"
#include "oci.h"
#include "pod.h"
#include "shimv2.h"
#include "strbuf.h"
#include "strutil.h"
#include "version.h"
#include "xalloc.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: containerd-shim-kata-v2 -namespace NS -address ADDR [-publish-binary BIN]\n"
		"                               -id ID [-bundle DIR] [-debug] start|delete\n"
		"       containerd-shim-kata-v2 -v\n"
		"containerd starts it (runtime_type = \"io.containerd.kata.v2\"): one daemon per\n"
		"pod serving containerd's task API over ttrpc. See containerd-shim-kata-v2(8).\n");
}

char *v2_root(const char *ns)
{
	return xasprintf("%s/%s", SHIMV2_RUN_DIR, ns);
}

/* ---- start ------------------------------------------------------------------- */

/* The pod the container belongs to (from the bundle, our working
 * directory, read as create reads it): its sandbox's daemon serves it. */
static char *group_of(const char *id, struct kc_error *err)
{
	struct bundle b;
	if (bundle_load(&b, ".", false, err) < 0) {
		bundle_free(&b);
		return NULL;
	}
	enum pod_role role;
	const char *sandbox = NULL;
	char *group = NULL;
	if (pod_role(json_object_get(b.spec, "annotations"), &role, &sandbox, err) == 0)
		group = xstrdup(role == POD_CONTAINER && sandbox ? sandbox : id);
	bundle_free(&b);
	return group;
}

/* The pod's listening socket, root's alone (0600) whatever the caller's
 * umask: whoever can connect drives the task API (exec, kill, delete). */
static int listen_on(const char *path, struct kc_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return kc_error_set(err, 0, "socket path %s is too long", path);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kc_error_set(err, errno, "socket");
	/* bind(2) makes the file with the umask's mode: no thread runs yet */
	mode_t old = umask(0177);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, 64) < 0) {
		int e = errno;
		close(fd);
		if (r == 0)
			unlink(path);
		return kc_error_set(err, e, "listen on %s", path);
	}
	return fd;
}

static int spawn_daemon(const struct v2opts *o, const char *sock, int lfd, struct kc_error *err)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return kc_error_set(err, errno, "/proc/self/exe");
	self[n] = 0;
	pid_t pid = fork();
	if (pid < 0)
		return kc_error_set(err, errno, "fork");
	if (pid == 0) {
		setsid();
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0), dup2(null, 1), dup2(null, 2);
		/* fd 3, inherited: dup2 onto itself would keep its close-on-exec */
		if (lfd == 3)
			fcntl(3, F_SETFD, 0);
		else
			dup2(lfd, 3);
		const char *argv[16];
		int k = 0;
		argv[k++] = self;
		argv[k++] = "-namespace", argv[k++] = o->ns;
		argv[k++] = "-address", argv[k++] = o->address;
		argv[k++] = "-publish-binary", argv[k++] = o->publish_binary ?: "";
		argv[k++] = "-id", argv[k++] = o->id;
		argv[k++] = "-socket", argv[k++] = sock;
		if (o->debug)
			argv[k++] = "-debug";
		argv[k++] = "serve";
		argv[k] = NULL;
		execv(self, (char *const *)argv);
		_exit(127);
	}
	return 0;
}

/* The pod's socket: one per containerd, namespace and sandbox. */
static char *socket_path(const struct v2opts *o, struct kc_error *err)
{
	_cleanup_free_ char *group = group_of(o->id, err);
	if (!group)
		return NULL;
	_cleanup_free_ char *key = xasprintf("%s/%s/%s", o->address, o->ns, group);
	return xasprintf("%s/.s/%016llx", SHIMV2_RUN_DIR,
			 (unsigned long long)fnv1a_str(FNV1A_INIT_SHORT, key));
}

/* The directory path, made if missing, ours and with mode exactly
 * (whatever the umask, or the mode an earlier version left): a handle. */
static int own_dir(const char *path, mode_t mode, struct kc_error *err)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return kc_error_set(err, errno, "%s", path);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return kc_error_set(err, e, "%s", path);
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		return kc_error_set(err, 0, "%s belongs to uid %u, not to us: refusing to use it",
				    path, (unsigned)st.st_uid);
	}
	if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0) {
		int e = errno;
		close(fd);
		return kc_error_set(err, e, "chmod %s", path);
	}
	return fd;
}

/* The sockets' directory (root's alone), locked: one start or delete at
 * a time, so the second start of a pod finds the first one's daemon. */
static int lock_sockets(struct kc_error *err)
{
	if (mkdir(KC_RUN_DIR, 0711) < 0 && errno != EEXIST)
		return kc_error_set(err, errno, "%s", KC_RUN_DIR);
	int top = own_dir(SHIMV2_RUN_DIR, 0711, err);
	if (top < 0)
		return -1;
	close(top);
	int fd = own_dir(SHIMV2_RUN_DIR "/.s", 0700, err);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;
		close(fd);
		return kc_error_set(err, e, "lock %s/.s", SHIMV2_RUN_DIR);
	}
	return fd;
}

/* A daemon answers on the socket. */
static bool socket_live(const char *sock)
{
	int fd = unix_connect_nofollow(sock);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int v2_start(const struct v2opts *o, struct kc_error *err)
{
	_cleanup_free_ char *sock = socket_path(o, err);
	if (!sock)
		return -1;
	int lock = lock_sockets(err);
	if (lock < 0)
		return -1;
	if (socket_live(sock)) {
		/* made by an earlier version with the umask's mode, maybe */
		if (chmod(sock, 0600) < 0)
			kc_debug("chmod %s: %s", sock, strerror(errno));
	} else {
		/* a socket its daemon left when it was killed */
		unlink(sock);
		int lfd = listen_on(sock, err);
		if (lfd < 0 || spawn_daemon(o, sock, lfd, err) < 0) {
			if (lfd >= 0)
				close(lfd);
			close(lock);
			return -1;
		}
		close(lfd);
	}
	_cleanup_free_ char *address = xasprintf("unix://%s", sock);
	int rc = write_file_atomic("address", address, strlen(address), 0644, err);
	if (rc == 0) {
		printf("%s", address);
		fflush(stdout);
	}
	close(lock);
	return rc;
}

/* ---- delete -------------------------------------------------------------------- */

int v2_delete(const struct v2opts *o, struct kc_error *err)
{
	_cleanup_free_ char *root = v2_root(o->ns);
	struct rt rt = {.root = root};
	struct ctr c;
	if (ctr_open_for_teardown(&rt, o->id, &c, err) == 0) {
		ctr_destroy(&rt, &c, true);
		ctr_close(&c);
	} else if (kc_error_code(err) != ENOENT) {
		return -1;
	}
	const char *bundle = o->bundle;
	char cwd[4096];
	if (bundle && chdir(bundle) < 0)
		bundle = NULL; /* gone already: nothing mounted there */
	else if (!bundle && getcwd(cwd, sizeof(cwd)))
		bundle = cwd;
	if (bundle)
		v2_umount_rootfs(bundle);
	/* a killed daemon's socket, once nothing answers on it */
	_cleanup_error_ struct kc_error ignore = {0};
	_cleanup_free_ char *sock = socket_path(o, &ignore);
	int lock = sock ? lock_sockets(&ignore) : -1;
	if (lock >= 0) {
		if (!socket_live(sock))
			unlink(sock);
		close(lock);
	}
	Containerd__Task__V2__DeleteResponse resp = CONTAINERD__TASK__V2__DELETE_RESPONSE__INIT;
	Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	at.seconds = ts.tv_sec;
	at.nanos = (int32_t)ts.tv_nsec;
	resp.exited_at = &at;
	resp.exit_status = 128 + SIGKILL;
	size_t n = containerd__task__v2__delete_response__get_packed_size(&resp);
	uint8_t buf[256];
	if (n > sizeof(buf))
		return kc_error_set(err, 0, "delete: response too large");
	containerd__task__v2__delete_response__pack(&resp, buf);
	return write_all(STDOUT_FILENO, buf, n) < 0 ? kc_error_set(err, errno, "stdout") : 0;
}

/* ---- serve ----------------------------------------------------------------------- */

/* containerd's log FIFO in the bundle, when it has a reader: our logs go
 * to containerd's. */
static const char *log_target(void)
{
	struct stat st;
	if (stat("log", &st) < 0 || !S_ISFIFO(st.st_mode))
		return NULL;
	int fd = open("log", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	close(fd);
	return "log";
}

static const char *socket_arg;

int v2_serve(const struct v2opts *o, struct kc_error *err)
{
	kc_log_init("containerd-shim-kata-v2", log_target(), false,
		    o->debug ? KC_LOG_DEBUG : KC_LOG_INFO);
	kc_log_field("sandbox", o->id);
	if (chdir("/") < 0)
		return kc_error_set(err, errno, "chdir /");
	signal(SIGPIPE, SIG_IGN);
	/* before any thread: the server takes them from a signalfd */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	/* one malloc arena: a thread per connection and per process must not
	 * each hold an arena of its own (the daemon lives as long as the pod) */
	mallopt(M_ARENA_MAX, 1);
	struct v2shim s = {.o = *o, .listen_fd = 3};
	s.rt.root = v2_root(o->ns);
	s.rt.prebuilt_vm = factory_prebuilt_vm;
	s.socket_path = socket_arg ? xstrdup(socket_arg) : NULL;
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.changed, NULL);
	kc_info("serving %s for namespace %s", socket_arg ?: "fd 3", o->ns);
	int rc = v2_server_run(&s, err);
	if (s.socket_path)
		unlink(s.socket_path);
	kc_info("shut down");
	free(s.socket_path);
	free((char *)s.rt.root);
	free((char *)s.rt.kata_config); /* the runtime handler's ConfigPath */
	return rc;
}

int main(int argc, char **argv)
{
	struct v2opts o = {0};
	const char *action = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		/* Go's flag package: -name value, --name value or -name=value */
		if (a[0] == '-' && a[1] == '-')
			a++;
		const char *eq = strchr(a, '=');
		const char *val = eq ? eq + 1 : i + 1 < argc ? argv[i + 1] : NULL;
		size_t klen = eq ? (size_t)(eq - a) : strlen(a);
#define IS(name) (klen == strlen(name) && !strncmp(a, name, klen))
		const char **slot = IS("-namespace")	    ? &o.ns
				    : IS("-address")	    ? &o.address
				    : IS("-publish-binary") ? &o.publish_binary
				    : IS("-id")		    ? &o.id
				    : IS("-bundle")	    ? &o.bundle
				    : IS("-socket")	    ? &socket_arg
							    : NULL;
		if (slot) {
			if (!val) {
				fprintf(stderr, "containerd-shim-kata-v2: %s needs a value\n", a);
				return EXIT_USAGE;
			}
			*slot = val;
			if (!eq)
				i++;
		} else if (IS("-debug")) {
			o.debug = true;
		} else if (IS("-v") || IS("-version")) {
			kc_print_version("containerd-shim-kata-v2", NULL);
			return 0;
		} else if (IS("-h") || IS("-help")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-') {
			fprintf(stderr, "containerd-shim-kata-v2: unknown flag %s\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		} else if (!action) {
			action = a;
		} else {
			fprintf(stderr, "containerd-shim-kata-v2: unexpected argument %s\n", a);
			return EXIT_USAGE;
		}
#undef IS
	}
	if (!action) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!o.ns || !oci_valid_id(o.ns)) {
		fprintf(stderr,
			"containerd-shim-kata-v2: -namespace: a valid namespace is required\n");
		return EXIT_USAGE;
	}
	if (!o.id || !oci_valid_id(o.id)) {
		fprintf(stderr, "containerd-shim-kata-v2: -id: a valid container id is required\n");
		return EXIT_USAGE;
	}
	if (!o.address)
		o.address = "";
	_cleanup_error_ struct kc_error err = {0};
	int rc;
	if (!strcmp(action, "start"))
		rc = v2_start(&o, &err);
	else if (!strcmp(action, "delete"))
		rc = v2_delete(&o, &err);
	else if (!strcmp(action, "serve"))
		rc = v2_serve(&o, &err);
	else {
		fprintf(stderr, "containerd-shim-kata-v2: unknown action '%s' (start, delete)\n",
			action);
		return EXIT_USAGE;
	}
	if (rc < 0) {
		fprintf(stderr, "containerd-shim-kata-v2: %s\n", kc_error_msg(&err));
		return 1;
	}
	return 0;
}
