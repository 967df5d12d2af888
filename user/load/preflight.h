/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Checks before loading anything, each turning a kernel refusal into one clear sentence. */
#ifndef SS_PREFLIGHT_H
#define SS_PREFLIGHT_H

#include <stdbool.h>
#include "backends.h"
#include "privileges.h"

/* 0 when allowed to load and attach BPF; else an exit code, after saying why. */
int preflight_permissions(void);
int preflight_btf(void);
/* What tracefs_ensure()'s error means, and the remedy, as one sentence. */
const char *tracefs_problem(int err);
/*
 * Pick the backend of every hook (probing the kernel unless probe is false and a backend
 * is forced). Mounts tracefs privately if needed. 0 or an exit code.
 */
int preflight_backends(enum backend forced, bool probe, unsigned protos, bool protos_explicit,
		       struct hook_choice choice[HOOK_COUNT]);

#endif
