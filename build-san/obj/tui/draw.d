build-san/obj/tui/draw.o: tui/draw.c check/pci.h check/facts.h \
 lib/hostroot.h lib/error.h lib/macros.h check/render.h check/report.h \
 lib/macros.h lib/strbuf.h lib/strutil.h tui/ui.h tui/canvas.h \
 tui/snapshot.h check/config_probe.h lib/config.h lib/config_chain.h \
 lib/config.h lib/hostroot.h lib/config_validate.h check/facts.h \
 check/report.h
check/pci.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
check/render.h:
check/report.h:
lib/macros.h:
lib/strbuf.h:
lib/strutil.h:
tui/ui.h:
tui/canvas.h:
tui/snapshot.h:
check/config_probe.h:
lib/config.h:
lib/config_chain.h:
lib/config.h:
lib/hostroot.h:
lib/config_validate.h:
check/facts.h:
check/report.h:
