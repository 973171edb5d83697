build-san/obj/lib/oci_default.o: lib/oci_default.c lib/oci_default.h
lib/oci_default.h:
