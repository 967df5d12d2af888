/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Asking the kernel, once at start, what it offers, and choosing per hook the best backend:
 * fentry/fexit, then kprobe/kretprobe, then tracepoints. --backend only overrides the choice.
 */
#ifndef SS_BACKENDS_H
#define SS_BACKENDS_H

#include <stdbool.h>

enum backend { BACKEND_AUTO, BACKEND_FENTRY, BACKEND_KPROBE, BACKEND_TRACEPOINT, BACKEND_COUNT };
enum hook { HOOK_STATE, HOOK_CONNECT, HOOK_ACCEPT, HOOK_LISTEN, HOOK_COUNT };

#define WHY_LEN 512

struct hook_choice {
	enum backend backend;
	char why[WHY_LEN]; /* why the better backends were refused ("" if none were) */
};

const char *backend_name(enum backend b);
int backend_parse(const char *s, enum backend *out); /* 0 or -EINVAL */
const char *hook_name(enum hook h);

/* 0, or -ENOENT when the kernel has no BTF (CO-RE needs /sys/kernel/btf/vmlinux). */
int features_check_btf(void);

/*
 * Make tracefs available for tracepoint attachment (libbpf reads event ids there): when it is
 * not mounted, mount it in a private mount namespace (so it needs no unmounting). 0 or -errno.
 */
int tracefs_ensure(void);

/*
 * Fill choice[] for every hook. With forced != BACKEND_AUTO each hook must get exactly that
 * backend. Returns -EOPNOTSUPP when a hook gets none: *failed names it, choice[*failed].why says why.
 */
int backends_choose(enum backend forced, struct hook_choice choice[HOOK_COUNT], enum hook *failed);

#endif
