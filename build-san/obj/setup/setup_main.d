build-san/obj/setup/setup_main.o: setup/setup_main.c check/check_main.h \
 check/config_probe.h lib/config.h lib/error.h lib/macros.h \
 lib/config_chain.h lib/config.h lib/hostroot.h lib/config_validate.h \
 lib/hostroot.h check/probe.h check/facts.h check/rules.h \
 check/config_probe.h check/report.h lib/macros.h setup/setup.h \
 check/facts.h check/report.h lib/strbuf.h lib/strutil.h lib/version.h
check/check_main.h:
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
lib/version.h:
