// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "merge.h"

static int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 1024;
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

static int by_time(const void *a, const void *b)
{
	const struct batch_entry *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int merge_deliver(struct merge *m, uint64_t horizon, merge_deliver_fn fn, void *ctx)
{
	struct record_batch *b = &m->pending, emptied;
	size_t i = 0;

	qsort(b->entries, b->n, sizeof(*b->entries), by_time);
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
	free(m->spare.bytes);
	free(m->spare.entries);
	memset(m, 0, sizeof(*m));
}
