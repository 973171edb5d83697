/* OCI hooks (see hooks.h). */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "proto.h"
#include "strbuf.h"
#include "xalloc.h"

static char **strings(const json_t *arr, const char *fallback)
{
	size_t n = json_array_size(arr);
	char **v = xcalloc(n + 2, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (s)
			v[k++] = xstrdup(s);
	}
	if (!k && fallback)
		v[k++] = xstrdup(fallback);
	v[k] = NULL;
	return v;
}

static void free_strings(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static int run_one(const json_t *hook, const char *kind, size_t idx, const char *state_text,
		   struct kc_error *err)
{
	const char *path = json_string_value(json_object_get(hook, "path"));
	if (!path || path[0] != '/')
		return kc_error_set(err, 0, "%s hook %zu: path must be absolute", kind, idx);
	json_t *t = json_object_get(hook, "timeout");
	int timeout_s =
	    json_is_integer(t) && json_integer_value(t) > 0 ? (int)json_integer_value(t) : 0;
	char **argv = strings(json_object_get(hook, "args"), path);
	char **envp = strings(json_object_get(hook, "env"), NULL);
	int in[2];
	if (pipe2(in, O_CLOEXEC) < 0) {
		free_strings(argv);
		free_strings(envp);
		return kc_error_set(err, errno, "pipe");
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* the shim v2 blocks SIGTERM in itself, not in what it runs */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(in[0], 0);
		/* a hook's output must not land in the container's stdio */
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execve(path, argv, envp);
		_exit(127);
	}
	close(in[0]);
	free_strings(argv);
	free_strings(envp);
	if (pid < 0) {
		close(in[1]);
		return kc_error_set(err, errno, "fork");
	}
	signal(SIGPIPE, SIG_IGN);
	(void)write_all(in[1], state_text, strlen(state_text));
	close(in[1]);
	long long end = timeout_s ? monotonic_ms() + timeout_s * 1000LL : -1;
	int st;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (end >= 0 && monotonic_ms() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return kc_error_set(err, 0, "%s hook %s timed out after %d s", kind, path,
					    timeout_s);
		}
		usleep(2000);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return kc_error_set(err, 0, "%s hook %s: cannot be executed", kind, path);
	return kc_error_set(err, 0, "%s hook %s failed (%s %d)", kind, path,
			    WIFEXITED(st) ? "exit status" : "signal",
			    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

int hooks_run(const json_t *hooks, const char *kind, const json_t *state, struct kc_error *err)
{
	const json_t *list = json_object_get(hooks, kind);
	if (!json_array_size(list))
		return 0;
	char *text = json_dumps(state, JSON_COMPACT);
	size_t i;
	json_t *h;
	int rc = 0;
	json_array_foreach (list, i, h) {
		kc_debug("running %s hook %zu", kind, i);
		if ((rc = run_one(h, kind, i, text, err)) < 0)
			break;
	}
	free(text);
	return rc;
}
