build-san/obj/check/modules.o: check/modules.c check/modules.h \
 check/facts.h lib/hostroot.h lib/error.h lib/macros.h check/kconfig.h \
 check/kmod_api.h lib/error.h lib/strbuf.h lib/strutil.h
check/modules.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
check/kconfig.h:
check/kmod_api.h:
lib/error.h:
lib/strbuf.h:
lib/strutil.h:
