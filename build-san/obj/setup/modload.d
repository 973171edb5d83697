build-san/obj/setup/modload.o: setup/modload.c check/kmod_api.h \
 lib/error.h lib/macros.h check/modules.h check/facts.h lib/hostroot.h \
 lib/error.h setup/setup.h lib/config.h check/facts.h check/report.h \
 lib/macros.h lib/strbuf.h lib/strutil.h
check/kmod_api.h:
lib/error.h:
lib/macros.h:
check/modules.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
setup/setup.h:
lib/config.h:
check/facts.h:
check/report.h:
lib/macros.h:
lib/strbuf.h:
lib/strutil.h:
