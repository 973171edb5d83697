/* A cached VM's warm-up (warmup.c): one container run before the VM waits
 * in the cache, so that the pod taking it does not pay for the guest's
 * first run of that path. */
#ifndef KC_WARMUP_H
#define KC_WARMUP_H

#include "agent_client.h"

/* Its rootfs, in the VM directory while it runs (and removed with the VM
 * directory when a crash cut it short). */
#define WARMUP_DIR "warmup-rootfs"

/* In the VM whose directory is vmfd, through its agent (the share mounted
 * in the guest); what fails is logged, and nothing of it stays. */
void warmup_cached_vm(int vmfd, struct agent_client *ac);

#endif
