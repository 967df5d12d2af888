// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Labelled series by binary key, in a tsearch(3) tree (glibc's, no hand-written hashing). */
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "series.h"

static int key_cmp(const void *a, const void *b)
{
	const struct series *x = a, *y = b;

	return memcmp(&x->key, &y->key, sizeof(x->key));
}

void series_store_init(struct series_store *s, size_t budget)
{
	memset(s, 0, sizeof(*s));
	s->budget = budget;
}

static void no_free(void *p)
{
	(void)p;
}

void series_store_free(struct series_store *s)
{
	if (s->root)
		tdestroy(s->root, no_free);
	for (size_t i = 0; i < s->n; i++)
		free(s->all[i]);
	free(s->all);
	memset(s, 0, sizeof(*s));
}

static struct series *add(struct series_store *s, const struct series_key *k)
{
	struct series *e, **slot;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct series **all = realloc(s->all, cap * sizeof(*all));

		if (!all)
			return NULL;
		s->all = all;
		s->cap = cap;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->key = *k;
	slot = tsearch(e, &s->root, key_cmp);
	if (!slot) {
		free(e);
		return NULL;
	}
	s->all[s->n++] = e;
	return e;
}

static struct series *find(const struct series_store *s, const struct series_key *k)
{
	struct series probe = { .key = *k };
	struct series **slot = tfind(&probe, &s->root, key_cmp);

	return slot ? *slot : NULL;
}

static struct series *other_of(struct series_store *s, enum series_group g)
{
	struct series_key k = series_key_of(g);

	if (!s->other[g]) {
		k.other = 1;
		s->other[g] = add(s, &k);
	}
	return s->other[g];
}

/*
 * The key as its labels read: keys are compared as bytes, so bytes no label shows are
 * zeroed, else two series would print the same labels (Prometheus drops the second as a
 * duplicate). A name ends at its first NUL (the kernel's comm may hold old bytes after it) and a
 * path too unless abstract; the user is "unknown" without a name; the address is no label
 * unless it matched --peer-labels.
 */
static struct series_key label_key(const struct series_key *k)
{
	struct series_key c = *k;
	size_t n = bounded_strlen(c.comm, sizeof(c.comm));

	memset(c.comm + n, 0, sizeof(c.comm) - n);
	if (!n)
		c.uid = 0;
	if (c.path_len > sizeof(c.path))
		c.path_len = sizeof(c.path);
	if (c.path_len && c.path[0])
		c.path_len = (uint16_t)bounded_strlen(c.path, c.path_len);
	memset(c.path + c.path_len, 0, sizeof(c.path) - c.path_len);
	if (!c.has_peer_addr)
		memset(c.peer_addr, 0, sizeof(c.peer_addr));
	return c;
}

struct series *series_counter(struct series_store *s, const struct series_key *key, size_t cost)
{
	struct series_key k = label_key(key);
	struct series *e = find(s, &k);

	if (e)
		return e;
	if (s->used + cost > s->budget) {
		s->folded++;
		return other_of(s, k.group);
	}
	e = add(s, &k);
	if (e)
		s->used += cost;
	return e;
}

struct series *series_gauge(struct series_store *s, const struct series_key *key)
{
	struct series_key k = label_key(key);
	struct series *e = find(s, &k);

	return e ? e : add(s, &k);
}

static int busiest_first(const void *a, const void *b)
{
	const struct series *x = *(struct series *const *)a, *y = *(struct series *const *)b;

	if (x->v[0] != y->v[0])
		return x->v[0] < y->v[0] ? 1 : -1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

int series_store_fold(struct series_store *s, size_t budget)
{
	struct series **own = malloc((s->n ? s->n : 1) * sizeof(*own));
	size_t n_own = 0, kept = 0;

	if (!own)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		if (!s->all[i]->key.other)
			own[n_own++] = s->all[i];
	if (n_own <= budget) {
		free(own);
		return 0;
	}
	qsort(own, n_own, sizeof(*own), busiest_first);
	for (size_t i = budget; i < n_own; i++) {
		struct series *o = other_of(s, own[i]->key.group);

		if (!o) {
			free(own);
			return -ENOMEM;
		}
		for (int v = 0; v < SERIES_VALUES; v++)
			o->v[v] += own[i]->v[v];
		s->folded++;
	}
	/* the store now holds the kept series and the `other` ones; lookups are over */
	tdestroy(s->root, no_free);
	s->root = NULL;
	for (size_t i = budget; i < n_own; i++)
		free(own[i]);
	memcpy(s->all, own, budget * sizeof(*own));
	kept = budget;
	for (int g = 0; g < G_COUNT; g++)
		if (s->other[g])
			s->all[kept++] = s->other[g];
	s->n = kept;
	s->used = budget;
	free(own);
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return key_cmp(*(struct series *const *)a, *(struct series *const *)b);
}

struct series **series_of_group(const struct series_store *s, enum series_group g, size_t *n)
{
	struct series **out = malloc((s->n ? s->n : 1) * sizeof(*out));

	*n = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (s->all[i]->key.group == g)
			out[(*n)++] = s->all[i];
	/* `other` sorts last: its key differs from every own key first in `other` */
	qsort(out, *n, sizeof(*out), by_key);
	return out;
}
