build-san/obj/lib/toml_parse.o: lib/toml_parse.c lib/toml_internal.h \
 lib/macros.h lib/strbuf.h lib/toml.h lib/error.h
lib/toml_internal.h:
lib/macros.h:
lib/strbuf.h:
lib/toml.h:
lib/error.h:
