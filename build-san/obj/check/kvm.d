build-san/obj/check/kvm.o: check/kvm.c check/kvm.h check/facts.h \
 lib/hostroot.h lib/error.h lib/macros.h check/recorded.h lib/strbuf.h \
 lib/strutil.h
check/kvm.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
check/recorded.h:
lib/strbuf.h:
lib/strutil.h:
