build-san/obj/setup/apply.o: setup/apply.c check/config_probe.h \
 lib/config.h lib/error.h lib/macros.h lib/config_chain.h lib/config.h \
 lib/hostroot.h lib/config_validate.h lib/hostroot.h check/probe.h \
 check/facts.h check/rules.h check/config_probe.h check/report.h \
 lib/macros.h setup/setup.h check/facts.h check/report.h lib/strbuf.h \
 lib/strutil.h
check/config_probe.h:
lib/config.h:
lib/error.h:
lib/macros.h:
lib/config_chain.h:
lib/config.h:
lib/hostroot.h:
lib/config_validate.h:
lib/hostroot.h:
check/probe.h:
check/facts.h:
check/rules.h:
check/config_probe.h:
check/report.h:
lib/macros.h:
setup/setup.h:
check/facts.h:
check/report.h:
lib/strbuf.h:
lib/strutil.h:
