# sockscope — build, run and test. See README.md.
#   make            build build/sockscope and its man page build/sockscope.1 (out of tree,
#                   under build/; the man page needs scdoc)
#   make run        install deps, build, trace live connections
#   make test       install deps, build, run the whole test suite
#   make bench      TCP connect loop benchmark (bench/run.sh);  make bench-proto  UDP/unix (bench/proto.sh);
#                   make bench-export  the exporter (bench/export.sh)
#   make deps       install the Debian 12 packages build and tests need (idempotent)
#   make vmtest     the kernel matrix in QEMU: KERNEL="5.10 6.1 6.12 sid" BACKEND="fentry
#                   kprobe tracepoint auto" by default, e.g. make vmtest KERNEL=6.1 BACKEND=kprobe
#                   or KERNEL="6.1:fentry,kprobe 5.10:auto";  TESTS=NAME only the matching tests
#   make install    the binary, its man page, the systemd unit, the Prometheus rules and the docs under
#                   $(DESTDIR)$(PREFIX) (PREFIX=/usr/local); docs/deploy.md
#   make V=1        show full command lines;  make STATIC=1  link statically (for VMs)

BUILD       ?= build
# user/: one folder per subsystem (docs/hacking.md); headers are included by name
USER_DIRS   := $(sort $(patsubst %/,%,$(dir $(wildcard user/*/*.[ch]))))
CC          ?= gcc
CLANG       ?= clang
LLVM_STRIP  ?= llvm-strip
BPFTOOL     ?= bpftool
SCDOC       ?= scdoc
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ARCH        := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wshadow -Wno-missing-field-initializers
CPPFLAGS += -D_GNU_SOURCE -Iinclude $(addprefix -I,$(USER_DIRS)) -I$(BUILD) -MMD -MP
LDLIBS   := -lbpf -lelf -lz
ifeq ($(STATIC),1)
LDFLAGS  += -static
LDLIBS   += -lzstd
# export --listen's HTTP library pulls in GnuTLS, which Debian ships no static build of
CPPFLAGS += -DSS_NO_HTTP
else
LDLIBS   += -lmicrohttpd
endif
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Iinclude -Ibpf -I$(BUILD) -MMD -MP

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
USER_SRCS := $(wildcard user/*/*.c)
USER_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
LIB_OBJS  := $(filter-out $(BUILD)/user/cli/main.o,$(USER_OBJS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%.o,$(UNIT_SRCS))
# the traffic drivers: tests/drivers/NAME.c -> build/tests/NAME (the tests run them from there)
TEST_BINS := $(patsubst tests/drivers/%.c,$(BUILD)/tests/%,$(wildcard tests/drivers/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

.PHONY: all deps run test unit bench bench-proto bench-export vmtest vmtest-ci install clean
.DELETE_ON_ERROR:

all: $(BUILD)/sockscope $(BUILD)/sockscope.1 $(TEST_BINS) $(BENCH_BINS)

deps:
	$(Q)tools/install-deps.sh

run: deps all
	$(BUILD)/sockscope trace

test: deps all $(BUILD)/tests/unit_tests
	tests/run.sh

unit: $(BUILD)/tests/unit_tests
	$(BUILD)/tests/unit_tests

bench: deps all
	bench/run.sh

# UDP send loop and unix connect loop, with and without the tracer
bench-proto: deps all
	bench/proto.sh

bench-export: deps all
	bench/export.sh

KERNEL  ?= 5.10 6.1 6.12 sid
BACKEND ?= fentry kprobe tracepoint auto
vmtest:
	KERNELS="$(KERNEL)" BACKENDS="$(BACKEND)" TESTS="$(TESTS)" tools/vmtest.sh

# The part of the matrix CI runs, one backend per guest so the two CPUs finish together
# within CI's time: fentry on 6.1, auto (fentry) on the oldest, the tracepoint backend on a
# second kernel with its 6.7+ routes. kprobe runs in `make vmtest` (6.1 kprobe: ~30 min more).
# VMTEST_CI_EXCLUDE: e2e tests CI's guests leave out (they run on the host in `make test` and
# in every guest of `make vmtest`): exit_paths and exit_errors check user-space exit handling,
# the same on every kernel, and take 2-3 minutes each under emulation.
VMTEST_CI_EXCLUDE ?= exit_paths exit_errors
vmtest-ci:
	KERNELS="6.1:fentry 5.10:auto 6.12:tracepoint" TESTS="$(TESTS)" \
		EXCLUDE="$(filter $(notdir $(basename $(wildcard tests/e2e/*.sh))),$(VMTEST_CI_EXCLUDE))" tools/vmtest.sh

$(BUILD)/vmlinux.h:
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# One CO-RE object and one skeleton from every bpf/*.bpf.c (bpftool's static linker).
$(BUILD)/sockscope.bpf.o: $(BPF_OBJS)
	$(call msg,LINK-BPF,$@)
	$(Q)$(BPFTOOL) gen object $@ $^
	$(Q)$(LLVM_STRIP) -g $@

$(BUILD)/sockscope.skel.h: $(BUILD)/sockscope.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name sockscope_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/user/%.o: user/%.c | $(BUILD)/sockscope.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/sockscope: $(USER_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/sockscope.1: docs/sockscope.1.scd
	$(call msg,SCDOC,$@)
	$(Q)command -v $(SCDOC) >/dev/null || \
		{ echo "make: $@ needs scdoc (the Debian package scdoc; make deps installs it)" >&2; exit 1; }
	$(Q)mkdir -p $(@D)
	$(Q)$(SCDOC) <$< >$@

$(BUILD)/tests/unit/%.o: tests/unit/%.c | $(BUILD)/sockscope.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/unit_tests: $(UNIT_OBJS) $(LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -lcmocka $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/drivers/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@

# the floor of the export benchmark: empty programs on the tracepoint backend's hooks
$(BUILD)/bench/empty_hooks.bpf.o: bench/bpf/empty_hooks.bpf.c $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/empty_hooks: bench/empty_hooks.c $(BUILD)/bench/empty_hooks.bpf.o
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(filter-out -lmicrohttpd,$(LDLIBS)) -o $@

# the loss driver loads a tc program through libbpf
$(BUILD)/tests/lossdrive: tests/drivers/lossdrive.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(filter-out -lmicrohttpd,$(LDLIBS)) -o $@

# the table assembler's benchmark links the user side it measures
$(BUILD)/bench/table_rate: bench/table_rate.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(filter %.c %.o,$^) $(LDLIBS) -o $@

$(BUILD)/bench/%: bench/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@

PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system
DATADIR ?= $(PREFIX)/share/sockscope
DOCDIR  ?= $(PREFIX)/share/doc/sockscope
MANDIR  ?= $(PREFIX)/share/man
install: $(BUILD)/sockscope $(BUILD)/sockscope.1
	install -D -m 0755 $(BUILD)/sockscope $(DESTDIR)$(SBINDIR)/sockscope
	install -D -m 0644 $(BUILD)/sockscope.1 $(DESTDIR)$(MANDIR)/man1/sockscope.1
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DATADIR)/prometheus $(DESTDIR)$(DOCDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
		tools/systemd/sockscope-export.service >$(DESTDIR)$(UNITDIR)/sockscope-export.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sockscope-export.service
	install -m 0644 tools/prometheus/sockscope.rules.yml $(DESTDIR)$(DATADIR)/prometheus/
	install -m 0644 tools/k8s/sockscope-daemonset.yaml $(DESTDIR)$(DATADIR)/
	install -m 0644 README.md docs/deploy.md docs/metrics.md docs/output.md $(DESTDIR)$(DOCDIR)/

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
