build-san/obj/lib/oci.o: lib/oci.c lib/oci.h lib/error.h lib/macros.h \
 lib/strbuf.h lib/strutil.h
lib/oci.h:
lib/error.h:
lib/macros.h:
lib/strbuf.h:
lib/strutil.h:
