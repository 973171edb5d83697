/* One assessment of a host, the same for every program (kata-check,
 * kata-env, kata-setup, kata-dashboard, kata-runtime): probe the host
 * through its root, load the active configuration, judge both (the
 * report), adapt the configuration to the host, and decide whether
 * kata-runtime can start a sandbox here - with every reason, whole, when it
 * cannot. "kata-check says capable" and "kata-runtime starts" can then never
 * disagree. */
#ifndef KC_ASSESS_H
#define KC_ASSESS_H

#include <stdbool.h>

#include "adapt.h"
#include "config_probe.h"
#include "facts.h"
#include "hostroot.h"
#include "report.h"

struct assess_options {
	const char *config_path; /* --kata-config; NULL: the chain */
	/* where the IOMMU and PCI facts come from, when not from the host
	 * root (kata-runtime's test seam, KATA_RUNTIME_TEST_PCI_ROOT: a
	 * fixture's devices on a machine without an IOMMU); NULL: the root */
	const struct host_root *pci_root;
};

struct assessment {
	struct host_facts *facts;
	struct config_state *config; /* config->cfg is the adapted configuration once adapted */
	struct report report;
	struct adapt_result adapt; /* every change, with its reason */
	bool adapted;		   /* config_adapt accepted the configuration */
	bool ready;		   /* kata-runtime would start a sandbox here */
	struct strlist reasons;	   /* why not: each a whole line */
};

void assess(const struct host_root *root, const struct assess_options *o, struct assessment *a);
void assessment_free(struct assessment *a);

/* kata-check's verdict: ready (and, with strict, no warning either). A
 * host with no configuration file anywhere is judged by the host's checks
 * alone - kata-check runs before kata-setup installs one - and says so. */
bool assessment_capable(const struct assessment *a, bool strict);

/* The reasons as one line, "; " between them (for an error message). */
char *assessment_reasons_line(const struct assessment *a);

#endif
