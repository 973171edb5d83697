/* Pods: which sandbox a container belongs to (from the annotations
 * Kubernetes' runtimes set), the sandbox's record (its VM, network and
 * member containers, shared by them), the per-pod configuration overrides
 * (io.katacontainers.config.* annotations, filtered by enable_annotations)
 * and the VM growing when a container with limits joins. */
#ifndef KC_POD_H
#define KC_POD_H

#include <jansson.h>
#include <stdbool.h>

#include "config.h"
#include "error.h"
#include "sandbox.h"

enum pod_role { POD_SANDBOX, POD_CONTAINER };

/* The role and, for a container, its sandbox's id. No annotation: the
 * container is its own sandbox. An unknown type is an error naming it. */
int pod_role(const json_t *annotations, enum pod_role *role, const char **sandbox_id,
	     struct kc_error *err);

/* A pod's sandbox (pause) container, named so by an annotation (not a
 * lone container, which is its own sandbox). */
bool pod_is_pause(const json_t *annotations);

/* Apply io.katacontainers.config.hypervisor.* annotations to cfg; each
 * must match enable_annotations (regular expressions of the base name). */
int pod_overrides(const json_t *annotations, struct kc_config *cfg, struct kc_error *err);

/* The vCPUs and MiB a spec's limits ask for (0 when none; vCPUs at most
 * POD_MAX_VCPUS, the VM's own maximum caps them further). */
#define POD_MAX_VCPUS 4096
void pod_limits(const json_t *spec, unsigned *vcpus, unsigned *mem_mib);

/* The namespaces a container of a pod shares with its sandbox container
 * in the guest ({"ipc"|"uts"|"pid": sandbox_id}): those its spec gives a
 * path for (the pause container's). */
json_t *pod_joins(const json_t *spec, const char *sandbox_id);

/* The sandbox record: root/.sandboxes/ID.json, locked (ID.lock) while
 * open. */
#define SBREC_DIR ".sandboxes"
struct sbrec {
	int dirfd; /* root/.sandboxes */
	char *root, *name, *lock_name, *what;
	int lock_fd;
	json_t *j; /* {"sandbox": {...}, "members": [...], "network": {...}} */
	struct sandbox sb;
};

/* Create or open a sandbox's record, locked; on failure nothing is left for
 * sbrec_close (which is still harmless). */
int sbrec_create(struct sbrec *r, const char *root, const struct sandbox *sb, const json_t *network,
		 struct kc_error *err);
int sbrec_open(struct sbrec *r, const char *root, const char *id, struct kc_error *err);
/* Read without the lock (a snapshot, for the VM's whereabouts). */
int sbrec_peek(struct sandbox *sb, const char *root, const char *id);
int sbrec_save(struct sbrec *r, struct kc_error *err);
/* The record and its lock; root/.sandboxes too once it is empty. */
void sbrec_remove(struct sbrec *r);
/* Remove what a create that crashed may have left of a record: the lock
 * without a record (never a record another process holds). */
void sbrec_forget(const char *root, const char *id);
void sbrec_close(struct sbrec *r);
/* A struct sbrec that sbrec_close() may be given before it is opened. */
#define SBREC_INIT                                                                                 \
	{                                                                                          \
		.lock_fd = -1, .dirfd = -1                                                         \
	}
#define _cleanup_sbrec_ _cleanup_(sbrec_close)
void sbrec_add_member(struct sbrec *r, const char *id);
/* Remaining members after removing id. */
size_t sbrec_remove_member(struct sbrec *r, const char *id);

/* The pod's limits on the host (pod_host_limits.c): a member's memory
 * limit and CPU quota recorded (an update's resources name only what
 * changes), forgotten when it leaves; the pod's cgroup set to their sum
 * plus the VM's overhead, or to no limit where a member that counts has
 * none (the pause container counts only while alone). */
struct host_limits;
void sbrec_set_limits(struct sbrec *r, const char *id, const json_t *resources, bool pause);
void sbrec_forget_limits(struct sbrec *r, const char *id);
void sbrec_host_limits(const struct sbrec *r, struct host_limits *l);
int pod_apply_host_limits(const struct sbrec *r, struct kc_error *err);
/* After an update of container id: its new limits recorded in its
 * sandbox's record and the pod's host limits set again. */
int pod_update_host_limits(const char *root, const char *sandbox_id, const char *id,
			   const json_t *resources, struct kc_error *err);

/* Hot-plug vCPUs and memory into a running sandbox (QMP), and have the
 * guest bring them online; sb's totals are updated. */
int pod_hotplug(struct sandbox *sb, unsigned add_vcpus, unsigned add_mem_mib, struct kc_error *err);

#endif
