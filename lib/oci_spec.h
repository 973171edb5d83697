/* config.json checked whole, before anything is made: every property the
 * OCI runtime specification (1.0 - 1.2, Linux) defines has its type and,
 * where the kernel or the spec bounds it, its range checked; the first
 * problem is an error naming the field by its JSON path
 * ("linux.resources.cpu.quota: ..."). Properties the spec does not define
 * are ignored, as the spec requires of runtimes. */
#ifndef KC_OCI_SPEC_H
#define KC_OCI_SPEC_H

#include <jansson.h>

#include "error.h"

/* Bounds the runtime relies on (the kernel's, or sane ones). */
#define OCI_MEMORY_MAX	   (1LL << 50) /* bytes: 1 PiB; more is no memory size */
#define OCI_CPU_PERIOD_MIN 1000	       /* microseconds: the kernel's CFS bounds */
#define OCI_CPU_PERIOD_MAX 1000000
#define OCI_CPU_QUOTA_MIN  1000
#define OCI_CPU_QUOTA_MAX  ((1LL << 44) - 1)
#define OCI_CPU_SHARES_MIN 2
#define OCI_CPU_SHARES_MAX 262144

int oci_spec_validate(const json_t *spec, struct kc_error *err);
/* A linux.resources object alone (`update --resources`), named by what. */
int oci_resources_validate(const json_t *resources, const char *what, struct kc_error *err);
/* What the guest cannot do, though the spec allows it (real-time CPU
 * bandwidth): an error naming the field. oci_resources_validate and
 * oci_spec_validate check it too. */
int oci_resources_check_guest(const json_t *resources, const char *what, struct kc_error *err);

#endif
