/* The dashboard's state between frames, its drawing and its keys. */
#ifndef KC_UI_H
#define KC_UI_H

#include <stdbool.h>

#include "canvas.h"
#include "snapshot.h"

enum view { VIEW_CHECKS = 0, VIEW_VFIO, VIEW_SANDBOXES, VIEW_COUNT };

#define MIN_COLS  60
#define MIN_LINES 12

struct ui {
	enum view view;
	int selected[VIEW_COUNT];
	int scroll[VIEW_COUNT];
	bool details;	/* the details pane is open */
	bool help;	/* the help overlay is shown */
	bool filtering; /* typing a filter */
	char filter[64];
	bool confirming; /* waiting for y/n on a fix */
	char confirm[512];
	char fix_item[64]; /* the report item the fix is for */
	char message[512]; /* status line */
	int message_color;
	bool refreshing;
	bool root; /* may run fixes */
};

/* Draw one frame. */
void ui_draw(struct canvas *c, const struct snapshot *s, struct ui *u);

/* Items of the checks view after the filter, in report order. */
int ui_visible_checks(const struct snapshot *s, const struct ui *u, const struct report_item **out,
		      int max);
/* Rows of the current view (for moving the selection). */
int ui_row_count(const struct snapshot *s, const struct ui *u);

enum ui_command { CMD_NONE, CMD_QUIT, CMD_REFRESH, CMD_ASK_FIX, CMD_RUN_FIX, CMD_REDRAW };

/* Apply a key (curses key codes; plain characters as themselves). */
enum ui_command ui_key(struct ui *u, const struct snapshot *s, int key);

#endif
