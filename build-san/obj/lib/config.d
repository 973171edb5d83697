build-san/obj/lib/config.o: lib/config.c lib/config.h lib/error.h \
 lib/macros.h lib/config_paths.h lib/strbuf.h lib/strutil.h lib/toml.h
lib/config.h:
lib/error.h:
lib/macros.h:
lib/config_paths.h:
lib/strbuf.h:
lib/strutil.h:
lib/toml.h:
