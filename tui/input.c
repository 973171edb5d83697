/* The dashboard's keys (see ui.h). */
#include <curses.h>
#include <string.h>

#include "ui.h"

#define KEY_ESC 27
#define KEY_TAB '\t'

enum ui_command ui_key(struct ui *u, const struct snapshot *s, int key)
{
	int count = ui_row_count(s, u);
	int *sel = &u->selected[u->view];

	if (u->help) {
		u->help = false;
		return CMD_REDRAW;
	}
	if (u->confirming) {
		u->confirming = false;
		if (key == 'y' || key == 'Y')
			return CMD_RUN_FIX;
		snprintf(u->message, sizeof(u->message), "Fix cancelled.");
		u->message_color = COL_DIM;
		return CMD_REDRAW;
	}
	if (u->filtering) {
		size_t len = strlen(u->filter);
		if (key == '\n' || key == KEY_ENTER || key == '\r') {
			u->filtering = false;
		} else if (key == KEY_ESC) {
			u->filtering = false;
			u->filter[0] = '\0';
		} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
			if (len)
				u->filter[len - 1] = '\0';
		} else if (key >= 0x20 && key < 0x7f && len + 1 < sizeof(u->filter)) {
			u->filter[len] = (char)key;
			u->filter[len + 1] = '\0';
		}
		u->selected[VIEW_CHECKS] = 0;
		u->scroll[VIEW_CHECKS] = 0;
		return CMD_REDRAW;
	}
	u->message[0] = '\0';
	switch (key) {
	case 'q':
	case 'Q': return CMD_QUIT;
	case KEY_UP:
	case 'k':
		if (*sel > 0)
			(*sel)--;
		return CMD_REDRAW;
	case KEY_DOWN:
	case 'j':
		if (*sel + 1 < count)
			(*sel)++;
		return CMD_REDRAW;
	case KEY_PPAGE: *sel = *sel > 10 ? *sel - 10 : 0; return CMD_REDRAW;
	case KEY_NPAGE:
		*sel = *sel + 10 < count ? *sel + 10 : (count > 0 ? count - 1 : 0);
		return CMD_REDRAW;
	case KEY_HOME:
	case 'g': *sel = 0; return CMD_REDRAW;
	case KEY_END:
	case 'G': *sel = count > 0 ? count - 1 : 0; return CMD_REDRAW;
	case KEY_TAB: u->view = (u->view + 1) % VIEW_COUNT; return CMD_REDRAW;
	case KEY_BTAB: u->view = (u->view + VIEW_COUNT - 1) % VIEW_COUNT; return CMD_REDRAW;
	case '1':
	case '2':
	case '3': u->view = (enum view)(key - '1'); return CMD_REDRAW;
	case '\n':
	case '\r':
	case KEY_ENTER: u->details = !u->details; return CMD_REDRAW;
	case KEY_ESC:
		u->details = false;
		u->filter[0] = '\0';
		return CMD_REDRAW;
	case '/':
		u->view = VIEW_CHECKS;
		u->filtering = true;
		return CMD_REDRAW;
	case '?':
	case 'h': u->help = true; return CMD_REDRAW;
	case 'r':
	case 'R': return CMD_REFRESH;
	case 'f':
	case 'F': return u->view == VIEW_CHECKS ? CMD_ASK_FIX : CMD_NONE;
	case KEY_RESIZE: return CMD_REDRAW;
	default: return CMD_NONE;
	}
}
