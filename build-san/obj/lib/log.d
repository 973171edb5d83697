build-san/obj/lib/log.o: lib/log.c lib/log.h lib/macros.h lib/strbuf.h
lib/log.h:
lib/macros.h:
lib/strbuf.h:
