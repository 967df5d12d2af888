/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The labelled series of the export, under a hard budget. A series is found by a fixed-size
 * binary key (its group and label values, raw bytes), so that an event costs a lookup, not
 * any formatting; labels are escaped only when a page is written (metrics_page.c).
 *
 * Counters live as long as the exporter and keep their series once given one (a counter
 * that moved to `other` and back would go down). A key that arrives when the counters'
 * share of the budget is spent is folded into its group's `other` series for good.
 * Gauges are rebuilt for every page and folded busiest first (series_store_fold()).
 */
#ifndef SS_SERIES_H
#define SS_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "cgroup_names.h"
#include "sockscope.h"

/* The label sets; each group's families share its labels (metrics_page.c lists them). */
enum series_group {
	G_TCP,       /* direction, process, port, peer: opened, closed, bytes, retransmits */
	G_TCP_FAIL,  /* process, port, peer, reason: failed connects */
	G_UDP,       /* direction, process, port, peer: flows, datagrams, bytes */
	G_UNIX,      /* direction, process, path: stream/seqpacket connections */
	G_OPEN,      /* proto, direction, process, port, peer: open connections now */
	G_UNIX_OPEN, /* process, path: open unix connections now */
	G_PORT,      /* proto, port, process, user: processes holding a listening/bound port */
	G_UNIX_PORT, /* path, process, user: processes holding a unix listener */
	G_COUNT,
};

enum series_dir { DIR_OUTBOUND, DIR_INBOUND };
enum peer_scope { PEER_LOOPBACK, PEER_PRIVATE, PEER_PUBLIC };

#define SERIES_VALUES 6 /* values per key: one per family of its group */

struct series_key {
	uint8_t group;  /* enum series_group */
	uint8_t other;  /* the group's folded series: every label reads "other" */
	uint8_t proto;  /* enum sock_proto */
	uint8_t dir;    /* enum series_dir */
	uint8_t peer;   /* enum peer_scope */
	uint8_t reason; /* enum fail_reason (metrics_page.c) */
	uint8_t has_peer_addr; /* --peer-labels: peer_addr is a label */
	uint8_t peer_addr[16];  /* the remote address, IPv6 form (IPv4 v4-mapped) */
	uint16_t port;
	uint32_t uid;
	uint16_t path_len;
	uint8_t comm[SS_COMM_LEN];     /* raw, NUL-padded */
	uint8_t path[SS_UNIX_PATH_LEN]; /* raw, path_len bytes, zero after */
	/* --owner-labels: where the process runs (all zero otherwise) */
	uint8_t owner_labels;
	char container[CONTAINER_ID_SHORT + 1]; /* short id, "" none */
	char unit[UNIT_NAME_MAX];               /* "" none; untrusted bytes */
};

struct series {
	struct series_key key;
	uint64_t v[SERIES_VALUES];
};

struct series_store {
	void *root;            /* tsearch(3) tree of struct series * by key */
	struct series **all;   /* in order of creation */
	size_t n, cap;
	size_t budget;         /* series (keys times their cost) this store may give out */
	size_t used;
	uint64_t folded;       /* keys that went to `other` (counters: ever; gauges: this page) */
	struct series *other[G_COUNT];
};

/* A key with every field zero but group. */
static inline struct series_key series_key_of(enum series_group g)
{
	struct series_key k = { 0 };

	k.group = (uint8_t)g;
	return k;
}

void series_store_init(struct series_store *s, size_t budget);
void series_store_free(struct series_store *s);

/*
 * The series of key (made if new), counters' rule: a new key gets its own series while
 * `cost` more fits in the budget, else the group's `other` (made on first use, outside the
 * budget: callers reserve one per group). NULL only when out of memory.
 */
struct series *series_counter(struct series_store *s, const struct series_key *k, size_t cost);

/* The series of key in a gauge store (made if new, no budget yet); NULL when out of memory. */
struct series *series_gauge(struct series_store *s, const struct series_key *k);

/*
 * Gauges: keep at most `budget` series, the largest v[0] first (ties: key order), and add
 * the rest into their group's `other` series; folded counts them. Then the store holds the
 * kept series and the `other` ones. 0 or -ENOMEM.
 */
int series_store_fold(struct series_store *s, size_t budget);

/* The store's series of group g, sorted by key (`other` last); *n set. Caller frees. */
struct series **series_of_group(const struct series_store *s, enum series_group g, size_t *n);

#endif
