build-san/obj/check/main.o: check/main.c check/check_main.h
check/check_main.h:
