build-san/obj/setup/main.o: setup/main.c setup/setup.h lib/config.h \
 lib/error.h lib/macros.h check/facts.h lib/hostroot.h check/report.h \
 lib/macros.h
setup/setup.h:
lib/config.h:
lib/error.h:
lib/macros.h:
check/facts.h:
lib/hostroot.h:
check/report.h:
lib/macros.h:
