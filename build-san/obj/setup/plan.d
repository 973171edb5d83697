build-san/obj/setup/plan.o: setup/plan.c check/pci.h check/facts.h \
 lib/hostroot.h lib/error.h lib/macros.h setup/setup.h lib/config.h \
 check/facts.h check/report.h lib/macros.h lib/strbuf.h lib/strutil.h
check/pci.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
setup/setup.h:
lib/config.h:
check/facts.h:
check/report.h:
lib/macros.h:
lib/strbuf.h:
lib/strutil.h:
