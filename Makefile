# One build for everything. `make` builds every program into build/bin/,
# `make test` installs what the tests need and runs them all, `make install`
# honours PREFIX and DESTDIR. WERROR=1 turns warnings into errors (CI);
# SANITIZE=1 builds with ASan and UBSan.

VERSION := $(shell cat VERSION)
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# the guest kernel and initramfs (Debian's package puts them in
# /usr/lib/kata-containers: they are architecture-dependent)
GUESTDIR ?= $(PREFIX)/share/kata-containers
BUILD ?= build
CC ?= gcc
PKG_CONFIG ?= pkg-config

# Recursive (=) so that `make deps` works before the libraries exist.
# libkmod is compiled against but dlopen()ed at run time (check/kmod_api.c).
PKGS = libpci libudev jansson zlib
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) libkmod)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -ldl -lpthread
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka)
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka)

# -Wformat-truncation (in -Wall) stays on: a fixed buffer is sized for what
# it holds, or its truncation is checked or bounded where it is written.
WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	-Wvla -Wwrite-strings -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(CPPFLAGS) $(WARNINGS) $(if $(filter 1,$(WERROR)),-Werror) -D_GNU_SOURCE \
	-DKC_VERSION='"$(VERSION)"' -DKC_PREFIX='"$(PREFIX)"' \
	-DKC_GUESTDIR='"$(GUESTDIR)"' $(PKG_CFLAGS) $(CFLAGS)

# Floors (docs/design.md): each folder and room sees only the include
# paths of the floors below it, so an upward or sideways #include fails to
# build (and scripts/check-floors refuses an include that names a folder).
# The agent and the host helpers see lib/ only; the lifecycle core sees
# check/, lib/ and the VM driver; the factory sits on the core; the two
# front ends (the CLI, the shim v2) on the factory, never on each other.
LIB_INC := -Ilib
CHECK_INC := $(LIB_INC) -Icheck
SETUP_INC := $(CHECK_INC) -Isetup
TUI_INC := $(SETUP_INC) -Itui
VM_INC := $(LIB_INC) -Iruntime/vm
SHIM_INC := $(LIB_INC) -Iruntime/shim
RUNTIME_INC := $(CHECK_INC) -Iruntime/vm -Iruntime
FACTORY_INC := $(RUNTIME_INC) -Iruntime/factory
CLI_INC := $(FACTORY_INC) -Iruntime/cli
SHIMV2_INC := $(FACTORY_INC) -Iruntime/shim -Iruntime/shimv2
AGENT_INC := $(LIB_INC) -Iruntime/agent
# tools and tests stand above everything
ALL_INC := $(TUI_INC) -Iruntime/vm -Iruntime/shim -Iruntime -Iruntime/factory -Iruntime/cli
ALL_LDFLAGS = $(LDFLAGS)
GEN_CFLAGS = -std=gnu11 $(CFLAGS)
ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
GEN_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=address,undefined
endif

# Quiet by default; `make V=1` shows the commands.
Q := $(if $(filter 1,$(V)),,@)
say = $(if $(Q),@printf '  %-6s %s\n' $(1) $(2);)

OBJ := $(BUILD)/obj
BIN := $(BUILD)/bin

LIB_SRC := $(wildcard lib/*.c)
CHECK_SRC := $(filter-out check/main.c check/env_prog.c,$(wildcard check/*.c))
SETUP_SRC := $(filter-out setup/main.c,$(wildcard setup/*.c))
SETUP_OBJ := $(SETUP_SRC:%.c=$(OBJ)/%.o)
LIB_OBJ := $(LIB_SRC:%.c=$(OBJ)/%.o)
CHECK_OBJ := $(CHECK_SRC:%.c=$(OBJ)/%.o)
LIBKC := $(BUILD)/lib/libkc.a
LIBCHECK := $(BUILD)/lib/libkc-check.a

DATA := $(BUILD)/data/configuration.toml $(BUILD)/data/containerd-kata.toml $(BUILD)/data/crio-kata.conf \
	$(BUILD)/data/kata-vmcache.service
# the VM cache's systemd unit (Debian's package: /lib/systemd/system)
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DEV_CONFIG := $(BUILD)/data/configuration-dev.toml
TUI_SRC := $(wildcard tui/*.c)
TUI_OBJ := $(TUI_SRC:%.c=$(OBJ)/%.o)
CURSES_CFLAGS = $(shell $(PKG_CONFIG) --cflags ncursesw)
CURSES_LIBS = $(shell $(PKG_CONFIG) --libs ncursesw)
PROGRAMS := $(BIN)/kata-check $(BIN)/kata-env $(BIN)/kata-setup $(BIN)/kata-dashboard $(BIN)/kata-runtime \
	$(BIN)/containerd-shim-kata-v2
TOOLS := $(BIN)/toml-decode $(BIN)/agentctl $(BIN)/v2ctl
# started by kata-runtime; installed beside it in libexec
HELPERS := $(BIN)/kata-proxy $(BIN)/kata-shim
MANPAGES := man/kata-check.1 man/kata-env.1 man/kata-dashboard.1 man/configuration.toml.5 man/kata-setup.8 \
	man/kata-agent.8 man/kata-proxy.8 man/kata-runtime.8 man/kata-shim.8 man/containerd-shim-kata-v2.8 \
	man/kata-deploy.8

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all clean install uninstall deps test unit bats fixtures bench fuzz check-format format lint analyze image hello deb FORCE
all: $(BUILD)/.floors $(PROGRAMS) $(HELPERS) $(TOOLS) $(DATA) $(DEV_CONFIG)

# No include reaches around the floors with a path (scripts/check-floors).
$(BUILD)/.floors: scripts/check-floors $(shell find lib check setup tui runtime tools -name '*.[ch]')
	@mkdir -p $(@D)
	$(Q)scripts/check-floors
	@touch $@

# Rebuild everything when the flags change (SANITIZE=1 after a plain build,
# or `make install PREFIX=/usr` after a build for /usr/local: the programs
# carry PREFIX), and say so: never a silent rebuild.
FLAGS_STAMP := $(BUILD)/.flags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@if ! echo '$(ALL_CFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@; then \
		[ ! -f $@ ] || echo "make: $(BUILD) was built with other flags or another PREFIX (now PREFIX=$(PREFIX)):" \
			"rebuilding everything in it" >&2; \
		echo '$(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@; \
	fi

# The source commit, in a header of its own: a new commit rebuilds version.o only.
$(BUILD)/gen/commit.h: FORCE
	@mkdir -p $(@D)
	@c=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown); \
	 echo "#define KC_COMMIT \"$$c\"" | cmp -s - $@ || echo "#define KC_COMMIT \"$$c\"" > $@
$(OBJ)/lib/version.o: $(BUILD)/gen/commit.h
$(OBJ)/lib/version.o: ALL_CFLAGS += -I$(BUILD)/gen

$(OBJ)/lib/%.o: INC = $(LIB_INC)
$(OBJ)/check/%.o: INC = $(CHECK_INC)
$(OBJ)/setup/%.o: INC = $(SETUP_INC)
$(OBJ)/tui/%.o: INC = $(TUI_INC)
$(OBJ)/runtime/%.o: INC = $(RUNTIME_INC)
$(OBJ)/runtime/factory/%.o: INC = $(FACTORY_INC)
$(OBJ)/runtime/cli/%.o: INC = $(CLI_INC)
$(OBJ)/runtime/vm/%.o: INC = $(VM_INC)
$(OBJ)/runtime/shim/%.o: INC = $(SHIM_INC)
$(OBJ)/tools/%.o: INC = $(ALL_INC)

$(OBJ)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(INC) -MMD -MP -c -o $@ $<

$(LIBKC): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LIBCHECK): $(CHECK_OBJ)
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN)/kata-check: $(OBJ)/check/main.o $(LIBCHECK) $(LIBKC)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# kata-setup carries a copy of the shipped configuration, for hosts where
# it was not installed.
$(BUILD)/gen/default_config.h: $(BUILD)/data/configuration.toml
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q){ echo '/* generated from data/configuration.toml.in */'; \
	  echo 'static const char default_configuration_toml[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; echo ';'; } > $@.tmp && mv $@.tmp $@
$(OBJ)/setup/files.o: $(BUILD)/gen/default_config.h
$(OBJ)/setup/files.o: ALL_CFLAGS += -I$(BUILD)/gen

# The shipped configuration, with this build's paths and architecture.
ARCH := $(shell uname -m)
QEMU_BINARY := qemu-system-$(if $(filter aarch64,$(ARCH)),aarch64,$(if $(filter ppc64le,$(ARCH)),ppc64,$(if $(filter s390x,$(ARCH)),s390x,x86_64)))
MACHINE_TYPE := $(if $(filter aarch64,$(ARCH)),virt,$(if $(filter ppc64le,$(ARCH)),pseries,$(if $(filter s390x,$(ARCH)),s390-ccw-virtio,q35)))
# containerd's and CRI-O's runtime entries for kata-runtime
$(BUILD)/data/%: data/%.in Makefile $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)sed -e 's|@BINDIR@|$(BINDIR)|g' $< > $@.tmp && mv $@.tmp $@

$(BUILD)/data/configuration.toml: data/configuration.toml.in Makefile $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@GUESTDIR@|$(GUESTDIR)|g' \
		-e 's|@LIBEXECDIR@|$(PREFIX)/libexec/kata-containers|g' -e 's|@QEMUPATH@|/usr/bin/$(QEMU_BINARY)|g' \
		-e 's|@MACHINETYPE@|$(MACHINE_TYPE)|g' $< > $@.tmp && mv $@.tmp $@

# The guest agent: static (the initramfs holds nothing else), never
# sanitized (it runs as the guest's PID 1), its own objects and flags.
AGENT_SRC := $(wildcard runtime/agent/*.c) lib/byteq.c lib/fdpass.c lib/proto.c lib/strbuf.c lib/xalloc.c lib/oci.c lib/error.c lib/version.c lib/netlink.c
AGENT_OBJ := $(AGENT_SRC:%.c=$(BUILD)/agent-obj/%.o)
AGENT_CFLAGS = -std=gnu11 $(WARNINGS) $(if $(filter 1,$(WERROR)),-Werror) -D_GNU_SOURCE -O2 -g \
	-DKC_VERSION='"$(VERSION)"' $(AGENT_INC) -I$(BUILD)/gen $(shell $(PKG_CONFIG) --cflags jansson)
GUEST := $(BUILD)/guest
$(BUILD)/agent-obj/%.o: %.c $(BUILD)/gen/commit.h
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(AGENT_CFLAGS) -MMD -MP -c -o $@ $<
$(GUEST)/kata-agent: $(AGENT_OBJ)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) -static -o $@ $^ -lseccomp -ljansson

# The runtime's rooms: the lifecycle core both front ends use (runtime/),
# the VM factory and cache (runtime/factory/), kata-runtime's verbs
# (runtime/cli/), the VM driver (runtime/vm/: QEMU's command line, QMP,
# hot-plug) and the host helpers (runtime/shim/: kata-proxy, kata-shim,
# the stdio pump).
RUNTIME_SRC := $(wildcard runtime/*.c)
RUNTIME_OBJ := $(RUNTIME_SRC:%.c=$(OBJ)/%.o)
LIBRUNTIME := $(BUILD)/lib/libkc-runtime.a
$(LIBRUNTIME): $(RUNTIME_OBJ)
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
FACTORY_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard runtime/factory/*.c))
LIBFACTORY := $(BUILD)/lib/libkc-factory.a
$(LIBFACTORY): $(FACTORY_OBJ)
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
CLI_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(filter-out runtime/cli/main.c,$(wildcard runtime/cli/*.c)))
LIBCLI := $(BUILD)/lib/libkc-cli.a
$(LIBCLI): $(CLI_OBJ)
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
VM_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard runtime/vm/*.c))
LIBVM := $(BUILD)/lib/libkc-vm.a
$(LIBVM): $(VM_OBJ)
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
SHIM_SRC := $(filter-out runtime/shim/proxy_main.c runtime/shim/shim_main.c,$(wildcard runtime/shim/*.c))
SHIM_OBJ := $(SHIM_SRC:%.c=$(OBJ)/%.o)
LIBSHIM := $(BUILD)/lib/libkc-shim.a
$(LIBSHIM): $(SHIM_OBJ)
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# kata-proxy and kata-shim run for every sandbox and container: statically
# linked with only jansson, their resident memory is a fraction of a
# dynamically linked program's (shared libraries count in RSS). Sanitized
# builds cannot be static.
HELPER_LINK = $(if $(filter 1,$(SANITIZE)),,-static)
HELPER_LIBS = $(shell $(PKG_CONFIG) --libs jansson)
$(BIN)/kata-proxy: $(OBJ)/runtime/shim/proxy_main.o $(LIBSHIM) $(LIBKC)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $(HELPER_LINK) -o $@ $^ $(HELPER_LIBS)

$(BIN)/kata-shim: $(OBJ)/runtime/shim/shim_main.o $(LIBSHIM) $(LIBKC)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $(HELPER_LINK) -o $@ $^ $(HELPER_LIBS)

$(BIN)/kata-runtime: $(OBJ)/runtime/cli/main.o $(LIBCLI) $(LIBFACTORY) $(LIBRUNTIME) $(LIBVM) $(LIBCHECK) $(LIBKC)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BIN)/agentctl: $(OBJ)/tools/agentctl.o $(LIBSHIM) $(LIBKC)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# containerd-shim-kata-v2: containerd's task API, generated with protoc-c
# from the .proto files Debian ships with containerd's sources (and gogo's
# copies of Google's), plus ttrpc's envelope of our own. The shim v2 is a
# front end of the runtime, as kata-runtime's command line is: it sits
# above runtime/ and reuses kata-shim's stdio pump.
GOSRC := /usr/share/gocode/src
CTRD := github.com/containerd/containerd
PROTO_GEN := $(BUILD)/gen/proto
PROTOS := $(CTRD)/runtime/v2/task/shim.proto $(CTRD)/api/types/mount.proto \
	$(CTRD)/api/types/task/task.proto $(CTRD)/api/events/task.proto \
	$(CTRD)/pkg/runtimeoptions/v1/api.proto \
	$(CTRD)/protobuf/plugin/fieldpath.proto gogoproto/gogo.proto google/protobuf/any.proto \
	google/protobuf/empty.proto google/protobuf/timestamp.proto google/protobuf/descriptor.proto \
	github.com/containerd/cgroups/v2/stats/metrics.proto ttrpc.proto
PROTO_C := $(addprefix $(PROTO_GEN)/,$(PROTOS:.proto=.pb-c.c))
PROTO_OBJ := $(PROTO_C:$(BUILD)/gen/%.c=$(OBJ)/gen/%.o)
LIBPROTO := $(BUILD)/lib/libkc-proto.a
# runtimeoptions imports gogo.proto by its full path where the others say
# gogoproto/gogo.proto: protoc takes the two names for two files defining the
# same extensions, so a copy of it says the short name as well
RTOPTS := $(CTRD)/pkg/runtimeoptions/v1/api.proto
$(PROTO_GEN)/.stamp: runtime/shimv2/ttrpc.proto Makefile
	@mkdir -p $(@D) $(dir $(PROTO_GEN)/src/$(RTOPTS))
	$(call say,PROTOC,$(PROTO_GEN))
	$(Q)sed 's|"github.com/gogo/protobuf/gogoproto/gogo.proto"|"gogoproto/gogo.proto"|' \
		$(GOSRC)/$(RTOPTS) >$(PROTO_GEN)/src/$(RTOPTS)
	$(Q)protoc-c -I$(PROTO_GEN)/src -I$(GOSRC) -I$(GOSRC)/github.com/gogo/protobuf \
		-I$(GOSRC)/github.com/gogo/protobuf/protobuf \
		-Iruntime/shimv2 --c_out=$(PROTO_GEN) $(PROTOS) 2>&1 | { grep -v 'is unused' || true; }
	@touch $@
$(PROTO_C): $(PROTO_GEN)/.stamp
# generated code: compiled as protoc-c writes it, without our warnings
$(OBJ)/gen/%.o: $(BUILD)/gen/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(GEN_CFLAGS) -I$(PROTO_GEN) -c -o $@ $<
$(LIBPROTO): $(PROTO_OBJ)
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
SHIMV2_SRC := $(wildcard runtime/shimv2/*.c)
SHIMV2_OBJ := $(SHIMV2_SRC:%.c=$(OBJ)/%.o)
$(OBJ)/runtime/shimv2/%.o: INC = $(SHIMV2_INC) -I$(PROTO_GEN)
$(SHIMV2_OBJ): $(PROTO_GEN)/.stamp
$(BIN)/containerd-shim-kata-v2: $(SHIMV2_OBJ) $(LIBFACTORY) $(LIBRUNTIME) $(LIBVM) $(LIBSHIM) $(LIBCHECK) $(LIBKC) $(LIBPROTO)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(shell $(PKG_CONFIG) --libs libprotobuf-c)

$(OBJ)/tools/v2ctl.o: INC = $(ALL_INC) -I$(PROTO_GEN)
$(OBJ)/tools/v2ctl.o: $(PROTO_GEN)/.stamp
$(BIN)/v2ctl: $(OBJ)/tools/v2ctl.o $(LIBKC) $(LIBPROTO)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(shell $(PKG_CONFIG) --libs libprotobuf-c)

# The same configuration pointing into this build tree (the guest image in
# build/guest, kata-proxy and kata-shim in build/bin): for the tests and for
# trying kata-runtime without installing it (--kata-config or KATA_CONF_FILE).
# Its VM factory is off: every test and every try boots its own VM, and
# none shares the host's template directory or cache endpoint (the factory's
# own tests turn it on, with paths of their own).
$(DEV_CONFIG): data/configuration.toml.in Makefile $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)sed -e 's|^enable_template = true$$|#enable_template = false|' \
		-e 's|^vm_cache_number = "auto"$$|#vm_cache_number = 0|' \
		-e 's|@PREFIX@|$(PREFIX)|g' -e 's|@GUESTDIR@|$(abspath $(GUEST))|g' \
		-e 's|@LIBEXECDIR@|$(abspath $(BIN))|g' -e 's|@QEMUPATH@|/usr/bin/$(QEMU_BINARY)|g' \
		-e 's|@MACHINETYPE@|$(MACHINE_TYPE)|g' $< > $@.tmp && mv $@.tmp $@

$(BIN)/toml-decode: $(OBJ)/tools/toml_decode.o $(LIBKC)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(TUI_OBJ): ALL_CFLAGS += $(CURSES_CFLAGS)
$(BIN)/kata-dashboard: $(TUI_OBJ) $(SETUP_OBJ) $(LIBCHECK) $(LIBKC)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CURSES_LIBS)

$(BIN)/kata-setup: $(OBJ)/setup/main.o $(SETUP_OBJ) $(LIBCHECK) $(LIBKC)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BIN)/kata-env: $(OBJ)/check/env_prog.o $(LIBCHECK) $(LIBKC)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h $(LIBCLI) $(LIBFACTORY) $(LIBRUNTIME) $(LIBVM) $(LIBCHECK) $(LIBKC) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_INC) $(CMOCKA_CFLAGS) -Itests/unit -MMD -MP -o $@ $< $(LIBCLI) $(LIBFACTORY) $(LIBRUNTIME) $(LIBVM) \
		$(LIBCHECK) $(LIBKC) $(ALL_LDFLAGS) $(PKG_LIBS) $(CMOCKA_LIBS)

# The agent's pure pieces, tested on the host: its objects but main's, in an
# archive so that only what a test calls is linked.
LIBAGENT := $(BUILD)/lib/libkc-agent.a
$(LIBAGENT): $(filter-out $(BUILD)/agent-obj/runtime/agent/main.o,$(filter $(BUILD)/agent-obj/runtime/agent/%,$(AGENT_OBJ)))
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
$(BUILD)/tests/test_agent: tests/unit/test_agent.c tests/unit/test.h $(LIBAGENT) $(LIBCHECK) $(LIBKC) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(AGENT_INC) $(CHECK_INC) $(CMOCKA_CFLAGS) -Itests/unit -MMD -MP -o $@ $< \
		$(LIBAGENT) $(LIBCHECK) $(LIBKC) $(ALL_LDFLAGS) $(PKG_LIBS) -lseccomp $(CMOCKA_LIBS)

# The shim v2's task service, tested without a VM: its objects but main's.
SHIMV2_LIB_OBJ := $(filter-out $(OBJ)/runtime/shimv2/main.o,$(SHIMV2_OBJ))
$(BUILD)/tests/test_shimv2: tests/unit/test_shimv2.c tests/unit/test.h $(SHIMV2_LIB_OBJ) $(LIBFACTORY) $(LIBRUNTIME) \
		$(LIBVM) $(LIBSHIM) $(LIBCHECK) $(LIBKC) $(LIBPROTO) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(SHIMV2_INC) -I$(PROTO_GEN) $(CHECK_INC) $(CMOCKA_CFLAGS) -Itests/unit -MMD -MP -o $@ $< \
		$(SHIMV2_LIB_OBJ) $(LIBFACTORY) $(LIBRUNTIME) $(LIBVM) $(LIBSHIM) $(LIBCHECK) $(LIBKC) $(LIBPROTO) \
		$(ALL_LDFLAGS) $(PKG_LIBS) $(CMOCKA_LIBS) $(shell $(PKG_CONFIG) --libs libprotobuf-c)

-include $(shell find $(OBJ) $(BUILD)/tests $(BUILD)/agent-obj $(BUILD)/analyze -type f -name '*.d' 2>/dev/null)

# Fake hosts: copies of tests/fixtures/hosts with generated module files
# and libkmod indexes (see tests/fixtures/README.md).
fixtures: $(BUILD)/fixtures/.stamp $(BUILD)/fixtures/mmap-rw
# a program the shared filesystem tests run in containers (static, as
# their rootfs is a bare busybox; so never sanitized)
$(BUILD)/fixtures/mmap-rw: tests/guest/mmap_rw.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) -std=gnu11 $(WARNINGS) $(if $(filter 1,$(WERROR)),-Werror) -D_GNU_SOURCE -O2 -static -o $@ $<
$(BUILD)/fixtures/.stamp: $(shell find tests/fixtures/hosts ! -type l -print 2>/dev/null | sed 's/:/\\:/g') tests/fixtures/build-fixtures
	tests/fixtures/build-fixtures tests/fixtures/hosts $(BUILD)/fixtures/hosts
	@touch $@

deps:
	scripts/deps.sh build test image vm deb

# The product in one command: build, check the host, run a container in a VM.
hello:
	scripts/hello-vm.sh $(BUILD)

# The guest image: kernel + initramfs with the agent as /init (see
# runtime/agent/build-image). KERNEL=FILE [MODULES=DIR] use a kernel of your
# own; otherwise Debian's generic kernel package is downloaded (not installed).
IMAGE := $(GUEST)/kata-containers-initrd.img
# where Debian's kernel package is downloaded and unpacked (a package build
# shares build/'s)
GUEST_CACHE ?= $(BUILD)/guest-cache
image: $(IMAGE)
$(IMAGE): $(GUEST)/kata-agent runtime/agent/build-image
	@scripts/deps.sh image
	$(Q)runtime/agent/build-image --agent $(GUEST)/kata-agent --out $(GUEST) --cache $(GUEST_CACHE) \
		$(if $(KERNEL),--kernel $(KERNEL)) $(if $(MODULES),--modules $(MODULES))

# Coverage-guided fuzzing of the parsers (clang's libFuzzer), for a bounded
# time; any crash, leak or sanitizer report fails the target.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-D_GNU_SOURCE -Ilib
FUZZ_TOML_SRC := fuzz/fuzz_toml.c lib/toml.c lib/toml_lex.c lib/toml_parse.c lib/strbuf.c lib/xalloc.c lib/error.c

FUZZ_PROTO_SRC := fuzz/fuzz_proto.c lib/byteq.c lib/proto.c lib/strbuf.c lib/xalloc.c lib/error.c

FUZZ_HOSTTEXT_SRC := fuzz/fuzz_hosttext.c check/cpu.c check/firmware.c check/resources.c \
	check/recorded.c check/facts.c lib/strbuf.c lib/xalloc.c lib/strutil.c lib/error.c lib/hostroot.c \
	lib/beneath.c lib/fs.c

$(BUILD)/fuzz/fuzz_toml: $(FUZZ_TOML_SRC) $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(call say,FUZZ,$@)
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $(FUZZ_TOML_SRC)

$(BUILD)/fuzz/fuzz_proto: $(FUZZ_PROTO_SRC) $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(call say,FUZZ,$@)
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $(FUZZ_PROTO_SRC) $(shell $(PKG_CONFIG) --cflags --libs jansson)

$(BUILD)/fuzz/fuzz_hosttext: $(FUZZ_HOSTTEXT_SRC) $(wildcard lib/*.h check/*.h)
	@mkdir -p $(@D)
	$(call say,FUZZ,$@)
	$(Q)clang $(FUZZ_CFLAGS) -Icheck -o $@ $(FUZZ_HOSTTEXT_SRC) $(shell $(PKG_CONFIG) --cflags --libs jansson)

# FUZZ_SECONDS is shared between the targets: the TOML parser gets half,
# the frame decoder and the host text parsers a quarter each.
fuzz:
	scripts/deps.sh fuzz
	$(MAKE) $(BUILD)/fuzz/fuzz_toml $(BUILD)/fuzz/fuzz_proto $(BUILD)/fuzz/fuzz_hosttext
	@mkdir -p $(BUILD)/fuzz/corpus-toml $(BUILD)/fuzz/corpus-proto $(BUILD)/fuzz/corpus-hosttext
	$(BUILD)/fuzz/fuzz_toml -max_total_time=$$(( $(FUZZ_SECONDS) / 2 )) -max_len=4096 -timeout=10 \
		-print_final_stats=1 $(BUILD)/fuzz/corpus-toml tests/toml/valid tests/toml/invalid
	$(BUILD)/fuzz/fuzz_proto -max_total_time=$$(( $(FUZZ_SECONDS) / 4 )) \
		-max_len=8192 -timeout=10 -print_final_stats=1 $(BUILD)/fuzz/corpus-proto fuzz/seeds/proto
	$(BUILD)/fuzz/fuzz_hosttext -max_total_time=$$(( $(FUZZ_SECONDS) / 4 )) \
		-max_len=4096 -timeout=10 -print_final_stats=1 $(BUILD)/fuzz/corpus-hosttext

unit: $(UNIT_BIN) $(BUILD)/tests/libfakekernel.so

# The fake kernel kata-setup's tests load with LD_PRELOAD (never sanitized:
# it is loaded into sanitized programs).
$(BUILD)/tests/libfakekernel.so: tests/fakekernel/fakekernel.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) -std=gnu11 -O1 -g -Wall -shared -fPIC -o $@ $< -ldl

test: deps
	$(MAKE) all unit fixtures image
	tests/run $(BUILD)

bats: all fixtures image
	tests/run $(BUILD) bats

$(BUILD)/bench/bench_check: bench/bench_check.c $(LIBCHECK) $(LIBKC) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_INC) -o $@ $< $(LIBCHECK) $(LIBKC) $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/bench/bench_config: bench/bench_config.c $(LIBKC) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_INC) -o $@ $< $(LIBKC) $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/bench/bench_proxy: bench/bench_proxy.c $(LIBKC) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LIB_INC) -o $@ $< $(LIBKC) $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/bench/bench_drain: bench/bench_drain.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

$(BUILD)/bench/bench_dashboard: bench/bench_dashboard.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_INC) -o $@ $< $(ALL_LDFLAGS) -lutil

# Figures for the performance targets (not assertions): kata-check on this
# host and on a fixture, medians of many runs, and peak memory; loading the
# shipped configuration.
bench: all fixtures $(BUILD)/bench/bench_check $(BUILD)/bench/bench_config $(BUILD)/bench/bench_dashboard \
		$(BUILD)/bench/bench_proxy $(BUILD)/bench/bench_drain
	$(BUILD)/bench/bench_check $(BIN)/kata-check 300 / $(BUILD)/fixtures/hosts/intel-ready
	$(BUILD)/bench/bench_config $(BUILD)/data/configuration.toml 2000
	$(BUILD)/bench/bench_dashboard $(BIN)/kata-dashboard /
	$(BUILD)/bench/bench_proxy $(BIN)/kata-proxy 100000 200000
	@$(MAKE) --no-print-directory image
	bench/bench_guest.sh $(BUILD) 5
	bench/bench_runtime.sh $(BUILD) 5
	bench/bench_factory.sh $(BUILD) 5 10
	bench/bench_footprint.sh $(BUILD) 3
	bench/bench_density.sh $(BUILD) 150 10
	bench/bench_shimv2.sh $(BUILD) 5
	bench/bench_cri.sh $(BUILD) 3
	bench/bench_share.sh $(BUILD) 3
	bench/bench_stdio.sh $(BUILD) 3

# Installs what is built; it never installs packages or downloads: the
# guest image comes from `make image` (which does), run first.
install: all
	@[ -f $(IMAGE) ] || { echo "make install: the guest image $(IMAGE) is not built; run \`make image\` first" \
		"(it installs the packages it needs and downloads Debian's kernel)" >&2; exit 1; }
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(PREFIX)/share/defaults/kata-containers $(DESTDIR)$(PREFIX)/share/kata-containers \
		$(DESTDIR)$(GUESTDIR)
	install -m 0644 $(IMAGE) $(wildcard $(GUEST)/vmlinux.container $(GUEST)/vmlinuz.container) \
		$(DESTDIR)$(GUESTDIR)/
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(PREFIX)/libexec/kata-containers
	install -m 0755 $(HELPERS) $(DESTDIR)$(PREFIX)/libexec/kata-containers/
	install -m 0644 $(filter %.1,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(filter %.5,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(filter %.8,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(BUILD)/data/configuration.toml $(DESTDIR)$(PREFIX)/share/defaults/kata-containers/
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 0644 $(BUILD)/data/kata-vmcache.service $(DESTDIR)$(SYSTEMDUNITDIR)/
	install -m 0644 $(BUILD)/data/containerd-kata.toml $(BUILD)/data/crio-kata.conf data/kata-runtimeclass.yaml data/kata-check.schema.json \
		$(DESTDIR)$(PREFIX)/share/kata-containers/
	install -m 0755 $(BIN)/toml-decode $(DESTDIR)$(PREFIX)/libexec/kata-containers/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 data/completion/kata-runtime $(DESTDIR)$(PREFIX)/share/bash-completion/completions/
	install -d $(DESTDIR)$(PREFIX)/share/kata-containers/kata-deploy
	install -m 0755 data/kata-deploy/kata-deploy $(DESTDIR)$(PREFIX)/share/kata-containers/kata-deploy/
	install -m 0644 data/kata-deploy/kata-deploy.yaml data/kata-deploy/Containerfile \
		$(DESTDIR)$(PREFIX)/share/kata-containers/kata-deploy/

# The Debian package (debian/, dpkg-buildpackage; built in build-deb/ for
# PREFIX=/usr), checked by lintian, into build/deb/.
deb:
	@scripts/deps.sh build image deb
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -b -us -uc
	@mkdir -p $(BUILD)/deb
	mv ../kata-containers-c_$(VERSION)_*.deb ../kata-containers-c-dbgsym_$(VERSION)_*.deb \
		../kata-containers-c_$(VERSION)_*.buildinfo ../kata-containers-c_$(VERSION)_*.changes $(BUILD)/deb/
	lintian --fail-on error,warning $(BUILD)/deb/kata-containers-c_$(VERSION)_*.changes

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGRAMS)))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/libexec/kata-containers/,$(notdir $(HELPERS)) toml-decode)
	rm -rf $(DESTDIR)$(PREFIX)/share/kata-containers/kata-deploy
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kata-runtime
	rm -f $(addprefix $(DESTDIR)$(GUESTDIR)/,kata-containers-initrd.img vmlinux.container vmlinuz.container)
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/kata-containers/,containerd-kata.toml crio-kata.conf kata-runtimeclass.yaml kata-check.schema.json)
	rm -f $(DESTDIR)$(PREFIX)/share/defaults/kata-containers/configuration.toml
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/kata-vmcache.service
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(filter %.1,$(MANPAGES))))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(filter %.5,$(MANPAGES))))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(filter %.8,$(MANPAGES))))

# Every C file of ours, formatted as .clang-format says (Debian 12's
# clang-format, 14), and checked by cppcheck with no finding.
C_SOURCES = $(shell find lib check setup tui runtime tools tests/unit tests/fakekernel tests/guest bench fuzz -name '*.[ch]')
CPPCHECK_FLAGS := --quiet --enable=warning,style,performance,portability --std=c11 -D_GNU_SOURCE --inline-suppr \
	--error-exitcode=1 --suppress=missingIncludeSystem --include=/usr/include/jansson.h \
	-Ilib -Icheck -Isetup -Itui -Iruntime -Iruntime/vm -Iruntime/shim -Iruntime/agent -Iruntime/factory \
	-Iruntime/cli -Iruntime/shimv2

check-format:
	@scripts/deps.sh lint
	@echo "  FORMAT $(words $(C_SOURCES)) files"
	$(Q)clang-format --dry-run --Werror $(C_SOURCES)

format:
	clang-format -i $(C_SOURCES)

# Words of ours codespell would "correct": AMD's SIE, a file's fo, an
# answer's ans, TE (as in TE header), troff's .bu
SPELL_IGNORE := sie,fo,ans,te,bu
SPELL_PATHS := lib check setup tui runtime tools tests/unit tests/bats bench fuzz scripts man docs data \
	README.md Makefile debian

# The static analysis CI runs: zero findings.
lint:
	@scripts/deps.sh lint
	@echo "  CPPCHECK lib check setup tui runtime tools (warning, style, performance, portability)"
	$(Q)cppcheck $(CPPCHECK_FLAGS) lib check setup tui runtime tools
	@echo "  CODESPELL $(SPELL_PATHS)"
	$(Q)codespell --ignore-words-list $(SPELL_IGNORE) $(SPELL_PATHS)
	@echo "  LENGTH  no function over 100 lines"
	$(Q)scripts/check-function-length 100

# GCC's static analyzer over every C file of ours, each with its room's
# include paths, at zero findings (-Werror). The shim v2's files need the
# generated protobuf headers, so this builds them first.
ANALYZE_SRC := $(shell find lib check setup tui runtime tools -name '*.c')
ANALYZE_OK := $(ANALYZE_SRC:%.c=$(BUILD)/analyze/%.ok)
$(BUILD)/analyze/lib/%.ok: INC = $(LIB_INC)
$(BUILD)/analyze/check/%.ok: INC = $(CHECK_INC)
$(BUILD)/analyze/setup/%.ok: INC = $(SETUP_INC) -I$(BUILD)/gen
$(BUILD)/analyze/tui/%.ok: INC = $(TUI_INC) $(CURSES_CFLAGS)
$(BUILD)/analyze/runtime/%.ok: INC = $(RUNTIME_INC)
$(BUILD)/analyze/runtime/factory/%.ok: INC = $(FACTORY_INC)
$(BUILD)/analyze/runtime/cli/%.ok: INC = $(CLI_INC)
$(BUILD)/analyze/runtime/shimv2/%.ok: INC = $(SHIMV2_INC) -I$(PROTO_GEN)
$(BUILD)/analyze/runtime/vm/%.ok: INC = $(VM_INC)
$(BUILD)/analyze/runtime/shim/%.ok: INC = $(SHIM_INC)
$(BUILD)/analyze/runtime/agent/%.ok: INC = $(AGENT_INC)
$(BUILD)/analyze/tools/%.ok: INC = $(ALL_INC) -I$(PROTO_GEN)
$(BUILD)/analyze/%.ok: %.c $(PROTO_GEN)/.stamp $(BUILD)/gen/commit.h $(BUILD)/gen/default_config.h
	@mkdir -p $(@D)
	$(call say,ANALYZE,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -I$(BUILD)/gen $(INC) -fanalyzer -Werror -MMD -MP -MF $(@:.ok=.d) -MT $@ \
		-c -o /dev/null $<
	@touch $@
analyze:
	@scripts/deps.sh build
	$(Q)$(MAKE) --no-print-directory $(ANALYZE_OK)

clean:
	rm -rf $(BUILD)
