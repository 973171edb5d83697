build-san/obj/lib/fs.o: lib/fs.c lib/fs.h lib/error.h lib/macros.h \
 lib/strbuf.h
lib/fs.h:
lib/error.h:
lib/macros.h:
lib/strbuf.h:
