build-san/obj/lib/strbuf.o: lib/strbuf.c lib/strbuf.h lib/macros.h
lib/strbuf.h:
lib/macros.h:
