/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Closed unix sockets leave the live table through the sweep. The kernel tells sockscope of a
 * unix socket's close only through the release hook, and only for a socket with flows; on
 * tracepoint-only kernels not at all (no tracepoint or cgroup hook fires there, and fentry and
 * LSM programs cannot attach). So every few seconds the live session lists the namespace's
 * unix sockets (sock_diag, else /proc/net/unix) and removes the table's unix entries missing
 * from two lists in a row: a socket created while one list was being read is in the next.
 */
#ifndef SS_UNIX_SWEEP_H
#define SS_UNIX_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include "assoc_table.h"

#define UNIX_SWEEP_INTERVAL_NS (2 * 1000000000ull)

struct unix_sweep {
	uint64_t next_ns;
	uint64_t *suspects; /* inodes missing from the previous list, sorted */
	size_t n_suspects;
};

/* Called for each entry to remove, before anything is removed. */
typedef void (*unix_gone_fn)(void *ctx, uint64_t inode);

/*
 * When due (now >= next_ns): list, then call gone() for every unix entry missing twice.
 * Returns how many were reported, or a negative errno when no list could be read.
 */
int unix_sweep_run(struct unix_sweep *w, const struct assoc_table *t, uint32_t netns,
		   uint64_t now_ns, unix_gone_fn gone, void *ctx);
/* The same decision on a given list of live inodes (unit tests). */
int unix_sweep_apply(struct unix_sweep *w, const struct assoc_table *t, uint64_t *live,
		     size_t n_live, unix_gone_fn gone, void *ctx);
void unix_sweep_free(struct unix_sweep *w);

#endif
