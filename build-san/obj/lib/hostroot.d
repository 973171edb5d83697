build-san/obj/lib/hostroot.o: lib/hostroot.c lib/hostroot.h lib/error.h \
 lib/macros.h lib/strbuf.h
lib/hostroot.h:
lib/error.h:
lib/macros.h:
lib/strbuf.h:
