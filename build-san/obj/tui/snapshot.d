build-san/obj/tui/snapshot.o: tui/snapshot.c tui/snapshot.h \
 check/config_probe.h lib/config.h lib/error.h lib/macros.h \
 lib/config_chain.h lib/config.h lib/hostroot.h lib/config_validate.h \
 lib/hostroot.h check/facts.h check/report.h lib/macros.h check/probe.h \
 check/facts.h check/rules.h check/config_probe.h check/report.h \
 lib/strbuf.h lib/strutil.h
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
check/probe.h:
check/facts.h:
check/rules.h:
check/config_probe.h:
check/report.h:
lib/strbuf.h:
lib/strutil.h:
