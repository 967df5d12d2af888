/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The live table: every socket (half-association) sockscope knows of, with the processes that
 * hold it; listening/bound ports and associations are views of it. The snapshot and the event
 * stream feed it through the same two calls, assoc_table_upsert() and assoc_table_remove(),
 * which are idempotent: applying a socket twice (from the snapshot and from an event that
 * raced it) leaves one entry, and removing an unknown socket does nothing.
 *
 * A socket is found by, in order: its cookie (unique for the boot), its inode, or -- for an
 * inet socket when either side lacks a cookie (kernels < 5.12, the kprobe backend) -- its
 * address tuple in its network namespace. Associations are joined at lookup time: the other
 * half of a connected inet socket is the socket whose tuple mirrors it (local <-> remote); the
 * other half of a unix socket is the socket whose inode is its peer inode.
 *
 * Memory is bounded: at most max_socks entries; what did not fit is counted in `dropped`.
 */
#ifndef SS_ASSOC_TABLE_H
#define SS_ASSOC_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proc_table.h"
#include "slot_index.h"
#include "sock_proto.h"


/* sk_state values the table interprets (include/net/tcp_states.h) */
#define SK_ESTABLISHED 1
#define SK_SYN_SENT 2
#define SK_CLOSE 7
#define SK_LISTEN 10

/* What one snapshot record or one event says about one socket, already decoded. */
struct sock_fact {
	uint8_t proto;        /* enum sock_proto */
	uint8_t family;       /* AF_INET, AF_INET6, AF_UNIX */
	uint8_t type;         /* unix: SOCK_STREAM / DGRAM / SEQPACKET; inet: 0 */
	uint8_t state;        /* SK_* */
	uint8_t passive;      /* made by accept() */
	uint32_t netns;
	uint64_t cookie;      /* 0: unknown */
	uint64_t inode;       /* 0: unknown */
	uint64_t peer_inode;  /* unix: the connected peer */
	uint8_t laddr[16], raddr[16]; /* network order; AF_INET uses the first 4 bytes */
	uint16_t lport, rport;
	const uint8_t *path;  /* unix name (abstract: leading NUL), path_len bytes */
	uint16_t path_len;
	bool has_owner;       /* the owner below is known (process context) */
	uint32_t pid, uid;
	const uint8_t *comm;  /* PROC_COMM_LEN bytes or NULL */
	uint64_t cgroup;      /* the owner's cgroup v2 id, 0: not known */
};

/*
 * One socket, 56 bytes. An inet socket's two addresses take 8 bytes in the entry when both are
 * IPv4 (or unspecified), the common case; a true IPv6 pair lives in a 32-byte block of its own.
 * Unix sockets have no addresses: the same 8 bytes point to their name. Read the addresses
 * with half_addr() / half_addr_v6() and the name with half_name().
 */
struct half_assoc {
	uint64_t cookie;
	uint64_t inode;
	uint64_t peer_inode;   /* unix: the connected peer; inet: 0 */
	uint32_t netns;
	uint32_t owner;        /* first owner's pid, 0: none known */
	uint32_t more_owners;  /* index + 1 into owner_links; in a free entry: next free + 1 */
	uint16_t lport, rport; /* inet; unix: 0 */
	uint8_t proto;         /* 0: free entry */
	uint8_t family;        /* as in sock_fact */
	uint8_t type;          /* as in sock_fact */
	uint8_t state;
	uint8_t passive;
	uint8_t addrs_v6;      /* inet: the addresses are in v6, not v4 */
	union {
		uint8_t *name;   /* unix: 2-byte length then the bytes; NULL: unnamed */
		uint8_t *v6;     /* inet with addrs_v6: local then remote address, IPv6 form */
		uint32_t v4[2];  /* inet: local, remote IPv4 (network order); 0: unspecified (::) */
	};
};

struct owner_link {
	uint32_t pid;
	uint32_t next; /* index + 1, 0: end */
};

/*
 * Sockets closed lately, by cookie (unique for the boot) with the time of the close, so that an
 * opening record arriving after its socket's close does not re-open it (table_apply()).
 * Direct-mapped: a close is remembered until a later one's cookie takes its slot, after
 * ASSOC_CLOSED_SLOTS closes on average.
 */
#define ASSOC_CLOSED_SLOTS 4096

struct closed_cookie {
	uint64_t cookie;
	uint64_t ts_ns;
};

struct assoc_table {
	struct half_assoc *socks;
	uint32_t n_slots, cap, max_socks, n_used;
	uint32_t free_head;           /* index + 1 */
	uint32_t n_without_cookie;    /* entries in use with cookie 0: only they need the tuple
				       * lookup when a fact has a cookie */
	struct owner_link *links;
	uint32_t n_links, links_cap, links_free; /* links_free: index + 1 */
	struct slot_index by_cookie, by_inode, by_tuple;
	struct proc_table procs;
	uint64_t dropped;             /* sockets that did not fit under max_socks */
	size_t block_bytes;            /* unix names and IPv6 address blocks */
	struct closed_cookie *closed; /* ASSOC_CLOSED_SLOTS, made at the first close */
};

int assoc_table_init(struct assoc_table *t, uint32_t max_socks);
void assoc_table_free(struct assoc_table *t);
/* Forget every socket (before a re-snapshot); keeps max_socks and the closed cookies. */
int assoc_table_clear(struct assoc_table *t);
/* A new, empty table t for a re-snapshot beside old, which is left as it was but for what t
 * takes over from it: the closes remembered and the count of sockets that did not fit. */
int assoc_table_renew(struct assoc_table *t, struct assoc_table *old);

/* Make room for `socks` sockets (`inet_socks` of them TCP/UDP), as many as the snapshot is
 * about to bring, so the entries and indexes are sized once instead of grown by steps that
 * leave slack (capped at max_socks). 0 or -ENOMEM; the table stays usable either way. */
int assoc_table_reserve(struct assoc_table *t, uint32_t socks, uint32_t inet_socks);
/* Give back the entries reserved or grown beyond those in use (after a snapshot). */
void assoc_table_fit(struct assoc_table *t);

/* Insert the socket or merge what is new into the entry it already has (*created tells which;
 * may be NULL). The entry's index, -ENOSPC when the table is full (counted in dropped), -ENOMEM. */
int assoc_table_upsert(struct assoc_table *t, const struct sock_fact *f, bool *created);
/* Remove the socket the fact names: 1 removed, 0 unknown. */
int assoc_table_remove(struct assoc_table *t, const struct sock_fact *f);
/* Add an owner to the socket with this inode (snapshot file records): 1 added, 0 unknown
 * socket or already an owner. */
int assoc_table_add_owner_by_inode(struct assoc_table *t, uint64_t inode, uint32_t pid,
				   uint32_t uid, const uint8_t *comm, uint64_t cgroup);

/*
 * The process exited: it owns none of its sockets of these protocols (PROTO_*) any
 * more (they may live on in others). Returns how many sockets lost it as an owner; a pid that
 * owned nothing costs one lookup.
 */
int assoc_table_drop_owner(struct assoc_table *t, uint32_t pid, unsigned protos);
/*
 * The process exited and its owners were dropped: forget its name and counts unless a socket
 * still names it (its pid was reused by a new owner meanwhile). Without this the process table
 * keeps every pid that ever held a socket, bounded only by pid_max. 1 forgotten, else 0.
 */
int assoc_table_forget_process(struct assoc_table *t, uint32_t pid);

/* Remember that the socket with this cookie closed at ts_ns (cookie 0: nothing to remember;
 * out of memory: forgotten). */
void assoc_table_note_closed(struct assoc_table *t, uint64_t cookie, uint64_t ts_ns);
/* Is this cookie's close remembered? Then *ts_ns is its time. */
bool assoc_table_closed_at(const struct assoc_table *t, uint64_t cookie, uint64_t *ts_ns);

/* The entry the fact names, or NULL. */
const struct half_assoc *assoc_table_find(const struct assoc_table *t, const struct sock_fact *f);
/* The entry of the socket that h, an entry of another table, names; or NULL. */
const struct half_assoc *assoc_table_find_half(const struct assoc_table *t,
					       const struct half_assoc *h);
/* The entry, or NULL for a free index. */
const struct half_assoc *assoc_table_get(const struct assoc_table *t, uint32_t i);
/* The other half of a connected socket when it is on this host, else NULL. */
const struct half_assoc *assoc_table_peer(const struct assoc_table *t, const struct half_assoc *h);
/* Is there a TCP listener on h's local port and address (or the wildcard) in its namespace? */
bool assoc_table_port_listening(const struct assoc_table *t, const struct half_assoc *h);
/* Listening TCP, unconnected bound UDP, listening or bound-unconnected unix. */
bool half_is_port(const struct half_assoc *h);
/* The same for a fact: would the socket it makes be a port? */
bool fact_is_port(const struct sock_fact *f);
/* Connected: TCP not listening, UDP connected, unix with a peer. */
bool half_is_connected(const struct half_assoc *h);
bool assoc_table_has_owner(const struct assoc_table *t, const struct half_assoc *h, uint32_t pid);
/* Owners in order; returns how many were written (at most max). */
size_t half_owners(const struct assoc_table *t, const struct half_assoc *h, uint32_t *pids,
		   size_t max);
/* The unix name's bytes, *len set; NULL when unnamed. */
const uint8_t *half_name(const struct half_assoc *h, uint16_t *len);
/* Address in the family's own form (IPv4: 4 bytes first), for printing. */
void half_addr(const struct half_assoc *h, bool local, uint8_t out[16]);
/* Address in IPv6 form (IPv4 v4-mapped, unspecified ::), as the tuple index keys it. */
void half_addr_v6(const struct half_assoc *h, bool local, uint8_t out[16]);
/* The block an entry owns beyond its 56 bytes (unix name, IPv6 addresses), or NULL. */
uint8_t *half_block(const struct half_assoc *h);

/* Bytes the table holds (entries, owner links, names, indexes, processes). */
size_t assoc_table_bytes(const struct assoc_table *t);

#endif
