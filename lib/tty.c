/* Colour decision (see tty.h). NO_COLOR: https://no-color.org */
#include "tty.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int color_mode_parse(const char *s)
{
	if (!s || !strcmp(s, "auto"))
		return COLOR_AUTO;
	if (!strcmp(s, "always") || !strcmp(s, "yes") || !strcmp(s, "force"))
		return COLOR_ALWAYS;
	if (!strcmp(s, "never") || !strcmp(s, "no") || !strcmp(s, "none"))
		return COLOR_NEVER;
	return -1;
}

bool color_enabled(enum color_mode mode, int fd)
{
	const char *term;

	if (mode == COLOR_ALWAYS)
		return true;
	if (mode == COLOR_NEVER)
		return false;
	if (getenv("NO_COLOR") && getenv("NO_COLOR")[0])
		return false;
	term = getenv("TERM");
	if (!term || !strcmp(term, "dumb"))
		return false;
	return isatty(fd) == 1;
}
