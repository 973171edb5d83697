build-san/obj/runtime/proxy_main.o: runtime/proxy_main.c lib/log.h \
 lib/macros.h runtime/proxy.h lib/error.h lib/strutil.h lib/version.h
lib/log.h:
lib/macros.h:
runtime/proxy.h:
lib/error.h:
lib/strutil.h:
lib/version.h:
