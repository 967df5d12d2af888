// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "slot_index.h"

#define MIN_CAPACITY 64u

uint64_t slot_hash_u64(uint64_t v)
{
	/* splitmix64's finaliser: every input bit reaches every output bit */
	v ^= v >> 30;
	v *= 0xbf58476d1ce4e5b9ull;
	v ^= v >> 27;
	v *= 0x94d049bb133111ebull;
	return v ^ (v >> 31);
}

uint64_t slot_hash(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull ^ len, w;

	/* eight bytes a step, not one: a 44-byte address tuple is hashed for every inet socket
	 * the snapshot inserts and every peer a listing joins */
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	}
	return slot_hash_u64(h);
}

static int alloc_slots(struct slot_index *ix, uint32_t capacity)
{
	ix->slots = calloc(capacity, sizeof(*ix->slots));
	if (!ix->slots)
		return -ENOMEM;
	ix->mask = capacity - 1;
	ix->used = 0;
	return 0;
}

int slot_index_init(struct slot_index *ix, uint32_t capacity_hint)
{
	uint32_t cap = MIN_CAPACITY;

	while (cap < capacity_hint && cap < (1u << 30))
		cap <<= 1;
	return alloc_slots(ix, cap);
}

void slot_index_free(struct slot_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
	ix->mask = ix->used = 0;
}

static void place(struct slot_index *ix, uint32_t hash, uint32_t ref_plus1)
{
	uint32_t i = hash & ix->mask;

	while (ix->slots[i].ref_plus1)
		i = (i + 1) & ix->mask;
	ix->slots[i].ref_plus1 = ref_plus1;
	ix->slots[i].hash = hash;
	ix->used++;
}

/* Capacity for n references at most 3/4 full; 0 if that exceeds the largest index. */
static uint32_t capacity_for(uint32_t n)
{
	uint64_t need = ((uint64_t)n * 4 + 2) / 3, cap = MIN_CAPACITY; /* n * 4 <= cap * 3 */

	while (cap < need)
		cap <<= 1;
	return cap > (1u << 31) ? 0 : (uint32_t)cap;
}

static int resize(struct slot_index *ix, uint32_t cap)
{
	struct slot_index bigger;
	uint32_t old = ix->slots ? ix->mask + 1 : 0;

	if (!cap || alloc_slots(&bigger, cap))
		return -ENOMEM;
	for (uint32_t i = 0; i < old; i++)
		if (ix->slots[i].ref_plus1)
			place(&bigger, ix->slots[i].hash, ix->slots[i].ref_plus1);
	free(ix->slots);
	*ix = bigger;
	return 0;
}

int slot_index_reserve(struct slot_index *ix, uint32_t n)
{
	uint32_t cap = capacity_for(n);

	if (!cap)
		return -ENOMEM;
	return !ix->slots || cap > ix->mask + 1 ? resize(ix, cap) : 0;
}

int slot_index_add(struct slot_index *ix, uint64_t hash, uint32_t ref)
{
	if (ref == SLOT_NONE)
		return -EINVAL;
	if ((uint64_t)(ix->used + 1) * 4 > (uint64_t)(ix->mask + 1) * 3 &&
	    (ix->mask + 1 >= (1u << 31) || resize(ix, (ix->mask + 1) * 2)))
		return -ENOMEM;
	place(ix, (uint32_t)hash, ref + 1);
	return 0;
}

uint32_t slot_index_find(const struct slot_index *ix, uint64_t hash, slot_match_fn match,
			 const void *ctx, const void *key)
{
	uint32_t h = (uint32_t)hash, i = h & ix->mask;

	for (; ix->slots[i].ref_plus1; i = (i + 1) & ix->mask)
		if (ix->slots[i].hash == h && match(ctx, ix->slots[i].ref_plus1 - 1, key))
			return ix->slots[i].ref_plus1 - 1;
	return SLOT_NONE;
}

int slot_index_del(struct slot_index *ix, uint64_t hash, uint32_t ref)
{
	uint32_t h = (uint32_t)hash, i = h & ix->mask, j;

	for (; ix->slots[i].ref_plus1; i = (i + 1) & ix->mask)
		if (ix->slots[i].hash == h && ix->slots[i].ref_plus1 == ref + 1)
			break;
	if (!ix->slots[i].ref_plus1)
		return -ENOENT;
	/* backward shift: pull later members of the probe run into the hole, so lookups never
	 * stop early at an empty slot that used to be occupied */
	for (j = (i + 1) & ix->mask; ix->slots[j].ref_plus1; j = (j + 1) & ix->mask) {
		uint32_t home = ix->slots[j].hash & ix->mask;

		/* the entry at j may move to i only if its home is not in (i, j] cyclically */
		if (((j - home) & ix->mask) >= ((j - i) & ix->mask)) {
			ix->slots[i] = ix->slots[j];
			i = j;
		}
	}
	ix->slots[i].ref_plus1 = 0;
	ix->used--;
	return 0;
}

size_t slot_index_bytes(const struct slot_index *ix)
{
	return ix->slots ? (size_t)(ix->mask + 1) * sizeof(*ix->slots) : 0;
}
