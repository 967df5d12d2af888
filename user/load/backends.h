/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Asking the kernel, once at start, what it offers, and choosing per hook the best backend:
 * fentry/fexit, then kprobe/kretprobe, then tracepoints (tracepoints first on a preemptible
 * kernel: backends_preempt_model()). --backend only overrides the choice.
 */
#ifndef SS_BACKENDS_H
#define SS_BACKENDS_H

#include <stdbool.h>
#include <stddef.h>

#include "hooks.h"
#include "kernel_mounts.h" /* callers of the probes also mount */
#include "preempt_model.h"

#define WHY_LEN 512

struct hook_choice {
	enum backend backend;
	bool off; /* not loaded: its protocols are not wanted, or (not asked for) unavailable */
	char why[WHY_LEN]; /* why the better backends were refused ("" if none were) */
};

const char *backend_name(enum backend b);
int backend_parse(const char *s, enum backend *out); /* 0 or -EINVAL */
const char *hook_name(enum hook h);
unsigned hook_protos(enum hook h); /* PROTO_* the hook serves (hook_table) */

/*
 * The unix connect hook of the tracepoint backend without syscall tracepoints (6.7+):
 * cgroup/connect_unix on the cgroup v2 root + the sk_data_ready tracepoint. Returns the
 * attach type's number (libbpf 1.1 and Debian 12's headers predate it), or -ENOENT.
 */
int unix_connect_cgroup_attach_type(void);

/* The kernel BTF (parsed once and shared by every probe: a parse costs tens of ms) has this
 * function. */
bool kernel_has_btf_func(const char *name);

/* Free the probes' parsed BTF before libbpf parses its own for the load (a later probe parses
 * it again). */
struct sockscope_bpf;
void backends_release_btf(void);
/*
 * The BPF object, opened and not yet configured, for the caller to configure, load and
 * destroy: the one the probes opened if they did (parsing it takes ~7 ms here: once, not
 * twice), else a new one. NULL with errno set if it cannot be opened.
 */
struct sockscope_bpf *backends_take_object(void);

/* Hash maps made with BPF_F_NO_PREALLOC may be used by tracing programs without a warning:
 * the kernel has the BPF memory allocator (6.1+), which allocates in any context. */
bool kernel_allocates_map_elements_anywhere(void);

/* 0, or -ENOENT when the kernel has no BTF (CO-RE needs /sys/kernel/btf/vmlinux). */
int features_check_btf(void);

/* Could this backend's programs for hook h load here at all (attach not tried)? 0 or -ENOENT. */
int backend_loadable(enum backend b, enum hook h, char *why, size_t why_len);

/* The running kernel's preemption model (detected once): on a preemptible one, auto tries
 * tracepoint, kprobe, then fentry; else fentry, kprobe, then tracepoint. */
const struct preempt_source *backends_preempt_model(void);

/*
 * Fill choice[] for every hook of the protocols in protos. With forced != BACKEND_AUTO each
 * hook must get exactly that backend. A udp/unix hook that gets none is switched off (off,
 * why says why) unless protos_explicit (the user named the protocol). Returns -EOPNOTSUPP when
 * a required hook gets none: *failed names it, choice[*failed].why says why.
 */
int backends_choose(enum backend forced, unsigned protos, bool protos_explicit,
		    struct hook_choice choice[HOOK_COUNT], enum hook *failed);

#endif
