/* The unprivileged user one sandbox's QEMU runs as ([hypervisor.qemu]
 * rootless = true): a uid of its own - one QEMU cannot signal, trace or
 * write the files of another, nor anything of root's - from a reserved
 * range, claimed by creating KC_RUN_DIR/.vm/.uids/UID with O_EXCL (no
 * lock, no /etc/passwd entry) and released with the sandbox. The group
 * has the same number. */
#ifndef KC_QEMU_USER_H
#define KC_QEMU_USER_H

#include <sys/types.h>

#include "error.h"

#define QEMU_UID_BASE  2147352576u /* 0x7ffe0000: above login and subordinate ranges in use */
#define QEMU_UID_COUNT 65536u

/* Claim a free uid for the sandbox whose VM directory is named vm_name. */
int qemu_user_claim(const char *vm_name, uid_t *uid, struct kc_error *err);
/* Release the uid claimed for vm_name: the one the sandbox recorded
 * (uid), or, when it recorded none (a crash between the claim and the
 * record), every one claimed for that name. */
void qemu_user_release(const char *vm_name, uid_t uid);

#endif
