build-san/obj/runtime/proxy.o: runtime/proxy.c runtime/proxy.h \
 lib/error.h lib/macros.h runtime/agent_client.h lib/proto.h lib/error.h \
 lib/log.h lib/strbuf.h
runtime/proxy.h:
lib/error.h:
lib/macros.h:
runtime/agent_client.h:
lib/proto.h:
lib/error.h:
lib/log.h:
lib/strbuf.h:
