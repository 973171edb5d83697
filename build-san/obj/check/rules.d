build-san/obj/check/rules.o: check/rules.c check/rules.h \
 check/config_probe.h lib/config.h lib/error.h lib/macros.h \
 lib/config_chain.h lib/config.h lib/hostroot.h lib/config_validate.h \
 lib/hostroot.h check/facts.h check/report.h lib/macros.h check/cpu.h
check/rules.h:
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
check/cpu.h:
