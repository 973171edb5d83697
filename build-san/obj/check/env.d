build-san/obj/check/env.o: check/env.c check/env.h check/adapt.h \
 lib/config.h lib/error.h lib/macros.h check/facts.h check/report.h \
 lib/macros.h check/config_probe.h lib/config_chain.h lib/config.h \
 lib/hostroot.h lib/config_validate.h lib/hostroot.h lib/config_paths.h \
 lib/proc.h check/rules.h lib/strbuf.h lib/strutil.h lib/version.h
check/env.h:
check/adapt.h:
lib/config.h:
lib/error.h:
lib/macros.h:
check/facts.h:
check/report.h:
lib/macros.h:
check/config_probe.h:
lib/config_chain.h:
lib/config.h:
lib/hostroot.h:
lib/config_validate.h:
lib/hostroot.h:
lib/config_paths.h:
lib/proc.h:
check/rules.h:
lib/strbuf.h:
lib/strutil.h:
lib/version.h:
