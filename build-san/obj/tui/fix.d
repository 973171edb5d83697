build-san/obj/tui/fix.o: tui/fix.c tui/fix.h check/config_probe.h \
 lib/config.h lib/error.h lib/macros.h lib/config_chain.h lib/config.h \
 lib/hostroot.h lib/config_validate.h lib/hostroot.h setup/setup.h \
 check/facts.h check/report.h lib/macros.h lib/strbuf.h lib/strutil.h
tui/fix.h:
check/config_probe.h:
lib/config.h:
lib/error.h:
lib/macros.h:
lib/config_chain.h:
lib/config.h:
lib/hostroot.h:
lib/config_validate.h:
lib/hostroot.h:
setup/setup.h:
check/facts.h:
check/report.h:
lib/macros.h:
lib/strbuf.h:
lib/strutil.h:
