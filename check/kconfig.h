/* The running kernel's build configuration, read from /proc/config.gz or
 * /boot/config-<release> under the host root. It separates "not in this
 * kernel" (CONFIG_X unset) from "not loaded" - which libkmod cannot do. */
#ifndef KC_KCONFIG_H
#define KC_KCONFIG_H

#include <stddef.h>

#include "hostroot.h"

struct kconfig_query {
	const char *symbol; /* "CONFIG_KVM" */
	/* out: 'y', 'm', 'n' ("# CONFIG_X is not set"), '-' when the config has
	 * no line for it (its dependencies are off, or the config is not this
	 * kernel's), 0 when there is no config at all */
	char value;
};

/* Fill every query's value in one pass. Returns 0 and the source path in
 * `source` (e.g. "/proc/config.gz"), or -ENOENT when neither file exists
 * (values stay 0), or another -errno. */
int kconfig_lookup(const struct host_root *root, const char *release, struct kconfig_query *q,
		   size_t n, char *source, size_t source_len);

/* The same, on text already in memory (unit tests). */
void kconfig_scan(const char *text, struct kconfig_query *q, size_t n);

#endif
