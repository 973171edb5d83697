/* VM templates over QMP (Kata 1's enable_template): a booted VM whose
 * memory is a file saves its device state - paused, with the memory left
 * out (x-ignore-shared: the file is the memory) - and a new VM maps that
 * file copy-on-write and resumes the saved state instead of booting. */
#ifndef KC_TEMPLATE_H
#define KC_TEMPLATE_H

#include "error.h"

#define TEMPLATE_MIGRATE_MS 60000

/* Pause the VM and write its device state to state_fd. The VM stays
 * paused (quit it). */
int qemu_template_save(const char *qmp_socket, int state_fd, struct kc_error *err);

/* Load the device state from state_fd into a VM started with -incoming
 * defer, and let it run. */
int qemu_template_resume(const char *qmp_socket, int state_fd, struct kc_error *err);

#endif
