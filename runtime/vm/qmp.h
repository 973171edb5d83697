/* QEMU's monitor protocol: connect, negotiate, run commands. */
#ifndef KC_QMP_H
#define KC_QMP_H

#include <jansson.h>

#include "error.h"

struct qmp {
	int fd;
	char buf[65536];
	size_t len;
	/* QEMU's own "desc" of the last command it refused (its text, not
	 * ours: a caller that must tell QEMU's failures apart reads this,
	 * never the kc_error message) */
	char error_desc[512];
};

int qmp_connect(struct qmp *q, const char *path, int timeout_ms, struct kc_error *err);
/* Execute; the "return" value (new reference), or NULL with QEMU's error. */
json_t *qmp_execute(struct qmp *q, const char *command, json_t *args, int timeout_ms,
		    struct kc_error *err);
/* The same, with a file descriptor passed alongside (SCM_RIGHTS), as
 * getfd takes one. */
json_t *qmp_execute_fd(struct qmp *q, const char *command, json_t *args, int fd, int timeout_ms,
		       struct kc_error *err);
void qmp_close(struct qmp *q);

#endif
