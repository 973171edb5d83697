build-san/obj/check/resources.o: check/resources.c check/resources.h \
 check/facts.h lib/hostroot.h lib/error.h lib/macros.h lib/strbuf.h \
 lib/strutil.h
check/resources.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
lib/strbuf.h:
lib/strutil.h:
