/* Recorded host answers: what a host root cannot hold as plain files (CPUID
 * output, /dev/kvm ioctl results, device node types) may be recorded in
 * HOSTROOT/.kata-check/<name>. Recordings are only consulted for a host
 * root other than "/", and they win over the live machine, so a fixture
 * gives the same report on every machine. Format: tests/fixtures/README.md. */
#ifndef KC_RECORDED_H
#define KC_RECORDED_H

#include <stdbool.h>

#include "hostroot.h"

#define RECORDED_DIR "/.kata-check"

/* Returns 1 and the file's text in *out (caller frees) when the recording
 * exists, 0 when it does not (or the root is live), -errno when it exists
 * but cannot be read. */
int recorded_read(const struct host_root *root, const char *name, char **out);

/* The host root has a .kata-check directory: it is a recorded host, whose
 * unrecorded answers are unknown rather than this machine's. */
bool recorded_present(const struct host_root *root);

/* "EBUSY" -> EBUSY, "0"/"ok" -> 0, "16" -> 16; -1 when not recognised. */
int errno_from_name(const char *s);
/* EBUSY -> "EBUSY"; 0 -> "ok"; unknown numbers as their digits. */
const char *errno_name(int e);

#endif
