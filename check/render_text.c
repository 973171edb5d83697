/* Text renderer: `Checking <what>: LEVEL`, the reason and remedy under each
 * problem, and Kata's own wording on the last line. */
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "strutil.h"

#define C_RESET	 "\033[0m"
#define C_BOLD	 "\033[1m"
#define C_RED	 "\033[31m"
#define C_GREEN	 "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM	 "\033[2m"

static const char *level_color(enum level l)
{
	switch (l) {
	case LEVEL_PASS: return C_GREEN;
	case LEVEL_WARN: return C_YELLOW;
	case LEVEL_FAIL: return C_RED C_BOLD;
	case LEVEL_SKIP: return C_DIM;
	}
	return "";
}

void render_host_line(char *buf, size_t len, const struct host_facts *f)
{
	const struct cpu_facts *c = &f->cpu;
	const struct resource_facts *res = &f->res;

	snprintf(buf, len, "%s%s%s, %s, Linux %s%s%s%s, %s", vendor_name(c->vendor),
		 c->model_name[0] ? " " : "", c->model_name, c->arch_name[0] ? c->arch_name : "?",
		 res->kernel_release[0] ? res->kernel_release : "?",
		 res->distro_name[0] ? " (" : "", res->distro_name, res->distro_name[0] ? ")" : "",
		 c->hypervisor_bit
		     ? (c->hypervisor_name[0] ? c->hypervisor_name : "virtual machine")
		     : "bare metal");
	if (c->hypervisor_bit && c->hypervisor_name[0] && strlen(buf) + 4 < len)
		strcat(buf, " VM");
}

static void print_item(FILE *out, const struct report_item *it, const struct render_options *o)
{
	bool problem = it->level == LEVEL_WARN || it->level == LEVEL_FAIL;

	if (o->color)
		fprintf(out, "Checking %s: %s%s" C_RESET "\n", it->what, level_color(it->level),
			level_name(it->level));
	else
		fprintf(out, "Checking %s: %s\n", it->what, level_name(it->level));
	if (problem || it->level == LEVEL_SKIP || o->verbose)
		fprintf(out, "    %s\n", it->summary);
	if (o->verbose && it->detail && it->detail[0])
		fprintf(out, "    %s\n", it->detail);
	/* a skipped check's remedy says how to have it (confidential guests) */
	if ((problem || it->level == LEVEL_SKIP) && it->remedy)
		fprintf(out, "    remedy: %s\n", it->remedy);
}

void render_text(FILE *out, const struct assessment *a, const struct render_options *o)
{
	const struct report *r = &a->report;
	const struct host_facts *f = a->facts;
	bool capable = assessment_capable(a, o->strict);

	if (o->verbose) {
		char host[512];
		render_host_line(host, sizeof(host), f);
		fprintf(out, "Host: %s\n", host);
		if (!f->live)
			fprintf(out, "Host root: %s\n", f->host_root);
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct report_item *it = &r->items[i];
		if (o->quiet && it->level != LEVEL_WARN && it->level != LEVEL_FAIL)
			continue;
		print_item(out, it, o);
	}
	fprintf(out, "%zu passed, %zu warnings, %zu failed, %zu skipped%s\n",
		report_count(r, LEVEL_PASS), report_count(r, LEVEL_WARN),
		report_count(r, LEVEL_FAIL), report_count(r, LEVEL_SKIP),
		o->strict && report_count(r, LEVEL_WARN) ? " (--strict: warnings count as failures)"
							 : "");
	/* a refusal no item above says (an adaptation kata-runtime would not make) */
	if (!a->ready && !a->config->missing && report_capable(r, false))
		for (size_t i = 0; i < a->reasons.n; i++)
			fprintf(out, "kata-runtime would refuse: %s\n", a->reasons.v[i]);
	/* capable without a configuration: the host is, the runtime is not yet */
	if (capable && !a->ready) {
		char *why = assessment_reasons_line(a);
		fprintf(out, "%s%s, " MSG_NOT_READY "%s%s\n", o->color ? C_YELLOW C_BOLD : "",
			MSG_CAPABLE, why, o->color ? C_RESET : "");
		free(why);
	} else if (o->color) {
		fprintf(out, "%s%s" C_RESET "\n", capable ? C_GREEN C_BOLD : C_RED C_BOLD,
			capable ? MSG_CAPABLE : MSG_NOT_CAPABLE);
	} else {
		fprintf(out, "%s\n", capable ? MSG_CAPABLE : MSG_NOT_CAPABLE);
	}
}
