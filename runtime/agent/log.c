/* Guest-side logs go to the console (our stderr as PID 1), which the
 * runtime captures: one line per message, with the guest's uptime. */
#include "agent.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum log_level agent_log_level = LOG_INFO;

double agent_uptime_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void agent_log(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	if (level > agent_log_level)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char line[1200];
	int n = snprintf(line, sizeof(line), "kata-agent[%.3f] %s: %s\n",
			 agent_uptime_ms() / 1000.0, names[level], msg);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	/* one write per line, so lines never interleave with the kernel's */
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* no console: nowhere else to say it */
	}
}
