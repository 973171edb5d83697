build-san/obj/check/report.o: check/report.c check/report.h lib/macros.h \
 lib/strbuf.h lib/macros.h
check/report.h:
lib/macros.h:
lib/strbuf.h:
lib/macros.h:
