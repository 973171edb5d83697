build-san/obj/check/facts.o: check/facts.c check/facts.h
check/facts.h:
