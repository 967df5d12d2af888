// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <search.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "tcp_bytes.h"

struct conn_bytes {
	uint32_t netns;
	struct ss_inet_tuple tuple;
	struct conn_counts counted;
	uint32_t last_walk;      /* the last walk that saw it */
	bool closed;
};

static int conn_cmp(const void *a, const void *b)
{
	const struct conn_bytes *x = a, *y = b;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return memcmp(&x->tuple, &y->tuple, sizeof(x->tuple));
}

static struct conn_bytes *lookup(struct tcp_bytes *t, const struct ss_tcp_event *e, bool make)
{
	struct conn_bytes probe = { .netns = e->netns, .tuple = e->tuple }, *c, **slot;

	slot = tfind(&probe, &t->root, conn_cmp);
	if (slot || !make)
		return slot ? *slot : NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	*c = probe;
	slot = tsearch(c, &t->root, conn_cmp);
	if (!slot) {
		free(c);
		return NULL;
	}
	t->n++;
	return c;
}

/* What moved since counted, never negative (a FIN counted then taken out is not undone). */
static uint64_t moved(uint64_t now, uint64_t *counted)
{
	uint64_t d = now > *counted ? now - *counted : 0;

	if (now > *counted)
		*counted = now;
	return d;
}

static void count_moved(struct conn_bytes *c, const struct ss_tcp_event *e,
			struct conn_counts *d)
{
	d->sent = moved(e->bytes_sent, &c->counted.sent);
	d->received = moved(e->bytes_received, &c->counted.received);
	d->retrans = moved(e->retrans, &c->counted.retrans);
	d->segs_out = moved(e->segs_out, &c->counted.segs_out);
}

void tcp_bytes_seen(struct tcp_bytes *t, const struct ss_tcp_event *e, struct conn_counts *d)
{
	struct conn_bytes *c = lookup(t, e, true);

	memset(d, 0, sizeof(*d));
	if (!c)
		return;
	c->last_walk = t->walk + 1; /* this walk, done when tcp_bytes_walk_done() runs */
	if (c->closed) /* a walk that raced the close: the close counted it all */
		return;
	count_moved(c, e, d);
}

void tcp_bytes_closed(struct tcp_bytes *t, const struct ss_tcp_event *e, struct conn_counts *d)
{
	struct conn_bytes *c = lookup(t, e, false);

	*d = (struct conn_counts){ e->bytes_sent, e->bytes_received, e->retrans, e->segs_out };
	if (!c || c->closed)
		return;
	count_moved(c, e, d);
	c->closed = true;
	c->last_walk = t->walk; /* kept for the walk that may be racing it, and the next */
}

/*
 * An open connection missing from walks (its close event lost with a full ring) is forgotten
 * only after this many: forgotten too early, a connection the walk then saw again would be
 * counted again from zero.
 */
#define OPEN_MISSING_WALKS 10

/* tdelete() may not run inside a walk: the stale ones are gathered first */
struct gathering {
	struct conn_bytes **stale;
	size_t n;
	uint32_t walk;
};

static void gather(const void *node, VISIT v, void *arg)
{
	struct conn_bytes *c = *(struct conn_bytes *const *)node;
	struct gathering *g = arg;

	if (v != postorder && v != leaf)
		return;
	/* closed: not seen by this walk nor the one before */
	if (c->closed ? c->last_walk + 1 < g->walk : c->last_walk + OPEN_MISSING_WALKS < g->walk)
		g->stale[g->n++] = c;
}

void tcp_bytes_walk_done(struct tcp_bytes *t)
{
	struct gathering g = { .walk = ++t->walk };

	if (!t->root || !(g.stale = malloc(t->n * sizeof(*g.stale))))
		return;
	twalk_r(t->root, gather, &g);
	for (size_t i = 0; i < g.n; i++) {
		tdelete(g.stale[i], &t->root, conn_cmp);
		free(g.stale[i]);
		t->n--;
	}
	free(g.stale);
}

void tcp_bytes_free(struct tcp_bytes *t)
{
	if (t->root)
		tdestroy(t->root, free);
	memset(t, 0, sizeof(*t));
}
