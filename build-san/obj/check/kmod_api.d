build-san/obj/check/kmod_api.o: check/kmod_api.c check/kmod_api.h \
 lib/error.h lib/macros.h
check/kmod_api.h:
lib/error.h:
lib/macros.h:
