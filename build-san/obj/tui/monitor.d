build-san/obj/tui/monitor.o: tui/monitor.c tui/monitor.h
tui/monitor.h:
