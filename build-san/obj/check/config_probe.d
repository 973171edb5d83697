build-san/obj/check/config_probe.o: check/config_probe.c \
 check/config_probe.h lib/config.h lib/error.h lib/macros.h \
 lib/config_chain.h lib/config.h lib/hostroot.h lib/config_validate.h \
 lib/hostroot.h lib/strutil.h
check/config_probe.h:
lib/config.h:
lib/error.h:
lib/macros.h:
lib/config_chain.h:
lib/config.h:
lib/hostroot.h:
lib/config_validate.h:
lib/hostroot.h:
lib/strutil.h:
