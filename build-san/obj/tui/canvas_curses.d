build-san/obj/tui/canvas_curses.o: tui/canvas_curses.c tui/canvas.h
tui/canvas.h:
