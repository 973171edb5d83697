build-san/obj/lib/toml_write.o: lib/toml_write.c lib/toml_write.h \
 lib/strbuf.h lib/macros.h
lib/toml_write.h:
lib/strbuf.h:
lib/macros.h:
