/* Report renderers: text for people, JSON for scripts. */
#ifndef KC_RENDER_H
#define KC_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "assess.h"
#include "facts.h"
#include "report.h"

struct render_options {
	bool color;   /* ANSI colours (decided by the caller: TTY, --color, NO_COLOR) */
	bool quiet;   /* WARN and FAIL items only */
	bool verbose; /* host summary and every item's facts */
	bool strict;  /* warnings count as failures */
};

/* The report, then the verdict: assessment_capable(). */
void render_text(FILE *out, const struct assessment *a, const struct render_options *o);

/* One line naming the host (CPU, arch, kernel, distribution, VM or not). */
void render_host_line(char *buf, size_t len, const struct host_facts *f);

/* The whole report, the decision and the facts as a JSON object (caller
 * decrefs). */
json_t *assessment_to_json(const struct assessment *a, bool strict);
json_t *facts_to_json(const struct host_facts *f);
struct config_state;
json_t *config_to_json(const struct config_state *cs);

/* The --json document's version, and data/kata-check.schema.json's: 1 the
 * first; 2 every KVM row always present (SKIP with the reason), facts.firmware,
 * the memory budget's and the cgroup controllers' facts, the confidential
 * group. */
#define REPORT_SCHEMA_VERSION 2

#endif
