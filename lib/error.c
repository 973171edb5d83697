/* Error values carried up the stack (see error.h). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What an error says when its message could not be allocated: never freed. */
static char no_memory_msg[] = "out of memory while recording an error";

static void replace_msg(struct kc_error *err, char *msg)
{
	if (err->msg != no_memory_msg)
		free(err->msg);
	err->msg = msg ? msg : no_memory_msg;
	err->set = true;
}

static int returned(const struct kc_error *err)
{
	return err->errnum > 0 ? -err->errnum : err->code > 0 ? -err->code : -1;
}

static int record(struct kc_error *err, int errnum, int code, const char *fmt, va_list ap)
{
	char *text = NULL, *msg = NULL;

	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	if (text && errnum > 0) {
		if (asprintf(&msg, "%s: %s", text, strerror(errnum)) < 0)
			msg = NULL;
		free(text);
	} else {
		msg = text;
	}
	replace_msg(err, msg);
	err->errnum = errnum > 0 ? errnum : 0;
	err->code = code;
	return returned(err);
}

int kc_error_set(struct kc_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (!err)
		return errnum > 0 ? -errnum : -1;
	va_start(ap, fmt);
	rc = record(err, errnum, errnum > 0 ? errnum : 0, fmt, ap);
	va_end(ap);
	return rc;
}

int kc_error_setc(struct kc_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (!err)
		return code > 0 ? -code : -1;
	va_start(ap, fmt);
	rc = record(err, 0, code, fmt, ap);
	va_end(ap);
	return rc;
}

int kc_error_wrap(struct kc_error *err, const char *fmt, ...)
{
	char *prefix = NULL, *msg = NULL;
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&prefix, fmt, ap) < 0)
		prefix = NULL;
	va_end(ap);
	if (prefix &&
	    asprintf(&msg, "%s: %s", prefix, err->set ? kc_error_msg(err) : "unknown error") < 0)
		msg = NULL;
	free(prefix);
	/* without memory for the context, the cause is the better half to keep */
	if (msg || !err->set)
		replace_msg(err, msg);
	return returned(err);
}

int kc_error_code(const struct kc_error *err)
{
	return err && err->set ? err->code : 0;
}

const char *kc_error_msg(const struct kc_error *err)
{
	return err && err->set && err->msg ? err->msg : "";
}

void kc_error_move(struct kc_error *dst, struct kc_error *src)
{
	if (!dst) { /* nobody to tell: dropped */
		kc_error_clear(src);
		return;
	}
	kc_error_clear(dst);
	*dst = *src;
	*src = (struct kc_error){0};
}

void kc_error_clear(struct kc_error *err)
{
	if (!err)
		return;
	if (err->msg != no_memory_msg)
		free(err->msg);
	*err = (struct kc_error){0};
}
