build-san/obj/tools/toml_decode.o: tools/toml_decode.c lib/strbuf.h \
 lib/macros.h lib/toml.h lib/error.h
lib/strbuf.h:
lib/macros.h:
lib/toml.h:
lib/error.h:
