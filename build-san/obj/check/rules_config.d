build-san/obj/check/rules_config.o: check/rules_config.c check/rules.h \
 check/config_probe.h lib/config.h lib/error.h lib/macros.h \
 lib/config_chain.h lib/config.h lib/hostroot.h lib/config_validate.h \
 lib/hostroot.h check/facts.h check/report.h lib/macros.h lib/strbuf.h \
 lib/strutil.h
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
lib/strbuf.h:
lib/strutil.h:
