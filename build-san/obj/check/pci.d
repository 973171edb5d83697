build-san/obj/check/pci.o: check/pci.c check/pci.h check/facts.h \
 lib/hostroot.h lib/error.h lib/macros.h lib/strbuf.h lib/strutil.h
check/pci.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
lib/strbuf.h:
lib/strutil.h:
