build-san/obj/check/recorded.o: check/recorded.c check/recorded.h \
 lib/hostroot.h lib/error.h lib/macros.h lib/strutil.h
check/recorded.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
lib/strutil.h:
