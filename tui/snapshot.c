/* Gathering a snapshot (see snapshot.h). */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "rules.h"
#include "strbuf.h"
#include "strutil.h"

struct snapshot *snapshot_take(const struct host_root *root, const char *runtime_root)
{
	struct snapshot *s = xcalloc(1, sizeof(*s));
	struct rules_input in;

	host_probe(root, &s->facts);
	config_probe(root, NULL, s->facts.res.cpus_online, &s->config);
	rules_input_defaults(&in, &s->facts);
	rules_input_from_config(&in, &s->config);
	rules_evaluate(&in, &s->report);
	sandboxes_read(root, runtime_root, s);
	s->taken = time(NULL);
	return s;
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	report_free(&s->report);
	config_state_free(&s->config);
	host_facts_free(&s->facts);
	free(s->sandboxes);
	free(s);
}
