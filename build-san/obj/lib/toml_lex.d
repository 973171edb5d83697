build-san/obj/lib/toml_lex.o: lib/toml_lex.c lib/toml_internal.h \
 lib/macros.h lib/strbuf.h lib/toml.h lib/error.h
lib/toml_internal.h:
lib/macros.h:
lib/strbuf.h:
lib/toml.h:
lib/error.h:
