/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Puts records from several per-CPU rings into one timestamp order. Each ring is in order
 * already; across CPUs only the timestamps tell. Rings are drained one after the other, so a
 * record stamped just before a drain may land in a ring already read while a later one (the
 * close of the same socket on the other CPU, say) is in this batch: records newer than the
 * caller's horizon therefore wait for the next delivery.
 */
#ifndef SS_MERGE_H
#define SS_MERGE_H

#include <stddef.h>
#include <stdint.h>

struct record_batch {
	unsigned char *bytes; /* the records, back to back */
	size_t used, cap;
	struct batch_entry { uint64_t ts, seq; size_t off, size; } *entries;
	size_t n, n_cap;
};

/*
 * A backlog (the process stalled, the rings filled) grows the buffers; once it is gone they
 * shrink back, so one stall does not keep its memory for good. The need is the largest batch
 * of the current and the previous window of MERGE_SHRINK_WINDOW deliveries; an empty buffer
 * more than 4 times that is cut to twice it (never below the starting size): growing again
 * needs a batch twice the largest seen lately, so the two do not alternate.
 */
#define MERGE_SHRINK_WINDOW 256 /* deliveries: ~13 s at trace's 50 ms poll, ~26 s at 100 ms */

struct merge_peak {
	size_t bytes, n; /* the largest batch delivered: bytes used, records */
};

struct merge {
	struct record_batch pending; /* copied in, not yet delivered */
	struct record_batch spare;   /* swapped with pending after each delivery */
	struct batch_entry *scratch; /* for merging sorted runs */
	size_t scratch_cap;
	struct merge_peak peak, peak_before; /* this window's, the previous window's */
	unsigned deliveries;                 /* in this window */
};

typedef void (*merge_deliver_fn)(void *ctx, const void *rec, size_t size);

/* Copy one record in (ring space is reused once the ring callback returns). */
int merge_add(struct merge *m, const void *rec, size_t size, uint64_t ts);
/* Deliver, oldest first, every record stamped at or before horizon; keep the rest. Ties keep
 * the order of merge_add(). Each record handed to fn is 8-byte aligned. */
int merge_deliver(struct merge *m, uint64_t horizon, merge_deliver_fn fn, void *ctx);
size_t merge_pending(const struct merge *m);
void merge_free(struct merge *m);

#endif
