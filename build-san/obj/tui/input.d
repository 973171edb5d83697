build-san/obj/tui/input.o: tui/input.c tui/ui.h tui/canvas.h \
 tui/snapshot.h check/config_probe.h lib/config.h lib/error.h \
 lib/macros.h lib/config_chain.h lib/config.h lib/hostroot.h \
 lib/config_validate.h lib/hostroot.h check/facts.h check/report.h \
 lib/macros.h
tui/ui.h:
tui/canvas.h:
tui/snapshot.h:
check/config_probe.h:
lib/config.h:
lib/error.h:
lib/macros.h:
lib/config_chain.h:
lib/config.h:
lib/hostroot.h:
lib/config_validate.h:
lib/hostroot.h:
check/facts.h:
check/report.h:
lib/macros.h:
