/* A sandbox's VM directory, KC_RUN_DIR/.vm/<16 hex digits>: its name
 * (from --root and the sandbox id), handles of it, the pid files in it (a
 * crash between spawning a process and recording it still leaves the
 * process findable), and the network namespace file it keeps. Root's
 * only; everything in it is reached through a handle. */
#ifndef KC_VM_DIR_H
#define KC_VM_DIR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* The directory's last component when vm_dir is one of ours, else NULL:
 * a record's vm_dir is trusted only then. */
const char *vm_dir_base(const char *vm_dir);

/* pid and start time, written atomically; read leaves them as they are
 * when the file is missing or bad. */
void pid_file_write(int vmfd, const char *name, pid_t pid, uint64_t start);
void pid_file_read(int vmfd, const char *name, pid_t *pid, uint64_t *start);

/* A new network namespace, kept by a bind mount of its nsfs file on
 * vm_dir/netns (made here, O_EXCL); and its removal. */
int netns_create(int vmfd, struct kc_error *err);
void netns_remove(int vmfd);

#endif
