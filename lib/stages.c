#include "stages.h"

#include <string.h>
#include <time.h>

#define STAGES_MAX 48

/* per thread: the shim v2 serves each request on a thread of its own, and
 * two creates at once each time their own start */
struct stage {
	const char *name; /* a literal: names are the callers' constants */
	double ms;
};
static __thread struct stage stages[STAGES_MAX];
static __thread int nstages;
static __thread double recorded_ms; /* the sum of all stages so far */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void stages_reset(void)
{
	nstages = 0;
	recorded_ms = 0;
}

void stages_begin(struct stage_clock *c)
{
	c->t0 = now_ms();
	c->nested_at_start = recorded_ms;
}

void stages_end(const struct stage_clock *c, const char *name)
{
	double own = now_ms() - c->t0 - (recorded_ms - c->nested_at_start);
	if (own < 0)
		own = 0;
	recorded_ms += own;
	for (int i = 0; i < nstages; i++)
		if (!strcmp(stages[i].name, name)) {
			stages[i].ms += own;
			return;
		}
	if (nstages == STAGES_MAX)
		return; /* more kinds than a start has: the total still counts it */
	stages[nstages].name = name;
	stages[nstages++].ms = own;
}

void stages_format(struct strbuf *out)
{
	/* a step with nothing to do (no template to restore, no NIC to
	 * plug) takes microseconds: left out, the line names what ran */
	for (int i = 0; i < nstages; i++)
		if (stages[i].ms >= 0.05)
			strbuf_appendf(out, "%s%s=%.1f", out->len ? " " : "", stages[i].name,
				       stages[i].ms);
}

double stages_total_ms(void)
{
	return recorded_ms;
}
