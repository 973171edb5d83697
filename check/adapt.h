/* Adapting a configuration to the host: the effective configuration the
 * runtime will use, every change with its reason, or a refusal naming the
 * report item that rules the configuration out. */
#ifndef KC_ADAPT_H
#define KC_ADAPT_H

#include "config.h"
#include "facts.h"
#include "report.h"

struct adaptation {
	char key[64];	 /* "hypervisor.qemu.use_vsock" */
	char *from, *to; /* whole values (a -sandbox argument is long) */
	char *reason;	 /* whole, however long the report item's words */
	char item[64];	 /* the report item behind it, "" if none */
};

#define ADAPTATIONS_MAX 16

struct adapt_result {
	struct adaptation changes[ADAPTATIONS_MAX];
	size_t n;
	char accel[8]; /* resolved: "kvm" or "tcg" */
};

/* Adapt c in place (c must have passed config_check_values). The report
 * must come from the same facts. Returns 0, or -1 with err naming the
 * failing report item when the configuration cannot run here. out is
 * released with adapt_result_free either way. */
int config_adapt(struct kc_config *c, const struct host_facts *f, const struct report *r,
		 struct adapt_result *out, struct kc_error *err);
void adapt_result_free(struct adapt_result *a);

/* Is KVM able to run the default guest, judged before any accelerator
 * policy? On false, *why is the report item that says why (may be NULL). */
bool adapt_kvm_usable(const struct report *r, const struct report_item **why);

#endif
