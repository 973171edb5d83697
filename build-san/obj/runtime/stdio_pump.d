build-san/obj/runtime/stdio_pump.o: runtime/stdio_pump.c \
 runtime/stdio_pump.h runtime/agent_client.h lib/error.h lib/macros.h \
 lib/proto.h lib/error.h
runtime/stdio_pump.h:
runtime/agent_client.h:
lib/error.h:
lib/macros.h:
lib/proto.h:
lib/error.h:
