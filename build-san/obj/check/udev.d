build-san/obj/check/udev.o: check/udev.c check/devices.h check/facts.h \
 lib/hostroot.h lib/error.h lib/macros.h
check/devices.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
