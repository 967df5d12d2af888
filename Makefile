# sockscope — build, run and test. See README.md.
#   make            build build/sockscope and its man page build/sockscope.1 (out of tree,
#                   under build/; the man page needs scdoc)
#   make run        install deps, build, trace live connections
#   make test       install deps, build, run the whole test suite
#   make bench      TCP connect loop benchmark (bench/run.sh);  make bench-proto  UDP/unix (bench/proto.sh);
#                   make bench-unix  the unix loop, floor + ours (bench/unix_cost.sh);
#                   make bench-udp  the UDP send loop, floor + ours (bench/udp_cost.sh);
#                   make bench-udp-blocks / bench-unix-blocks  what each block of the UDP send /
#                   unix connection programs costs (bench/blocks.sh);
#                   make bench-primitives  what clock, maps, rings cost on the state hook;
#                   make bench-export  the exporter (bench/export.sh);  make soak  10 minutes of
#                   mixed churn under assoc --watch and export (bench/soak.sh)
#   make deps       install the Debian 12 packages build and tests need (idempotent)
#   make vmtest     the kernel matrix in QEMU: KERNEL="5.10 6.1 6.12 sid" BACKEND="fentry
#                   kprobe tracepoint auto" by default, e.g. make vmtest KERNEL=6.1 BACKEND=kprobe
#                   or KERNEL="6.1:fentry,kprobe 5.10:auto";  TESTS=NAME only the matching tests
#   make install    the binary, its man page, the systemd unit, the Prometheus rules and the docs under
#                   $(DESTDIR)$(PREFIX) (PREFIX=/usr/local); docs/deploy.md
#   make V=1        show full command lines;  make STATIC=1  link statically (for VMs)
#   make test SANITIZE=1   the same suite against an ASan+UBSan build in build/san
#   make fuzz       build the libFuzzer targets (tests/fuzz/) and run each FUZZ_SECONDS (60)
#   (docs/hacking.md, "Fuzzing and sanitizers")

ifeq ($(SANITIZE),1)
# its own tree: a sanitized build never mixes its objects with the plain one's
BUILD       ?= build/san
CFLAGS      ?= -O1 -g
CFLAGS      += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS     += -fsanitize=address,undefined
endif
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
# opened by export --listen (user/export/http.c), not linked: its name, as the linker would record it
MHD_SONAME := $(shell objdump -p "$$($(CC) -print-file-name=libmicrohttpd.so)" 2>/dev/null | awk '/SONAME/ { print $$2 }')
CPPFLAGS += $(if $(MHD_SONAME),-DSS_MHD_SONAME='"$(MHD_SONAME)"')
LDLIBS   += -ldl
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
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(filter-out bench/heapstat.c,$(wildcard bench/*.c))) \
	      $(BUILD)/bench/heapstat.so

.PHONY: all deps run test unit fuzz fuzz-build bench bench-proto bench-unix bench-udp bench-udp-blocks bench-unix-blocks bench-primitives bench-export soak vmtest vmtest-ci install clean
.DELETE_ON_ERROR:

all: $(BUILD)/sockscope $(BUILD)/sockscope.1 $(TEST_BINS) $(BENCH_BINS)

deps:
	$(Q)tools/install-deps.sh

run: deps all
	$(BUILD)/sockscope trace

ifeq ($(SANITIZE),1)
test: deps all $(BUILD)/tests/unit_tests
	tools/sanitize-run.sh $(BUILD)
else
test: deps all $(BUILD)/tests/unit_tests
	SS_BUILD=$(BUILD) tests/run.sh
endif

unit: $(BUILD)/tests/unit_tests
	$(BUILD)/tests/unit_tests

bench: deps all
	bench/run.sh

# UDP send loop and unix connect loop, with and without the tracer
bench-proto: deps all
	bench/proto.sh

bench-export: deps all
	bench/export.sh

# the unix connect loop, floor + ours per program (issue 18)
bench-unix: deps all
	bench/unix_cost.sh

# the UDP send loop, floor + ours per program (issue 18)
bench-udp: deps all
	bench/udp_cost.sh

# what each block of the UDP send and the unix connection programs costs, by ablation (issue 18)
bench-udp-blocks: deps all
	bench/blocks.sh udp
bench-unix-blocks: deps all
	bench/blocks.sh unix

# what each building block of a program costs on the TCP state hook (issue 18)
bench-primitives: deps all $(BUILD)/bench/primitives
	bench/primitives.sh

# not CI: memory, lost events and the live table after SOAK_SECONDS (600) of churn
soak: deps all
	bench/soak.sh

# libFuzzer targets (tests/fuzz/NAME.c): the user side built again with clang's coverage and
# ASan+UBSan in $(BUILD)/fuzz, each target linked with tests/fuzz/fuzz_support.c; `make fuzz`
# runs each for FUZZ_SECONDS from its seed corpus (tests/fuzz/run.sh)
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_NAMES   := $(filter-out fuzz_support,$(notdir $(basename $(wildcard tests/fuzz/*.c))))
FUZZ_BINS    := $(addprefix $(FUZZ_BUILD)/,$(FUZZ_NAMES))
FUZZ_OBJS    := $(patsubst $(BUILD)/%,$(FUZZ_BUILD)/%,$(LIB_OBJS)) $(FUZZ_BUILD)/fuzz_support.o

fuzz: deps $(FUZZ_BINS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_NAMES)

fuzz-build: $(FUZZ_BINS)

# only pattern rules name them: without this, make deletes them as intermediates
.SECONDARY: $(FUZZ_OBJS)

$(FUZZ_BUILD)/user/%.o: user/%.c | $(BUILD)/sockscope.skel.h $(BUILD)/snap.skel.h
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) -O1 -g -std=gnu11 -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c $< -o $@

$(FUZZ_BUILD)/fuzz_support.o: tests/fuzz/fuzz_support.c | $(BUILD)/sockscope.skel.h $(BUILD)/snap.skel.h
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) -Itests/fuzz -O1 -g -std=gnu11 -Wall -Wextra $(FUZZ_SAN) -c $< -o $@

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_OBJS)
	$(call msg,LD-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) -Itests/fuzz -O1 -g -std=gnu11 -Wall -Wextra -fsanitize=fuzzer \
		$(FUZZ_SAN) $< $(FUZZ_OBJS) $(LDLIBS) -o $@

KERNEL  ?= 5.10 6.1 6.12 sid
BACKEND ?= fentry kprobe tracepoint auto
vmtest:
	KERNELS="$(KERNEL)" BACKENDS="$(BACKEND)" TESTS="$(TESTS)" tools/vmtest.sh

# The part of the matrix CI runs, one backend per guest, two guests at a time (two CPUs):
# fentry on 6.1, auto (fentry) on the oldest, the tracepoint backend on a second kernel with
# its 6.7+ routes, and fentry on the newest (sid, 7.x: PREEMPT_LAZY, so BPF programs can be
# preempted). Four guests take as long as three (two rounds of two). kprobe runs in
# `make vmtest` (6.1 kprobe: ~30 min more).
# VMTEST_CI_EXCLUDE: e2e tests CI's guests leave out (they run on the host in `make test` and
# in every guest of `make vmtest`): exit_paths and exit_errors check user-space exit handling,
# the same on every kernel, and take 2-3 minutes each under emulation.
VMTEST_CI_EXCLUDE ?= exit_paths exit_errors
vmtest-ci:
	KERNELS="6.1:fentry 5.10:auto 6.12:tracepoint sid:fentry" TESTS="$(TESTS)" \
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

# The snapshot iterators alone, for the one-shot commands: an object a tenth the size opens
# and relocates in a fraction of the time (docs/design.md, "One object, one skeleton").
$(BUILD)/snap.bpf.o: $(BUILD)/bpf/snap.bpf.o
	$(call msg,LINK-BPF,$@)
	$(Q)$(BPFTOOL) gen object $@ $^
	$(Q)$(LLVM_STRIP) -g $@

$(BUILD)/snap.skel.h: $(BUILD)/snap.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name snap_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/user/%.o: user/%.c | $(BUILD)/sockscope.skel.h $(BUILD)/snap.skel.h
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

$(BUILD)/tests/unit/%.o: tests/unit/%.c | $(BUILD)/sockscope.skel.h $(BUILD)/snap.skel.h
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

# the floors of the benchmarks: empty programs on the tracepoint backend's hooks
# (empty_hooks: TCP and unix; empty_udp_hooks: UDP), loaded by build/bench/empty_hooks
$(BUILD)/bench/%.bpf.o: bench/bpf/%.bpf.c $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/empty_hooks: bench/empty_hooks.c $(BUILD)/bench/empty_hooks.bpf.o \
			    $(BUILD)/bench/empty_udp_hooks.bpf.o
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(filter-out -lmicrohttpd,$(LDLIBS)) -o $@

# the lock-free slot block uses compare-and-swap (BPF v3 atomics, 5.12+)
$(BUILD)/bench/primitives.bpf.o: BPF_CFLAGS += -mcpu=v3

$(BUILD)/bench/primitives: bench/primitives.c $(BUILD)/bench/primitives.bpf.o
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

# preloaded by the soak into sockscope: the heap's bytes in use, from a thread (bench/soak.sh)
$(BUILD)/bench/heapstat.so: bench/heapstat.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -shared $(LDFLAGS) $< -pthread -o $@

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
