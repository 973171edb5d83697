/* Error values carried up the stack (see error.h). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int kc_error_set(struct kc_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return errnum > 0 ? -errnum : -1;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		err->msg[0] = '\0';
	if (errnum > 0) {
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
	}
	err->errnum = errnum;
	err->set = true;
	return errnum > 0 ? -errnum : -1;
}

int kc_error_wrap(struct kc_error *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, err->set ? old : "unknown error");
	err->set = true;
	return err->errnum > 0 ? -err->errnum : -1;
}

void kc_error_clear(struct kc_error *err)
{
	if (!err)
		return;
	err->errnum = 0;
	err->set = false;
	err->msg[0] = '\0';
}
