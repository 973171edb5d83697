/* The runtime's configuration (see rtconfig.h). */
#include "rtconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostroot.h"
#include "log.h"
#include "probe.h"
#include "rules.h"
#include "strbuf.h"

int rtconfig_load(struct rtconfig *rc, const char *kata_config, struct kc_error *err)
{
	memset(rc, 0, sizeof(*rc));
	struct host_root root;
	if (host_root_open(&root, "/", err) < 0)
		return -1;
	rc->facts = xcalloc(1, sizeof(*rc->facts));
	rc->cs = xcalloc(1, sizeof(*rc->cs));
	host_probe(&root, rc->facts);
	config_probe(&root, kata_config, rc->facts->res.cpus_online, rc->cs);
	host_root_close(&root);
	rc->host_memory_mib = (unsigned)(rc->facts->res.mem_total_kib / 1024);
	rc->tsc_khz = rc->facts->cpu.khz;

	struct rules_input in;
	rules_input_defaults(&in, rc->facts);
	rules_input_from_config(&in, rc->cs);
	rules_evaluate(&in, &rc->report);

	if (!rc->cs->loaded || !rc->cs->values_ok)
		return kc_error_set(err, 0, "%s", rc->cs->error);
	/* a path the configuration names that is not there, or not usable */
	for (size_t i = 0; i < rc->report.n; i++) {
		const struct report_item *it = &rc->report.items[i];
		if (it->group != GROUP_CONFIG || it->level != LEVEL_FAIL)
			continue;
		return kc_error_set(err, 0, "%s: %s: %s%s%s", rc->cs->src.path, it->what, it->summary,
				    it->remedy ? "; " : "", it->remedy ? it->remedy : "");
	}
	if (config_adapt(&rc->cs->cfg, rc->facts, &rc->report, &rc->adapt, err) < 0)
		return -1;
	rc->cfg = &rc->cs->cfg;
	for (size_t i = 0; i < rc->adapt.n; i++) {
		const struct adaptation *ad = &rc->adapt.changes[i];
		kc_info("configuration adapted: %s %s -> %s: %s%s%s%s", ad->key, ad->from, ad->to, ad->reason,
			ad->item[0] ? " (report item " : "", ad->item, ad->item[0] ? ")" : "");
	}
	return 0;
}

void rtconfig_free(struct rtconfig *rc)
{
	report_free(&rc->report);
	if (rc->cs) {
		config_state_free(rc->cs);
		free(rc->cs);
	}
	if (rc->facts) {
		host_facts_free(rc->facts);
		free(rc->facts);
	}
	memset(rc, 0, sizeof(*rc));
}
