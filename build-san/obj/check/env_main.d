build-san/obj/check/env_main.o: check/env_main.c check/check_main.h \
 lib/config_chain.h lib/config.h lib/error.h lib/macros.h lib/hostroot.h \
 check/env.h check/adapt.h lib/config.h check/facts.h check/report.h \
 lib/macros.h check/config_probe.h lib/config_validate.h lib/hostroot.h \
 check/probe.h check/rules.h lib/strbuf.h lib/toml_write.h lib/version.h
check/check_main.h:
lib/config_chain.h:
lib/config.h:
lib/error.h:
lib/macros.h:
lib/hostroot.h:
check/env.h:
check/adapt.h:
lib/config.h:
check/facts.h:
check/report.h:
lib/macros.h:
check/config_probe.h:
lib/config_validate.h:
lib/hostroot.h:
check/probe.h:
check/rules.h:
lib/strbuf.h:
lib/toml_write.h:
lib/version.h:
