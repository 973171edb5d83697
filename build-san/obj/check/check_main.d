build-san/obj/check/check_main.o: check/check_main.c check/check_main.h \
 lib/error.h lib/macros.h lib/hostroot.h lib/error.h check/probe.h \
 check/facts.h check/render.h check/report.h lib/macros.h check/rules.h \
 check/config_probe.h lib/config.h lib/config_chain.h lib/config.h \
 lib/hostroot.h lib/config_validate.h lib/strbuf.h lib/tty.h \
 lib/version.h
check/check_main.h:
lib/error.h:
lib/macros.h:
lib/hostroot.h:
lib/error.h:
check/probe.h:
check/facts.h:
check/render.h:
check/report.h:
lib/macros.h:
check/rules.h:
check/config_probe.h:
lib/config.h:
lib/config_chain.h:
lib/config.h:
lib/hostroot.h:
lib/config_validate.h:
lib/strbuf.h:
lib/tty.h:
lib/version.h:
