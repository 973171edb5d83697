build-san/obj/setup/files.o: setup/files.c check/adapt.h lib/config.h \
 lib/error.h lib/macros.h check/facts.h check/report.h lib/macros.h \
 lib/config_chain.h lib/config.h lib/hostroot.h lib/config_paths.h \
 lib/config_validate.h build-san/gen/default_config.h lib/fs.h \
 check/rules.h check/config_probe.h lib/hostroot.h setup/setup.h \
 check/facts.h check/report.h lib/strbuf.h lib/strutil.h
check/adapt.h:
lib/config.h:
lib/error.h:
lib/macros.h:
check/facts.h:
check/report.h:
lib/macros.h:
lib/config_chain.h:
lib/config.h:
lib/hostroot.h:
lib/config_paths.h:
lib/config_validate.h:
build-san/gen/default_config.h:
lib/fs.h:
check/rules.h:
check/config_probe.h:
lib/hostroot.h:
setup/setup.h:
check/facts.h:
check/report.h:
lib/strbuf.h:
lib/strutil.h:
