build-san/obj/lib/toml.o: lib/toml.c lib/toml.h lib/error.h lib/macros.h
lib/toml.h:
lib/error.h:
lib/macros.h:
