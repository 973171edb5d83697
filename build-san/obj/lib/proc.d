build-san/obj/lib/proc.o: lib/proc.c lib/proc.h lib/error.h lib/macros.h
lib/proc.h:
lib/error.h:
lib/macros.h:
