/* Where a command's time goes: named stages, in the order they ran, each
 * with the milliseconds it spent itself (a stage that contains others
 * counts only what they did not). One recorder per thread: a command (or
 * a create in the shim v2, on the thread serving its request) resets it,
 * then its stages add to it; the log and make bench (KATA_RUNTIME_TIMING)
 * print it. */
#ifndef KC_STAGES_H
#define KC_STAGES_H

#include "strbuf.h"

struct stage_clock {
	double t0;
	double nested_at_start;
};

void stages_reset(void);
/* A stage begins: end it with stages_end, naming it. */
void stages_begin(struct stage_clock *c);
/* Its time, less what stages begun and ended inside it took; a name seen
 * before adds to that stage. */
void stages_end(const struct stage_clock *c, const char *name);
/* "name=12.3 name=0.4 ...": the stages in order, each to 0.1 ms; those
 * under 0.05 ms (steps with nothing to do) left out. Appends to out. */
void stages_format(struct strbuf *out);
double stages_total_ms(void);

#endif
