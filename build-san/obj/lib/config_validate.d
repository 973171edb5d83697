build-san/obj/lib/config_validate.o: lib/config_validate.c \
 lib/config_validate.h lib/config.h lib/error.h lib/macros.h \
 lib/hostroot.h lib/strbuf.h lib/strutil.h
lib/config_validate.h:
lib/config.h:
lib/error.h:
lib/macros.h:
lib/hostroot.h:
lib/strbuf.h:
lib/strutil.h:
