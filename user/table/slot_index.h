/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A compact hash index: 64-bit hash -> 32-bit reference into the caller's own array. Open
 * addressing with linear probing and backward-shift deletion (no tombstones), 8 bytes a slot,
 * at most 3/4 full. The index stores no keys: lookups ask the caller whether the entry behind a
 * reference matches, so one entry can be found by several keys (cookie, inode, address tuple)
 * for 8-16 bytes each instead of the 56 of a uthash handle. Several references may share a
 * hash (and even a key: listeners of one SO_REUSEPORT group).
 */
#ifndef SS_SLOT_INDEX_H
#define SS_SLOT_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLOT_NONE UINT32_MAX

struct slot_index {
	struct index_slot { uint32_t ref_plus1; uint32_t hash; } *slots; /* ref_plus1 0: empty */
	uint32_t mask; /* capacity - 1, capacity a power of two */
	uint32_t used;
};

typedef bool (*slot_match_fn)(const void *ctx, uint32_t ref, const void *key);

int slot_index_init(struct slot_index *ix, uint32_t capacity_hint);
void slot_index_free(struct slot_index *ix);
/* 0 or -ENOMEM (the index grows by doubling). */
int slot_index_add(struct slot_index *ix, uint64_t hash, uint32_t ref);
/* Make room for n references without growing again (a snapshot's count, known beforehand):
 * 0 or -ENOMEM. Never shrinks. */
int slot_index_reserve(struct slot_index *ix, uint32_t n);
/* The first reference with this hash whose entry match() accepts, or SLOT_NONE. */
uint32_t slot_index_find(const struct slot_index *ix, uint64_t hash, slot_match_fn match,
			 const void *ctx, const void *key);
/* Remove exactly this reference; -ENOENT if it is not there. */
int slot_index_del(struct slot_index *ix, uint64_t hash, uint32_t ref);
size_t slot_index_bytes(const struct slot_index *ix);

/* 64-bit mix of a byte string (8-byte words multiplied in, then a finaliser): fast, well
 * spread; for in-memory indexes only (the value depends on byte order). */
uint64_t slot_hash(const void *data, size_t len);
uint64_t slot_hash_u64(uint64_t v);

#endif
