build-san/obj/check/rules_kvm.o: check/rules_kvm.c check/cpu.h \
 check/facts.h lib/hostroot.h lib/error.h lib/macros.h check/devices.h \
 check/recorded.h check/rules.h check/config_probe.h lib/config.h \
 lib/config_chain.h lib/config.h lib/hostroot.h lib/config_validate.h \
 check/report.h lib/macros.h lib/strbuf.h
check/cpu.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
check/devices.h:
check/recorded.h:
check/rules.h:
check/config_probe.h:
lib/config.h:
lib/config_chain.h:
lib/config.h:
lib/hostroot.h:
lib/config_validate.h:
check/report.h:
lib/macros.h:
lib/strbuf.h:
