build-san/obj/lib/config_chain.o: lib/config_chain.c lib/config_chain.h \
 lib/config.h lib/error.h lib/macros.h lib/hostroot.h lib/config_paths.h \
 lib/fs.h lib/strbuf.h
lib/config_chain.h:
lib/config.h:
lib/error.h:
lib/macros.h:
lib/hostroot.h:
lib/config_paths.h:
lib/fs.h:
lib/strbuf.h:
