build-san/obj/setup/vfio.o: setup/vfio.c lib/fs.h lib/error.h \
 lib/macros.h check/pci.h check/facts.h lib/hostroot.h setup/setup.h \
 lib/config.h check/facts.h check/report.h lib/macros.h lib/strutil.h
lib/fs.h:
lib/error.h:
lib/macros.h:
check/pci.h:
check/facts.h:
lib/hostroot.h:
setup/setup.h:
lib/config.h:
check/facts.h:
check/report.h:
lib/macros.h:
lib/strutil.h:
