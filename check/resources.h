/* Host resources and identity: CPUs, memory, hugepages, cgroup layout,
 * kernel release, distribution. */
#ifndef KC_RESOURCES_H
#define KC_RESOURCES_H

#include "facts.h"
#include "hostroot.h"

void resources_probe(const struct host_root *root, struct resource_facts *rf);

/* "0-3,8,10-11" -> 7; 0 on malformed input. */
unsigned cpu_list_count(const char *list);

/* Parse /proc/meminfo text. */
void resources_parse_meminfo(const char *text, struct resource_facts *rf);

#endif
