build-san/obj/check/devices.o: check/devices.c check/devices.h \
 check/facts.h lib/hostroot.h lib/error.h lib/macros.h check/recorded.h \
 lib/strbuf.h lib/strutil.h
check/devices.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
check/recorded.h:
lib/strbuf.h:
lib/strutil.h:
