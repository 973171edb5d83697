build-san/obj/check/rules_modules.o: check/rules_modules.c check/cpu.h \
 check/facts.h lib/hostroot.h lib/error.h lib/macros.h check/devices.h \
 check/rules.h check/config_probe.h lib/config.h lib/config_chain.h \
 lib/config.h lib/hostroot.h lib/config_validate.h check/report.h \
 lib/macros.h lib/strutil.h
check/cpu.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
check/devices.h:
check/rules.h:
check/config_probe.h:
lib/config.h:
lib/config_chain.h:
lib/config.h:
lib/hostroot.h:
lib/config_validate.h:
check/report.h:
lib/macros.h:
lib/strutil.h:
