/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one description of every hook: its protocols and, per backend, the BPF programs that
 * implement it. The prober (user/load/backends.c) probes exactly these programs' targets and the
 * loader (user/load/tracer.c) loads exactly these programs, so the two cannot disagree.
 * Adding a hook: its BPF program(s), an enum value and one entry in hook_table, a test.
 */
#ifndef SS_HOOKS_H
#define SS_HOOKS_H

#include <stdbool.h>
#include "sock_proto.h" /* PROTO_*: which protocols' hooks are loaded */

enum backend { BACKEND_AUTO, BACKEND_FENTRY, BACKEND_KPROBE, BACKEND_TRACEPOINT, BACKEND_COUNT };
enum hook {
	HOOK_STATE, HOOK_CONNECT, HOOK_ACCEPT, HOOK_LISTEN,	 /* tcp */
	HOOK_UDP_SEND, HOOK_UDP_RECV,				 /* udp */
	HOOK_SOCK_CLOSE,					 /* udp and unix flows */
	HOOK_UNIX_LISTEN, HOOK_UNIX_CONNECT, HOOK_UNIX_ACCEPT, HOOK_UNIX_SEND, /* unix */
	HOOK_COUNT
};

#define HOOK_MAX_PROGS 4
#define HOOK_MAX_VARIANTS 2

enum hook_prog_flags {
	/* loaded, but libbpf must not attach it: tracer_attach() runs it by hand (cgroup
	 * programs need no flag: the loader knows them by their type) */
	HP_MANUAL = 1u << 0,
	/* its skipped runs (recursion misses) are made up by another program: not counted */
	HP_TWIN = 1u << 1,
};

struct hook_prog {
	const char *name; /* the BPF function's name in bpf/ (bpf_object__find_program_by_name) */
	unsigned flags;	  /* HP_* */
};

/* One way to implement a hook with one backend. */
struct hook_impl {
	/* NULL: always; else the variant is used only where this says the kernel has what it
	 * needs (a later variant is the fallback) */
	bool (*usable)(void);
	/* A probe target in section syntax ("tp_btf/inet_sock_set_state") for a variant whose
	 * events another hook's programs report: it has no program of its own to probe. */
	const char *needs;
	struct hook_prog progs[HOOK_MAX_PROGS]; /* up to the first name == NULL */
};

struct hook_desc {
	const char *name;
	unsigned protos; /* PROTO_* the hook serves */
	struct hook_impl impl[BACKEND_COUNT][HOOK_MAX_VARIANTS]; /* variants best first */
};

extern const struct hook_desc hook_table[HOOK_COUNT];

/* The variant of hook h that backend b uses on this kernel (BACKEND_AUTO: none, NULL). */
const struct hook_impl *hook_impl(enum hook h, enum backend b);

/* HP_* of the program called name, over every hook and backend (0 if it is in none). */
unsigned hook_prog_flags(const char *name);

#endif
