build-san/obj/check/rules_iommu.o: check/rules_iommu.c check/pci.h \
 check/facts.h lib/hostroot.h lib/error.h lib/macros.h check/rules.h \
 check/config_probe.h lib/config.h lib/config_chain.h lib/config.h \
 lib/hostroot.h lib/config_validate.h check/report.h lib/macros.h \
 lib/strutil.h
check/pci.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
check/rules.h:
check/config_probe.h:
lib/config.h:
lib/config_chain.h:
lib/config.h:
lib/hostroot.h:
lib/config_validate.h:
check/report.h:
lib/macros.h:
lib/strutil.h:
