/* Containers as cgroup v2 groups in the guest (see cgroup.c). */
#ifndef KC_AGENT_CGROUP_H
#define KC_AGENT_CGROUP_H

#include "error.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

char *cgroup_create(const char *id); /* its directory (malloc'd), or NULL */
/* UPDATE: asked for by `update`, where a cpuset the VM lacks is an error
 * (at create it is a warning: a spec's cpuset may name the host's CPUs). */
int cgroup_apply(const char *dir, const json_t *resources, bool update, struct kc_error *err);
size_t cgroup_pids(const char *dir, pid_t **out);
int cgroup_signal(const char *dir, int sig); /* how many were signalled */
int cgroup_freeze(const char *dir, bool frozen);
json_t *cgroup_stats(const char *dir);
/* How many processes the OOM killer took in the group (memory.events). */
unsigned long long cgroup_oom_kills(const char *dir);
void cgroup_remove(const char *dir);

#endif
