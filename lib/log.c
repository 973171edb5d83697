/* Structured logging (see log.h). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"

static struct {
	char component[32];
	int fd; /* -1: stderr */
	bool json;
	enum kc_log_level level;
	char keys[4][32], values[4][128];
	int nfields;
} lg = {"kata", -1, false, KC_LOG_INFO, {{0}}, {{0}}, 0};

/* The fields change while other threads log (the shim v2's stdio threads). */
static pthread_mutex_t fields_lock = PTHREAD_MUTEX_INITIALIZER;

int kc_log_init(const char *component, const char *path, bool json, enum kc_log_level level)
{
	snprintf(lg.component, sizeof(lg.component), "%s", component);
	lg.json = json;
	lg.level = level;
	kc_log_close();
	if (path && *path) {
		/* appended by every process of the container: O_APPEND keeps lines whole */
		lg.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (lg.fd < 0) {
			fprintf(stderr, "%s: log file %s: %s\n", component, path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

void kc_log_set_level(enum kc_log_level level)
{
	lg.level = level;
}

void kc_log_field(const char *key, const char *value)
{
	pthread_mutex_lock(&fields_lock);
	int i;
	for (i = 0; i < lg.nfields && strcmp(lg.keys[i], key); i++)
		;
	if (i < lg.nfields || lg.nfields < 4) {
		if (i == lg.nfields)
			lg.nfields++;
		snprintf(lg.keys[i], sizeof(lg.keys[i]), "%s", key);
		snprintf(lg.values[i], sizeof(lg.values[i]), "%s", value ? value : "");
	}
	pthread_mutex_unlock(&fields_lock);
}

void kc_log_close(void)
{
	if (lg.fd >= 0)
		close(lg.fd);
	lg.fd = -1;
}

bool kc_log_level_enabled(enum kc_log_level level)
{
	return level <= lg.level;
}

bool kc_log_to_stderr(void)
{
	return lg.fd < 0;
}

static void logfmt_value(struct strbuf *sb, const char *v)
{
	bool quote = !*v || strpbrk(v, " =\"\t\n\\") != NULL;
	if (!quote) {
		strbuf_append(sb, v);
		return;
	}
	strbuf_putc(sb, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			strbuf_putc(sb, '\\');
		if (*v == '\n')
			strbuf_append(sb, "\\n");
		else
			strbuf_putc(sb, *v);
	}
	strbuf_putc(sb, '"');
}

void kc_log(enum kc_log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	if (level > lg.level)
		return;
	int saved = errno;
	/* whole, however long: containerd reads a failed command's reason
	 * from this line */
	_cleanup_free_ char *text = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	const char *msg = text ? text : "(out of memory formatting a log message)";
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[64];
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);

	struct strbuf sb = STRBUF_INIT;
	pthread_mutex_lock(&fields_lock);
	if (lg.json) {
		json_t *o =
		    json_pack("{s:s, s:s, s:s, s:s, s:i}", "level", names[level], "msg", msg,
			      "time", when, "source", lg.component, "pid", (int)getpid());
		for (int i = 0; i < lg.nfields; i++)
			json_object_set_new(o, lg.keys[i], json_string(lg.values[i]));
		char *s = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		strbuf_append(&sb, s ? s : "{}");
		free(s);
	} else {
		strbuf_appendf(&sb, "time=%s level=%s msg=", when, names[level]);
		logfmt_value(&sb, msg);
		strbuf_appendf(&sb, " source=%s pid=%d", lg.component, (int)getpid());
		for (int i = 0; i < lg.nfields; i++) {
			strbuf_appendf(&sb, " %s=", lg.keys[i]);
			logfmt_value(&sb, lg.values[i]);
		}
	}
	pthread_mutex_unlock(&fields_lock);
	strbuf_putc(&sb, '\n');
	int fd = lg.fd >= 0 ? lg.fd : STDERR_FILENO;
	/* one write: lines from several processes never interleave */
	if (write(fd, sb.s, sb.len) < 0) {
		/* nowhere to report it */
	}
	strbuf_release(&sb);
	errno = saved;
}
