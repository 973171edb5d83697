/* What the views draw on: the terminal (ncurses, canvas_curses.c) or a
 * character grid printed once (canvas_text.c, for --once). Levels are
 * always written as words, so the monochrome form reads the same. */
#ifndef KC_CANVAS_H
#define KC_CANVAS_H

#include <stdbool.h>

enum color {
	COL_DEFAULT = 0,
	COL_PASS,
	COL_WARN,
	COL_FAIL,
	COL_SKIP,
	COL_TITLE,
	COL_DIM,
	COL_COUNT
};
enum { ATTR_BOLD = 1, ATTR_REVERSE = 2 };

struct canvas {
	int w, h;
	/* Write s at (y, x), at most max columns (cut at the right edge). */
	void (*put)(struct canvas *c, int y, int x, const char *s, int max, int color, int attrs);
	/* Paint a whole row (selection bars, headers). */
	void (*fill_row)(struct canvas *c, int y, int color, int attrs);
	void *priv;
};

/* A text canvas: a w x h grid of spaces. */
struct canvas *canvas_text_new(int w, int h);
/* Print it, trailing spaces trimmed. */
void canvas_text_print(struct canvas *c);
void canvas_text_free(struct canvas *c);

/* The ncurses canvas (stdscr); colours when the terminal has them. */
void canvas_curses_init(struct canvas *c, bool use_color);

#endif
