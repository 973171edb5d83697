/* Whether to colour output: --color=auto|always|never, NO_COLOR, TERM=dumb. */
#ifndef KC_TTY_H
#define KC_TTY_H

#include <stdbool.h>

enum color_mode { COLOR_AUTO = 0, COLOR_ALWAYS, COLOR_NEVER };

/* Parse "auto", "always", "never" (and yes/no aliases); -1 when invalid. */
int color_mode_parse(const char *s);
bool color_enabled(enum color_mode mode, int fd);

#endif
