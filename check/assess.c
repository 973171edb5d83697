/* The assessment (see assess.h). */
#include "assess.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci.h"
#include "probe.h"
#include "rules.h"
#include "strbuf.h"
#include "xalloc.h"

static void reason(struct assessment *a, const char *fmt, ...) _printf_(2, 3);
static void reason(struct assessment *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0) {
		strlist_add(&a->reasons, s);
		free(s);
	}
	va_end(ap);
}

/* Every FAIL is a reason: what failed, why, and what to do. */
static void failed_items(struct assessment *a)
{
	for (size_t i = 0; i < a->report.n; i++) {
		const struct report_item *it = &a->report.items[i];
		if (it->level != LEVEL_FAIL)
			continue;
		if (it->remedy)
			reason(a, "%s (%s): %s; %s", it->what, it->id, it->summary, it->remedy);
		else
			reason(a, "%s (%s): %s", it->what, it->id, it->summary);
	}
}

void assess(const struct host_root *root, const struct assess_options *o, struct assessment *a)
{
	struct rules_input in;

	memset(a, 0, sizeof(*a));
	a->facts = xcalloc(1, sizeof(*a->facts));
	a->config = xcalloc(1, sizeof(*a->config));
	host_probe(root, a->facts);
	if (o && o->pci_root) {
		free(a->facts->iommu.devs);
		memset(&a->facts->iommu, 0, sizeof(a->facts->iommu));
		iommu_probe(o->pci_root, &a->facts->iommu);
	}
	config_probe(root, o ? o->config_path : NULL, a->facts->res.cpus_online, a->config);
	rules_input_defaults(&in, a->facts);
	rules_input_from_config(&in, a->config);
	rules_evaluate(&in, &a->report);

	struct config_state *cs = a->config;
	if (cs->missing)
		reason(a, "no configuration file (looked for along the chain; `kata-setup` "
			  "installs one adapted to "
			  "this host)");
	else if (!cs->loaded || !cs->values_ok)
		reason(a, "%s", cs->error);
	failed_items(a);
	if (cs->loaded && cs->values_ok) {
		_cleanup_error_ struct kc_error err = {0};
		a->adapted = config_adapt(&cs->cfg, a->facts, &a->report, &a->adapt, &err) == 0;
		/* the refusal names the file and the key to change */
		if (!a->adapted)
			reason(a, "%s", kc_error_msg(&err));
	}
	a->ready = a->adapted && !a->reasons.n;
}

void assessment_free(struct assessment *a)
{
	report_free(&a->report);
	adapt_result_free(&a->adapt);
	strlist_free(&a->reasons);
	if (a->config) {
		config_state_free(a->config);
		free(a->config);
	}
	if (a->facts) {
		host_facts_free(a->facts);
		free(a->facts);
	}
	memset(a, 0, sizeof(*a));
}

bool assessment_capable(const struct assessment *a, bool strict)
{
	if (!report_capable(&a->report, strict))
		return false;
	return a->config->missing || a->ready;
}

char *assessment_reasons_line(const struct assessment *a)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < a->reasons.n; i++)
		strbuf_appendf(&sb, "%s%s", i ? "; " : "", a->reasons.v[i]);
	return strbuf_steal(&sb);
}
