build-san/obj/check/probe.o: check/probe.c check/probe.h check/facts.h \
 lib/hostroot.h lib/error.h lib/macros.h check/cpu.h check/devices.h \
 check/kvm.h check/modules.h check/pci.h check/resources.h lib/strutil.h
check/probe.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
check/cpu.h:
check/devices.h:
check/kvm.h:
check/modules.h:
check/pci.h:
check/resources.h:
lib/strutil.h:
