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

/* tdelete() may not run inside twalk(): the stale ones are gathered first */
static struct conn_bytes **stale;
static size_t n_stale;
static uint32_t walk_now;

static void gather(const void *node, VISIT v, int depth)
{
	struct conn_bytes *c = *(struct conn_bytes *const *)node;

	(void)depth;
	if (v != postorder && v != leaf)
		return;
	if (c->closed ? c->last_walk + 1 < walk_now : c->last_walk + OPEN_MISSING_WALKS < walk_now)
		stale[n_stale++] = c;
}

void tcp_bytes_walk_done(struct tcp_bytes *t)
{
	t->walk++;
	if (!t->root)
		return;
	stale = malloc(t->n * sizeof(*stale));
	if (!stale)
		return;
	n_stale = 0;
	walk_now = t->walk; /* closed: not seen by this walk nor the one before */
	twalk(t->root, gather);
	for (size_t i = 0; i < n_stale; i++) {
		tdelete(stale[i], &t->root, conn_cmp);
		free(stale[i]);
		t->n--;
	}
	free(stale);
	stale = NULL;
}

void tcp_bytes_free(struct tcp_bytes *t)
{
	if (t->root)
		tdestroy(t->root, free);
	memset(t, 0, sizeof(*t));
}
