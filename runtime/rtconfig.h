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
	/* the IOMMU and PCI facts are a fixture's (KATA_RUNTIME_TEST_PCI_ROOT):
	 * this host's /dev/vfio nodes say nothing about them */
	bool pci_fixture;
};

/* The test seam: a host root whose /sys and /proc/cmdline stand for this
 * host's PCI devices and IOMMU, for passthrough tests on a machine
 * without an IOMMU (with a QEMU stand-in for vfio-pci). */
#define RTCONFIG_PCI_ROOT_ENV "KATA_RUNTIME_TEST_PCI_ROOT"

int rtconfig_load(struct rtconfig *rc, const char *kata_config, struct kc_error *err);
void rtconfig_free(struct rtconfig *rc);
#define _cleanup_rtconfig_ _cleanup_(rtconfig_free) /* on a zeroed one too */

#endif
