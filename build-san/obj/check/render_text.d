build-san/obj/check/render_text.o: check/render_text.c check/render.h \
 check/facts.h check/report.h lib/macros.h lib/strutil.h
check/render.h:
check/facts.h:
check/report.h:
lib/macros.h:
lib/strutil.h:
