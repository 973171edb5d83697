build-san/obj/lib/error.o: lib/error.c lib/error.h lib/macros.h
lib/error.h:
lib/macros.h:
