/* The configuration as kata-runtime uses it: found through the chain,
 * judged by the same report kata-check prints, then adapted to this host
 * (every change logged with its reason) or refused with the report item
 * that rules it out. */
#ifndef KC_RTCONFIG_H
#define KC_RTCONFIG_H

#include "adapt.h"
#include "config_probe.h"
#include "facts.h"
#include "report.h"

struct rtconfig {
	struct host_facts *facts;
	struct config_state *cs;
	struct report report;
	struct adapt_result adapt;
	const struct kc_config *cfg; /* == &cs->cfg, adapted */
	unsigned host_memory_mib;
	unsigned tsc_khz; /* from the facts: QEMU's TCG guest calibrates with it */
};

int rtconfig_load(struct rtconfig *rc, const char *kata_config, struct kc_error *err);
void rtconfig_free(struct rtconfig *rc);

#endif
