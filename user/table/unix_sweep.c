// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include "snapshot.h"
#include "unix_diag.h"
#include "unix_sweep.h"

struct inode_list {
	uint64_t *v;
	size_t n, cap;
	bool nomem;
};

static void push(struct inode_list *l, uint64_t inode)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		uint64_t *bigger = realloc(l->v, cap * sizeof(*bigger));

		if (!bigger) {
			l->nomem = true;
			return;
		}
		l->v = bigger;
		l->cap = cap;
	}
	l->v[l->n++] = inode;
}

static void collect(void *ctx, const struct ss_hdr *rec)
{
	const struct ss_snap_unix *r = (const void *)rec;

	if (rec->type == SS_SNAP_UNIX && r->inode)
		push(ctx, r->inode);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static bool has(const uint64_t *v, size_t n, uint64_t inode)
{
	return n && bsearch(&inode, v, n, sizeof(*v), cmp_u64);
}

int unix_sweep_apply(struct unix_sweep *w, const struct assoc_table *t, uint64_t *live,
		     size_t n_live, unix_gone_fn gone, void *ctx)
{
	struct inode_list missing = { 0 };
	int reported = 0;

	if (n_live) /* qsort() of NULL is undefined, even for 0 elements */
		qsort(live, n_live, sizeof(*live), cmp_u64);
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(t, i);

		if (h && h->proto == SOCK_PROTO_UNIX && h->inode && !has(live, n_live, h->inode))
			push(&missing, h->inode);
	}
	if (missing.nomem) {
		free(missing.v);
		return -ENOMEM;
	}
	/* sorted for the next round's lookups; decided in full before gone() changes the table */
	if (missing.n)
		qsort(missing.v, missing.n, sizeof(*missing.v), cmp_u64);
	for (size_t i = 0; i < missing.n; i++) {
		if (has(w->suspects, w->n_suspects, missing.v[i])) {
			gone(ctx, missing.v[i]);
			reported++;
		}
	}
	free(w->suspects);
	w->suspects = missing.v; /* the removed ones too: they are gone from the table anyway */
	w->n_suspects = missing.n;
	return reported;
}

int unix_sweep_run(struct unix_sweep *w, const struct assoc_table *t, uint32_t netns,
		   uint64_t now_ns, unix_gone_fn gone, void *ctx)
{
	struct inode_list live = { 0 };
	uint64_t count = 0;
	int err;

	if (now_ns < w->next_ns)
		return 0;
	w->next_ns = now_ns + UNIX_SWEEP_INTERVAL_NS;
	err = unix_diag_snapshot(netns, collect, &live, &count);
	if (err) { /* no unix_diag module: what ss falls back to */
		live.n = 0;
		live.nomem = false;
		err = unix_proc_snapshot(netns, collect, &live, &count);
	}
	if (!err && live.nomem)
		err = -ENOMEM;
	if (!err)
		err = unix_sweep_apply(w, t, live.v, live.n, gone, ctx);
	free(live.v);
	return err;
}

void unix_sweep_free(struct unix_sweep *w)
{
	free(w->suspects);
	w->suspects = NULL;
	w->n_suspects = 0;
}
