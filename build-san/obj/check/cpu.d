build-san/obj/check/cpu.o: check/cpu.c check/cpu.h check/facts.h \
 lib/hostroot.h lib/error.h lib/macros.h check/recorded.h lib/strbuf.h \
 lib/strutil.h
check/cpu.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
check/recorded.h:
lib/strbuf.h:
lib/strutil.h:
