build-san/obj/check/render_json.o: check/render_json.c \
 check/config_probe.h lib/config.h lib/error.h lib/macros.h \
 lib/config_chain.h lib/config.h lib/hostroot.h lib/config_validate.h \
 lib/hostroot.h check/render.h check/facts.h check/report.h lib/macros.h \
 lib/version.h
check/config_probe.h:
lib/config.h:
lib/error.h:
lib/macros.h:
lib/config_chain.h:
lib/config.h:
lib/hostroot.h:
lib/config_validate.h:
lib/hostroot.h:
check/render.h:
check/facts.h:
check/report.h:
lib/macros.h:
lib/version.h:
