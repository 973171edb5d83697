build-san/obj/tui/canvas_text.o: tui/canvas_text.c tui/canvas.h \
 lib/strbuf.h lib/macros.h
tui/canvas.h:
lib/strbuf.h:
lib/macros.h:
