build-san/obj/lib/proto.o: lib/proto.c lib/proto.h lib/error.h \
 lib/macros.h lib/strbuf.h
lib/proto.h:
lib/error.h:
lib/macros.h:
lib/strbuf.h:
