/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The programs' own per-CPU rings (include/sockscope.h, struct ss_cpu_ring), mapped from the
 * cpu_rings array: read up to each ring's head, the space given back by moving its tail.
 * The bytes come from the kernel side, so each record's framing is checked before use.
 */
#ifndef SS_CPU_RINGS_H
#define SS_CPU_RINGS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "sockscope.h"

typedef int (*cpu_ring_record_fn)(void *ctx, void *data, size_t size);

struct cpu_rings {
	uint8_t *base;	     /* the mapping; NULL: no CPU rings */
	size_t map_len;
	size_t elem;	     /* bytes from one CPU's ring to the next */
	uint32_t n;	     /* CPUs */
	uint32_t ring_bytes; /* each ring's size, a power of two */
};

/* Map the array behind fd (n rings of ring_bytes): 0 or negative errno. */
int cpu_rings_open(struct cpu_rings *r, int fd, uint32_t n, uint32_t ring_bytes);
void cpu_rings_close(struct cpu_rings *r);

/*
 * One ring: every record published since the last call, in order, to fn; then the space
 * given back. A record whose framing is broken (a size no record has, or past head) ends the
 * read at head and counts in *invalid. fn's negative result stops the read before that
 * record (kept for the next call) and is returned; else 0.
 */
int cpu_ring_drain(struct ss_cpu_ring *ring, uint32_t ring_bytes, cpu_ring_record_fn fn,
		   void *ctx, uint64_t *invalid);
/* Every CPU's ring, one after the other: 0 or the first negative result of fn. */
int cpu_rings_drain(struct cpu_rings *r, cpu_ring_record_fn fn, void *ctx, uint64_t *invalid);

#endif
