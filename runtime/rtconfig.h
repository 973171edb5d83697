/* The configuration as kata-runtime uses it: the one assessment every
 * program makes (check/assess.h) - found through the chain, judged by the
 * same report kata-check prints, adapted to this host (every change
 * logged with its reason) or refused with every reason. */
#ifndef KC_RTCONFIG_H
#define KC_RTCONFIG_H

#include "assess.h"

struct rtconfig {
	struct assessment a;
	struct kc_config *cfg; /* == &a.config->cfg, adapted; per-pod overrides go here */
	const struct host_facts *facts;
	const char *accel; /* "kvm" or "tcg", as decided */
	unsigned host_memory_mib;
	unsigned tsc_khz; /* from the facts: QEMU's TCG guest calibrates with it */
};

int rtconfig_load(struct rtconfig *rc, const char *kata_config, struct kc_error *err);
void rtconfig_free(struct rtconfig *rc);

#endif
