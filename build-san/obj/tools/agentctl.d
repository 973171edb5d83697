build-san/obj/tools/agentctl.o: tools/agentctl.c runtime/agent_client.h \
 lib/error.h lib/macros.h lib/proto.h lib/error.h lib/strbuf.h \
 lib/oci_default.h runtime/stdio_pump.h runtime/agent_client.h
runtime/agent_client.h:
lib/error.h:
lib/macros.h:
lib/proto.h:
lib/error.h:
lib/strbuf.h:
lib/oci_default.h:
runtime/stdio_pump.h:
runtime/agent_client.h:
