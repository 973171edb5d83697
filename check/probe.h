/* Gather every fact about a host root into struct host_facts. */
#ifndef KC_PROBE_H
#define KC_PROBE_H

#include "facts.h"
#include "hostroot.h"

/* Never fails: what cannot be read is recorded as such in the facts. */
void host_probe(const struct host_root *root, struct host_facts *f);

#endif
