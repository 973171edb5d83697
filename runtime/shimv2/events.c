/* Events to containerd: the event packed in a google.protobuf.Any on the
 * stdin of `PUBLISH_BINARY --address A publish --topic T --namespace N`
 * (containerd's own `publish` command), as containerd's shims publish
 * when they are given -publish-binary. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "github.com/containerd/containerd/api/events/task.pb-c.h"
#include "google/protobuf/any.pb-c.h"
#include "log.h"
#include "proto.h"
#include "shimv2.h"

void v2_publish(struct v2shim *s, const char *topic, const void *msg)
{
	const ProtobufCMessage *m = msg;
	if (!s->o.publish_binary || !*s->o.publish_binary || !s->o.address)
		return;
	size_t len = protobuf_c_message_get_packed_size(m);
	uint8_t *value = malloc(len ? len : 1);
	if (!value)
		return;
	protobuf_c_message_pack(m, value);
	Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
	/* typeurl's name for a registered protobuf message: its full name */
	any.type_url = (char *)m->descriptor->name;
	any.value.data = value;
	any.value.len = len;
	size_t alen = google__protobuf__any__get_packed_size(&any);
	uint8_t *buf = malloc(alen ? alen : 1);
	if (!buf) {
		free(value);
		return;
	}
	google__protobuf__any__pack(&any, buf);
	free(value);

	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		free(buf);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* the shim v2 blocks SIGTERM in itself, not in what it runs */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(pipefd[0], 0);
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execl(s->o.publish_binary, s->o.publish_binary, "--address", s->o.address,
		      "publish", "--topic", topic, "--namespace", s->o.ns, (char *)NULL);
		_exit(127);
	}
	close(pipefd[0]);
	if (pid > 0) {
		signal(SIGPIPE, SIG_IGN);
		(void)write_all(pipefd[1], buf, alen);
	}
	close(pipefd[1]);
	free(buf);
	if (pid < 0) {
		kc_warn("publish %s: fork: %s", topic, strerror(errno));
		return;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		kc_warn("publish %s: %s exited with %d", topic, s->o.publish_binary,
			WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

void v2_event_exit(struct v2shim *s, const struct v2proc *p)
{
	Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	at.seconds = p->exited_at.tv_sec;
	at.nanos = (int32_t)p->exited_at.tv_nsec;
	Containerd__Events__TaskExit ev = CONTAINERD__EVENTS__TASK_EXIT__INIT;
	ev.container_id = p->id;
	ev.id = p->exec_id ?: p->id;
	ev.pid = (uint32_t)getpid();
	ev.exit_status = (uint32_t)p->exit_status;
	ev.exited_at = &at;
	v2_publish(s, "/tasks/exit", &ev);
}

void v2_event_oom(struct v2shim *s, const struct v2proc *p)
{
	Containerd__Events__TaskOOM ev = CONTAINERD__EVENTS__TASK_OOM__INIT;
	ev.container_id = p->id;
	v2_publish(s, "/tasks/oom", &ev);
}
