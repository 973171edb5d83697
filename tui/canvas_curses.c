/* The ncurses canvas (see canvas.h). With tui/main.c, the only files that
 * use ncurses. */
#include <curses.h>

#include "canvas.h"

static bool colors_on;

static attr_t to_attr(int color, int attrs)
{
	attr_t a = 0;
	if (colors_on && color > COL_DEFAULT && color < COL_COUNT)
		a |= COLOR_PAIR(color);
	if (attrs & ATTR_BOLD)
		a |= A_BOLD;
	if (attrs & ATTR_REVERSE)
		a |= A_REVERSE;
	if (!colors_on && color == COL_FAIL)
		a |= A_BOLD; /* failures stand out in monochrome too */
	return a;
}

static void curses_put(struct canvas *c, int y, int x, const char *s, int max, int color, int attrs)
{
	if (y < 0 || y >= c->h || x < 0 || x >= c->w)
		return;
	if (max > c->w - x)
		max = c->w - x;
	attr_t a = to_attr(color, attrs);
	attron(a);
	mvaddnstr(y, x, s, max);
	attroff(a);
}

static void curses_fill_row(struct canvas *c, int y, int color, int attrs)
{
	attr_t a = to_attr(color, attrs);
	attron(a);
	mvhline(y, 0, ' ', c->w);
	attroff(a);
}

void canvas_curses_init(struct canvas *c, bool use_color)
{
	colors_on = use_color;
	if (use_color) {
		start_color();
		use_default_colors();
		init_pair(COL_PASS, COLOR_GREEN, -1);
		init_pair(COL_WARN, COLOR_YELLOW, -1);
		init_pair(COL_FAIL, COLOR_RED, -1);
		init_pair(COL_SKIP, COLOR_CYAN, -1);
		init_pair(COL_TITLE, COLOR_WHITE, COLOR_BLUE);
		init_pair(COL_DIM, COLOR_BLUE, -1);
	}
	c->w = COLS;
	c->h = LINES;
	c->put = curses_put;
	c->fill_row = curses_fill_row;
}
