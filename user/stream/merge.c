// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "merge.h"

#define MERGE_MIN_CAP 1024 /* bytes or entries: what the first grow() allocates */

static int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : MERGE_MIN_CAP;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n * elem);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

/* Each record starts 8-byte aligned (realloc aligns the arena), so sinks may cast it. */
static int batch_add(struct record_batch *b, const void *rec, size_t size, uint64_t ts)
{
	size_t off = (b->used + 7) & ~(size_t)7;

	if (grow((void **)&b->bytes, &b->cap, off + size, 1) ||
	    grow((void **)&b->entries, &b->n_cap, b->n + 1, sizeof(*b->entries)))
		return -ENOMEM;
	b->entries[b->n] = (struct batch_entry){ .ts = ts, .seq = b->n, .off = off, .size = size };
	memcpy(b->bytes + off, rec, size);
	b->used = off + size;
	b->n++;
	return 0;
}

int merge_add(struct merge *m, const void *rec, size_t size, uint64_t ts)
{
	return batch_add(&m->pending, rec, size, ts);
}

static int by_time(const struct batch_entry *x, const struct batch_entry *y)
{
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Merge the sorted runs a[lo, mid) and a[mid, hi) into out[lo, hi). */
static void merge_two(const struct batch_entry *a, struct batch_entry *out, size_t lo, size_t mid,
		      size_t hi)
{
	size_t i = lo, j = mid, o = lo;

	while (i < mid && j < hi)
		out[o++] = by_time(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
	while (i < mid)
		out[o++] = a[i++];
	while (j < hi)
		out[o++] = a[j++];
}

/*
 * The entries are a few runs already in order (each ring is drained in order, and what waited
 * is sorted), so merging adjacent runs pairwise sorts them in O(n log runs); qsort spent most of
 * its time copying entries that were already in place. run[] holds run starts, then n.
 */
static int sort_runs(struct merge *m, struct record_batch *b)
{
	struct batch_entry *src = b->entries, *dst;
	size_t *run, nruns = 0;

	if (b->n < 2)
		return 0;
	if (grow((void **)&m->scratch, &m->scratch_cap, b->n, sizeof(*m->scratch)))
		return -ENOMEM;
	run = malloc((b->n + 1) * sizeof(*run));
	if (!run)
		return -ENOMEM;
	run[nruns++] = 0;
	for (size_t i = 1; i < b->n; i++)
		if (by_time(&src[i - 1], &src[i]) > 0)
			run[nruns++] = i;
	run[nruns] = b->n;
	dst = m->scratch;
	while (nruns > 1) {
		size_t out = 0, r;

		for (r = 0; r + 1 < nruns; r += 2) {
			merge_two(src, dst, run[r], run[r + 1], run[r + 2]);
			run[out++] = run[r];
		}
		if (r < nruns) { /* an odd run out: copied as it is */
			memcpy(dst + run[r], src + run[r], (run[r + 1] - run[r]) * sizeof(*src));
			run[out++] = run[r];
		}
		run[out] = b->n;
		nruns = out;
		struct batch_entry *t = src;
		src = dst;
		dst = t;
	}
	free(run);
	if (src != b->entries) { /* the sorted entries ended in scratch: swap the arrays */
		size_t cap = b->n_cap;

		m->scratch = b->entries;
		b->n_cap = m->scratch_cap;
		m->scratch_cap = cap;
		b->entries = src;
	}
	return 0;
}

/* Cut an empty buffer of *cap elements to twice need when it is over 4 times need. */
static void shrink(void **buf, size_t *cap, size_t need, size_t elem)
{
	size_t n = MERGE_MIN_CAP;
	void *p;

	if (*cap <= MERGE_MIN_CAP || *cap / 4 <= need)
		return;
	while (n < 2 * need)
		n *= 2;
	if (n >= *cap)
		return;
	p = realloc(*buf, n * elem);
	if (!p)
		return; /* keeping the larger buffer is harmless */
	*buf = p;
	*cap = n;
}

/* Note the batch about to be delivered; shrink what is empty now (spare, scratch). */
static void track_need(struct merge *m, const struct record_batch *b)
{
	if (b->used > m->peak.bytes)
		m->peak.bytes = b->used;
	if (b->n > m->peak.n)
		m->peak.n = b->n;
	if (++m->deliveries >= MERGE_SHRINK_WINDOW) {
		m->peak_before = m->peak;
		m->peak = (struct merge_peak){ 0 };
		m->deliveries = 0;
	}
}

static void shrink_idle(struct merge *m)
{
	size_t bytes = m->peak.bytes > m->peak_before.bytes ? m->peak.bytes : m->peak_before.bytes;
	size_t n = m->peak.n > m->peak_before.n ? m->peak.n : m->peak_before.n;

	shrink((void **)&m->spare.bytes, &m->spare.cap, bytes, 1);
	shrink((void **)&m->spare.entries, &m->spare.n_cap, n, sizeof(*m->spare.entries));
	shrink((void **)&m->scratch, &m->scratch_cap, n, sizeof(*m->scratch));
}

int merge_deliver(struct merge *m, uint64_t horizon, merge_deliver_fn fn, void *ctx)
{
	struct record_batch *b = &m->pending, emptied;
	size_t i = 0;

	if (sort_runs(m, b))
		return -ENOMEM;
	track_need(m, b);
	for (; i < b->n && b->entries[i].ts <= horizon; i++)
		fn(ctx, b->bytes + b->entries[i].off, b->entries[i].size);
	/* what waits goes first into the next delivery, in its order */
	for (; i < b->n; i++)
		if (batch_add(&m->spare, b->bytes + b->entries[i].off, b->entries[i].size,
			      b->entries[i].ts))
			return -ENOMEM;
	emptied = *b;
	emptied.n = emptied.used = 0;
	*b = m->spare;
	m->spare = emptied;
	/* the emptied batch and the scratch hold nothing now: both alternate with their
	 * twins from one delivery to the next, so every buffer gets its turn here */
	shrink_idle(m);
	return 0;
}

size_t merge_pending(const struct merge *m)
{
	return m->pending.n;
}

void merge_free(struct merge *m)
{
	free(m->pending.bytes);
	free(m->pending.entries);
	free(m->scratch);
	free(m->spare.bytes);
	free(m->spare.entries);
	memset(m, 0, sizeof(*m));
}
