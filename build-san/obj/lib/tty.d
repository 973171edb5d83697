build-san/obj/lib/tty.o: lib/tty.c lib/tty.h
lib/tty.h:
