build-san/obj/lib/version.o: lib/version.c lib/version.h \
 build-san/gen/commit.h
lib/version.h:
build-san/gen/commit.h:
