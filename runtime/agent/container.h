/* Containers in the agent (see container.c). */
#ifndef KC_AGENT_CONTAINER_H
#define KC_AGENT_CONTAINER_H

#include "agent.h"

const char *container_status_name(enum container_status s);
struct container *container_new(struct agent *a, const char *id);

#endif
