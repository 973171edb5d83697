build-san/obj/runtime/agent_client.o: runtime/agent_client.c \
 runtime/agent_client.h lib/error.h lib/macros.h lib/proto.h lib/error.h \
 lib/strbuf.h
runtime/agent_client.h:
lib/error.h:
lib/macros.h:
lib/proto.h:
lib/error.h:
lib/strbuf.h:
