build-san/obj/tui/main.o: tui/main.c tui/canvas.h tui/fix.h tui/monitor.h \
 tui/snapshot.h check/config_probe.h lib/config.h lib/error.h \
 lib/macros.h lib/config_chain.h lib/config.h lib/hostroot.h \
 lib/config_validate.h lib/hostroot.h check/facts.h check/report.h \
 lib/macros.h lib/strbuf.h lib/strutil.h lib/tty.h tui/ui.h lib/version.h
tui/canvas.h:
tui/fix.h:
tui/monitor.h:
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
lib/strbuf.h:
lib/strutil.h:
lib/tty.h:
tui/ui.h:
lib/version.h:
