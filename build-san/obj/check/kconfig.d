build-san/obj/check/kconfig.o: check/kconfig.c check/kconfig.h \
 lib/hostroot.h lib/error.h lib/macros.h lib/strutil.h
check/kconfig.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
lib/strutil.h:
