/* The runtime's configuration (see rtconfig.h). */
#include "rtconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostroot.h"
#include "log.h"

int rtconfig_load(struct rtconfig *rc, const char *kata_config, struct kc_error *err)
{
	memset(rc, 0, sizeof(*rc));
	struct host_root root, pci_root;
	if (host_root_open(&root, "/", err) < 0)
		return -1;
	const char *pci_dir = getenv(RTCONFIG_PCI_ROOT_ENV);
	if (pci_dir && *pci_dir) {
		if (host_root_open(&pci_root, pci_dir, err) < 0) {
			host_root_close(&root);
			return kc_error_wrap(err, "%s", RTCONFIG_PCI_ROOT_ENV);
		}
		rc->pci_fixture = true;
	}
	assess(&root,
	       &(struct assess_options){.config_path = kata_config,
					.pci_root = rc->pci_fixture ? &pci_root : NULL},
	       &rc->a);
	host_root_close(&root);
	if (rc->pci_fixture)
		host_root_close(&pci_root);
	if (!rc->a.ready) {
		_cleanup_free_ char *why = assessment_reasons_line(&rc->a);
		const char *file = rc->a.config->src.path;
		return kc_error_set(err, 0, "%s%s%s", file ? file : "", file ? ": " : "", why);
	}
	rc->cfg = &rc->a.config->cfg;
	rc->facts = rc->a.facts;
	rc->accel = rc->a.adapt.accel;
	rc->host_memory_mib = (unsigned)(rc->facts->res.mem_total_kib / 1024);
	rc->tsc_khz = rc->facts->cpu.khz;
	for (size_t i = 0; i < rc->a.adapt.n; i++) {
		const struct adaptation *ad = &rc->a.adapt.changes[i];
		kc_info("configuration adapted: %s %s -> %s: %s%s%s%s", ad->key, ad->from, ad->to,
			ad->reason, ad->item[0] ? " (report item " : "", ad->item,
			ad->item[0] ? ")" : "");
	}
	return 0;
}

void rtconfig_free(struct rtconfig *rc)
{
	assessment_free(&rc->a);
	memset(rc, 0, sizeof(*rc));
}
