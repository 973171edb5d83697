build-san/obj/check/facts_json.o: check/facts_json.c check/cpu.h \
 check/facts.h lib/hostroot.h lib/error.h lib/macros.h check/recorded.h \
 check/render.h check/report.h lib/macros.h
check/cpu.h:
check/facts.h:
lib/hostroot.h:
lib/error.h:
lib/macros.h:
check/recorded.h:
check/render.h:
check/report.h:
lib/macros.h:
