build-san/obj/check/adapt.o: check/adapt.c check/adapt.h lib/config.h \
 lib/error.h lib/macros.h check/facts.h check/report.h lib/macros.h \
 lib/strutil.h
check/adapt.h:
lib/config.h:
lib/error.h:
lib/macros.h:
check/facts.h:
check/report.h:
lib/macros.h:
lib/strutil.h:
