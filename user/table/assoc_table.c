// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "assoc_table.h"

/* The bytes an inet socket's tuple index hashes: both ends in IPv6 form. */
struct tuple_key {
	uint32_t netns;
	uint32_t proto;
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;
};

struct tuple_query {
	struct tuple_key k;
	uint64_t cookie;  /* 0: any; else only entries with no cookie or this one */
	uint32_t exclude; /* never this entry (a connection to itself mirrors itself) */
	bool connected;   /* only connected entries (peer lookups) */
};

static const uint8_t v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* IPv4 as v4-mapped IPv6, except the unspecified 0.0.0.0, which becomes :: like IPv6's (a
 * listener's remote end, a wildcard bind): one spelling for "none" in the tuple index. */
static void to_v6_form(uint8_t out[16], uint8_t family, const uint8_t addr[16])
{
	static const uint8_t zero4[4];

	if (family == AF_INET && !memcmp(addr, zero4, 4)) {
		memset(out, 0, 16);
	} else if (family == AF_INET) {
		memcpy(out, v4_mapped_prefix, 12);
		memcpy(out + 12, addr, 4);
	} else {
		memcpy(out, addr, 16);
	}
}

static bool is_inet(uint8_t proto)
{
	return proto == SOCK_PROTO_TCP || proto == SOCK_PROTO_UDP;
}

/* An IPv6-form address that the entry's 4 bytes can hold: :: (as 0), or v4-mapped with a
 * non-zero IPv4 part (::ffff:0.0.0.0 is not ::, so it keeps the long form). */
static bool fits_v4(const uint8_t a[16], uint32_t *v4)
{
	static const uint8_t zero[16];

	if (!memcmp(a, zero, 16)) {
		*v4 = 0;
		return true;
	}
	memcpy(v4, a + 12, 4);
	return !memcmp(a, v4_mapped_prefix, 12) && *v4;
}

void half_addr_v6(const struct half_assoc *h, bool local, uint8_t out[16])
{
	uint32_t v4;

	if (!is_inet(h->proto)) {
		memset(out, 0, 16);
	} else if (h->addrs_v6) {
		memcpy(out, h->v6 + (local ? 0 : 16), 16);
	} else if (!(v4 = h->v4[local ? 0 : 1])) {
		memset(out, 0, 16);
	} else {
		memcpy(out, v4_mapped_prefix, 12);
		memcpy(out + 12, &v4, 4);
	}
}

uint8_t *half_block(const struct half_assoc *h)
{
	if (h->proto == SOCK_PROTO_UNIX)
		return h->name;
	return is_inet(h->proto) && h->addrs_v6 ? h->v6 : NULL;
}

/* Store both IPv6-form addresses in h: in the entry when they fit, else in a block. */
static int set_addrs(struct assoc_table *t, struct half_assoc *h, const uint8_t laddr[16],
		     const uint8_t raddr[16])
{
	uint32_t l, r;

	if (fits_v4(laddr, &l) && fits_v4(raddr, &r)) {
		h->addrs_v6 = 0;
		h->v4[0] = l;
		h->v4[1] = r;
		return 0;
	}
	if (!(h->v6 = malloc(32)))
		return -ENOMEM;
	h->addrs_v6 = 1;
	memcpy(h->v6, laddr, 16);
	memcpy(h->v6 + 16, raddr, 16);
	t->block_bytes += 32;
	return 0;
}

static void tuple_of(const struct half_assoc *h, struct tuple_key *k, bool mirror)
{
	memset(k, 0, sizeof(*k));
	k->netns = h->netns;
	k->proto = h->proto;
	half_addr_v6(h, !mirror, k->laddr);
	half_addr_v6(h, mirror, k->raddr);
	k->lport = mirror ? h->rport : h->lport;
	k->rport = mirror ? h->lport : h->rport;
}

/* The fact's tuple as the index keys it. */
static void tuple_of_fact(const struct sock_fact *f, struct tuple_key *k)
{
	memset(k, 0, sizeof(*k));
	k->netns = f->netns;
	k->proto = f->proto;
	to_v6_form(k->laddr, f->family, f->laddr);
	to_v6_form(k->raddr, f->family, f->raddr);
	k->lport = f->lport;
	k->rport = f->rport;
}

static uint64_t tuple_hash(const struct tuple_key *k)
{
	return slot_hash(k, sizeof(*k));
}

static bool is_port(uint8_t proto, uint8_t state, uint16_t lport, uint64_t peer_inode, bool named)
{
	switch (proto) {
	case SOCK_PROTO_TCP:
		return state == SK_LISTEN;
	case SOCK_PROTO_UDP:
		return state != SK_ESTABLISHED && lport;
	case SOCK_PROTO_UNIX:
		return state == SK_LISTEN || (state == SK_CLOSE && !peer_inode && named);
	}
	return false;
}

bool half_is_port(const struct half_assoc *h)
{
	return is_port(h->proto, h->state, h->lport, h->peer_inode,
		       h->proto == SOCK_PROTO_UNIX && h->name);
}

bool fact_is_port(const struct sock_fact *f)
{
	return is_port(f->proto, f->state, is_inet(f->proto) ? f->lport : 0, f->peer_inode,
		       f->path && f->path_len);
}

bool half_is_connected(const struct half_assoc *h)
{
	switch (h->proto) {
	case SOCK_PROTO_TCP:
		return h->state != SK_LISTEN && h->state != SK_CLOSE;
	case SOCK_PROTO_UDP:
		return h->state == SK_ESTABLISHED;
	case SOCK_PROTO_UNIX:
		return h->peer_inode != 0;
	}
	return false;
}

static bool cookie_matches(const void *ctx, uint32_t ref, const void *key)
{
	const struct assoc_table *t = ctx;

	return t->socks[ref].cookie == *(const uint64_t *)key;
}

static bool inode_matches(const void *ctx, uint32_t ref, const void *key)
{
	const struct assoc_table *t = ctx;

	return t->socks[ref].inode == *(const uint64_t *)key;
}

static bool tuple_matches(const void *ctx, uint32_t ref, const void *key)
{
	const struct assoc_table *t = ctx;
	const struct tuple_query *q = key;
	const struct half_assoc *h = &t->socks[ref];
	uint8_t a[16];

	if (ref == q->exclude || (q->cookie && h->cookie && h->cookie != q->cookie) ||
	    (q->connected && !half_is_connected(h)))
		return false;
	/* the fields tuple_of() would copy, compared in place (called for every candidate) */
	if (h->netns != q->k.netns || h->proto != q->k.proto || h->lport != q->k.lport ||
	    h->rport != q->k.rport)
		return false;
	half_addr_v6(h, true, a);
	if (memcmp(a, q->k.laddr, 16))
		return false;
	half_addr_v6(h, false, a);
	return !memcmp(a, q->k.raddr, 16);
}

int assoc_table_init(struct assoc_table *t, uint32_t max_socks)
{
	memset(t, 0, sizeof(*t));
	t->max_socks = max_socks ? max_socks : 1;
	if (slot_index_init(&t->by_cookie, 256) || slot_index_init(&t->by_inode, 256) ||
	    slot_index_init(&t->by_tuple, 256) || proc_table_init(&t->procs)) {
		assoc_table_free(t);
		return -ENOMEM;
	}
	return 0;
}

void assoc_table_free(struct assoc_table *t)
{
	for (uint32_t i = 0; i < t->n_slots; i++)
		free(half_block(&t->socks[i]));
	free(t->socks);
	free(t->links);
	slot_index_free(&t->by_cookie);
	slot_index_free(&t->by_inode);
	slot_index_free(&t->by_tuple);
	proc_table_free(&t->procs);
	free(t->closed);
	memset(t, 0, sizeof(*t));
}

int assoc_table_clear(struct assoc_table *t)
{
	struct closed_cookie *closed = t->closed; /* still closed after a re-snapshot */
	uint32_t max = t->max_socks;
	uint64_t dropped = t->dropped;
	int err;

	t->closed = NULL;
	assoc_table_free(t);
	err = assoc_table_init(t, max);
	t->dropped = dropped;
	t->closed = closed;
	return err;
}

int assoc_table_renew(struct assoc_table *t, struct assoc_table *old)
{
	int err = assoc_table_init(t, old->max_socks);

	if (err)
		return err;
	t->dropped = old->dropped;
	t->closed = old->closed; /* still closed after a re-snapshot */
	old->closed = NULL;
	return 0;
}

void assoc_table_note_closed(struct assoc_table *t, uint64_t cookie, uint64_t ts_ns)
{
	struct closed_cookie *c;

	if (!cookie)
		return;
	if (!t->closed && !(t->closed = calloc(ASSOC_CLOSED_SLOTS, sizeof(*t->closed))))
		return;
	c = &t->closed[slot_hash_u64(cookie) % ASSOC_CLOSED_SLOTS];
	c->cookie = cookie;
	c->ts_ns = ts_ns;
}

bool assoc_table_closed_at(const struct assoc_table *t, uint64_t cookie, uint64_t *ts_ns)
{
	const struct closed_cookie *c;

	if (!cookie || !t->closed)
		return false;
	c = &t->closed[slot_hash_u64(cookie) % ASSOC_CLOSED_SLOTS];
	if (c->cookie != cookie)
		return false;
	*ts_ns = c->ts_ns;
	return true;
}

const struct half_assoc *assoc_table_get(const struct assoc_table *t, uint32_t i)
{
	return i < t->n_slots && t->socks[i].proto ? &t->socks[i] : NULL;
}

/* The entry of the socket with this cookie, else inode, else (inet) tuple; or SLOT_NONE.
 * tuple_from: the half or the fact whose tuple to look up, asked only when needed. */
static uint32_t find_by(const struct assoc_table *t, uint64_t cookie, uint64_t inode,
			uint8_t proto, const struct half_assoc *tuple_half,
			const struct sock_fact *tuple_fact)
{
	struct tuple_query q = { .cookie = cookie, .exclude = SLOT_NONE };
	uint32_t ref;

	if (cookie) {
		ref = slot_index_find(&t->by_cookie, slot_hash_u64(cookie), cookie_matches, t,
				      &cookie);
		if (ref != SLOT_NONE)
			return ref;
	}
	if (inode) {
		ref = slot_index_find(&t->by_inode, slot_hash_u64(inode), inode_matches, t, &inode);
		if (ref != SLOT_NONE)
			return ref;
	}
	/* the tuple lookup finds an entry without a cookie or with this one, which the cookie
	 * index would have found: with none of the first kind there is nothing left to find */
	if (!is_inet(proto) || (cookie && !t->n_without_cookie))
		return SLOT_NONE;
	if (tuple_half)
		tuple_of(tuple_half, &q.k, false);
	else
		tuple_of_fact(tuple_fact, &q.k);
	return slot_index_find(&t->by_tuple, tuple_hash(&q.k), tuple_matches, t, &q);
}

/* The entry the fact describes, or SLOT_NONE. */
static uint32_t find(const struct assoc_table *t, const struct sock_fact *f)
{
	return find_by(t, f->cookie, f->inode, f->proto, NULL, f);
}

const struct half_assoc *assoc_table_find(const struct assoc_table *t, const struct sock_fact *f)
{
	uint32_t ref = find(t, f);

	return ref == SLOT_NONE ? NULL : &t->socks[ref];
}

const struct half_assoc *assoc_table_find_half(const struct assoc_table *t,
					       const struct half_assoc *h)
{
	uint32_t ref = find_by(t, h->cookie, h->inode, h->proto, h, NULL);

	return ref == SLOT_NONE ? NULL : &t->socks[ref];
}

static int index_add(struct assoc_table *t, uint32_t ref)
{
	const struct half_assoc *h = &t->socks[ref];
	struct tuple_key k;

	if (h->cookie && slot_index_add(&t->by_cookie, slot_hash_u64(h->cookie), ref))
		return -ENOMEM;
	if (h->inode && slot_index_add(&t->by_inode, slot_hash_u64(h->inode), ref))
		return -ENOMEM;
	if (is_inet(h->proto)) {
		tuple_of(h, &k, false);
		if (slot_index_add(&t->by_tuple, tuple_hash(&k), ref))
			return -ENOMEM;
	}
	return 0;
}

static void index_del(struct assoc_table *t, uint32_t ref)
{
	const struct half_assoc *h = &t->socks[ref];
	struct tuple_key k;

	if (h->cookie)
		slot_index_del(&t->by_cookie, slot_hash_u64(h->cookie), ref);
	if (h->inode)
		slot_index_del(&t->by_inode, slot_hash_u64(h->inode), ref);
	if (is_inet(h->proto)) {
		tuple_of(h, &k, false);
		slot_index_del(&t->by_tuple, tuple_hash(&k), ref);
	}
}

/* The entry array holds exactly cap entries (cap <= max_socks). */
static int resize_socks(struct assoc_table *t, uint32_t cap)
{
	struct half_assoc *resized = realloc(t->socks, (size_t)cap * sizeof(*resized));

	if (!resized)
		return -ENOMEM;
	t->socks = resized;
	t->cap = cap;
	return 0;
}

static uint32_t alloc_entry(struct assoc_table *t)
{
	uint32_t i;

	if (t->free_head) {
		i = t->free_head - 1;
		t->free_head = t->socks[i].more_owners;
		return i;
	}
	if (t->n_slots == t->cap) {
		/* x1.5, not x2: the entries are most of the table's memory; at least 256 more
		 * (a table fitted to one entry would otherwise "grow" to one) */
		uint32_t cap = t->cap + (t->cap / 2 > 256 ? t->cap / 2 : 256);

		if (cap > t->max_socks)
			cap = t->max_socks;
		if (resize_socks(t, cap))
			return SLOT_NONE;
	}
	return t->n_slots++;
}

int assoc_table_reserve(struct assoc_table *t, uint32_t socks, uint32_t inet_socks)
{
	if (socks > t->max_socks)
		socks = t->max_socks;
	if (inet_socks > socks)
		inet_socks = socks;
	if ((socks > t->cap && resize_socks(t, socks)) ||
	    slot_index_reserve(&t->by_cookie, socks) || slot_index_reserve(&t->by_inode, socks) ||
	    slot_index_reserve(&t->by_tuple, inet_socks))
		return -ENOMEM;
	return 0;
}

void assoc_table_fit(struct assoc_table *t)
{
	if (t->n_slots && t->n_slots < t->cap)
		resize_socks(t, t->n_slots); /* shrinking: on failure the larger array stays */
}

static bool is_owner(const struct assoc_table *t, const struct half_assoc *h, uint32_t pid)
{
	if (h->owner == pid)
		return true;
	for (uint32_t l = h->more_owners; l; l = t->links[l - 1].next)
		if (t->links[l - 1].pid == pid)
			return true;
	return false;
}

bool assoc_table_has_owner(const struct assoc_table *t, const struct half_assoc *h, uint32_t pid)
{
	return pid && is_owner(t, h, pid);
}

static int add_owner(struct assoc_table *t, struct half_assoc *h, uint32_t pid)
{
	uint32_t l;

	if (!pid || is_owner(t, h, pid))
		return 0;
	if (!h->owner) {
		h->owner = pid;
		return 1;
	}
	if (t->links_free) {
		l = t->links_free - 1;
		t->links_free = t->links[l].next;
	} else {
		if (t->n_links == t->links_cap) {
			uint32_t cap = t->links_cap ? t->links_cap * 2 : 64;
			struct owner_link *bigger = realloc(t->links, cap * sizeof(*bigger));

			if (!bigger)
				return -ENOMEM;
			t->links = bigger;
			t->links_cap = cap;
		}
		l = t->n_links++;
	}
	/* appended, so owners list in the order they were learnt */
	t->links[l].pid = pid;
	t->links[l].next = 0;
	if (!h->more_owners) {
		h->more_owners = l + 1;
	} else {
		uint32_t last = h->more_owners;

		while (t->links[last - 1].next)
			last = t->links[last - 1].next;
		t->links[last - 1].next = l + 1;
	}
	return 1;
}

static int set_name(struct assoc_table *t, struct half_assoc *h, const uint8_t *path,
		    uint16_t len)
{
	if (h->proto != SOCK_PROTO_UNIX || !path || !len || h->name)
		return 0;
	h->name = malloc(2 + (size_t)len);
	if (!h->name)
		return -ENOMEM;
	memcpy(h->name, &len, 2);
	memcpy(h->name + 2, path, len);
	t->block_bytes += 2 + (size_t)len;
	return 0;
}

static void note_owner(struct assoc_table *t, const struct sock_fact *f)
{
	if (f->has_owner && f->pid)
		proc_table_note(&t->procs, f->pid, f->uid, f->comm, f->cgroup);
}

int assoc_table_upsert(struct assoc_table *t, const struct sock_fact *f, bool *created)
{
	uint32_t ref = find(t, f);
	struct half_assoc *h;
	bool dummy;
	int err;

	if (!created)
		created = &dummy;
	*created = false;
	if (ref != SLOT_NONE) {
		h = &t->socks[ref];
		/* what the entry lacks, the fact may know: a cookie or inode learnt later */
		if ((f->cookie && !h->cookie) || (f->inode && !h->inode)) {
			index_del(t, ref);
			if (!h->cookie && f->cookie) {
				h->cookie = f->cookie;
				t->n_without_cookie--;
			}
			if (!h->inode)
				h->inode = f->inode;
			if ((err = index_add(t, ref)))
				return err;
		}
		if (f->peer_inode && h->proto == SOCK_PROTO_UNIX)
			h->peer_inode = f->peer_inode;
		if ((err = set_name(t, h, f->path, f->path_len)))
			return err;
		if (f->has_owner && (err = add_owner(t, h, f->pid)) < 0)
			return err;
		note_owner(t, f);
		return ref;
	}
	if (t->n_used >= t->max_socks) {
		t->dropped++;
		return -ENOSPC;
	}
	ref = alloc_entry(t);
	if (ref == SLOT_NONE)
		return -ENOMEM;
	h = &t->socks[ref];
	*created = true;
	memset(h, 0, sizeof(*h));
	h->cookie = f->cookie;
	h->inode = f->inode;
	h->netns = f->netns;
	h->proto = f->proto;
	h->family = f->family;
	h->type = f->type;
	h->state = f->state;
	h->passive = f->passive;
	if (is_inet(f->proto)) {
		uint8_t laddr[16], raddr[16];

		to_v6_form(laddr, f->family, f->laddr);
		to_v6_form(raddr, f->family, f->raddr);
		if ((err = set_addrs(t, h, laddr, raddr))) {
			memset(h, 0, sizeof(*h)); /* back on the free list, as if never taken */
			h->more_owners = t->free_head;
			t->free_head = ref + 1;
			return err;
		}
		h->lport = f->lport;
		h->rport = f->rport;
	} else {
		h->peer_inode = f->peer_inode;
	}
	t->n_used++;
	t->n_without_cookie += !h->cookie;
	if ((err = index_add(t, ref)) || (err = set_name(t, h, f->path, f->path_len)) ||
	    (f->has_owner && (err = add_owner(t, h, f->pid)) < 0))
		return err;
	note_owner(t, f);
	return ref;
}

static void link_free(struct assoc_table *t, uint32_t l)
{
	t->links[l - 1].next = t->links_free;
	t->links_free = l;
}

int assoc_table_remove(struct assoc_table *t, const struct sock_fact *f)
{
	uint32_t ref = find(t, f), l;
	struct half_assoc *h;

	if (ref == SLOT_NONE)
		return 0;
	h = &t->socks[ref];
	index_del(t, ref);
	for (l = h->more_owners; l;) {
		uint32_t next = t->links[l - 1].next;

		link_free(t, l);
		l = next;
	}
	if (h->proto == SOCK_PROTO_UNIX && h->name) {
		uint16_t len;

		memcpy(&len, h->name, 2);
		t->block_bytes -= 2 + (size_t)len;
	}
	if (is_inet(h->proto) && h->addrs_v6)
		t->block_bytes -= 32;
	free(half_block(h));
	t->n_without_cookie -= !h->cookie;
	memset(h, 0, sizeof(*h));
	h->more_owners = t->free_head;
	t->free_head = ref + 1;
	t->n_used--;
	return 1;
}

/* Take pid off one socket's owners (the next owner, if any, becomes the first). */
static bool drop_owner(struct assoc_table *t, struct half_assoc *h, uint32_t pid)
{
	uint32_t *prev = &h->more_owners, l;

	if (h->owner == pid) {
		l = h->more_owners;
		h->owner = l ? t->links[l - 1].pid : 0;
		if (l) {
			h->more_owners = t->links[l - 1].next;
			link_free(t, l);
		}
		return true;
	}
	for (l = *prev; l; prev = &t->links[l - 1].next, l = *prev) {
		if (t->links[l - 1].pid == pid) {
			*prev = t->links[l - 1].next;
			link_free(t, l);
			return true;
		}
	}
	return false;
}

int assoc_table_drop_owner(struct assoc_table *t, uint32_t pid, unsigned protos)
{
	int n = 0;

	/* most exiting processes never owned a socket here: one lookup, no walk */
	if (!pid || !proc_table_find(&t->procs, pid))
		return 0;
	for (uint32_t i = 0; i < t->n_slots; i++)
		if ((protos & PROTO_BIT(t->socks[i].proto)) && drop_owner(t, &t->socks[i], pid))
			n++;
	return n;
}

int assoc_table_forget_process(struct assoc_table *t, uint32_t pid)
{
	if (!pid || !proc_table_find(&t->procs, pid))
		return 0;
	for (uint32_t i = 0; i < t->n_slots; i++)
		if ((PROTO_ALL & PROTO_BIT(t->socks[i].proto)) && is_owner(t, &t->socks[i], pid))
			return 0;
	return proc_table_forget(&t->procs, pid);
}

int assoc_table_add_owner_by_inode(struct assoc_table *t, uint64_t inode, uint32_t pid,
				   uint32_t uid, const uint8_t *comm, uint64_t cgroup)
{
	uint32_t ref;
	int added;

	if (!inode || !pid)
		return 0;
	ref = slot_index_find(&t->by_inode, slot_hash_u64(inode), inode_matches, t, &inode);
	if (ref == SLOT_NONE)
		return 0;
	added = add_owner(t, &t->socks[ref], pid);
	if (added >= 0)
		proc_table_note(&t->procs, pid, uid, comm, cgroup);
	return added;
}

const struct half_assoc *assoc_table_peer(const struct assoc_table *t, const struct half_assoc *h)
{
	struct tuple_query q = { .exclude = (uint32_t)(h - t->socks), .connected = true };
	uint32_t ref;

	if (!half_is_connected(h))
		return NULL;
	if (h->proto == SOCK_PROTO_UNIX) {
		ref = slot_index_find(&t->by_inode, slot_hash_u64(h->peer_inode), inode_matches, t,
				      &h->peer_inode);
		return ref == SLOT_NONE ? NULL : &t->socks[ref];
	}
	tuple_of(h, &q.k, true);
	ref = slot_index_find(&t->by_tuple, tuple_hash(&q.k), tuple_matches, t, &q);
	return ref == SLOT_NONE ? NULL : &t->socks[ref];
}

bool assoc_table_port_listening(const struct assoc_table *t, const struct half_assoc *h)
{
	static const uint8_t any[16];
	uint8_t laddr[16];
	const uint8_t *addrs[] = { laddr, any };
	struct tuple_query q = { .exclude = SLOT_NONE };

	if (h->proto != SOCK_PROTO_TCP)
		return false;
	half_addr_v6(h, true, laddr);
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		memset(&q.k, 0, sizeof(q.k));
		q.k.netns = h->netns;
		q.k.proto = SOCK_PROTO_TCP;
		memcpy(q.k.laddr, addrs[i], 16);
		q.k.lport = h->lport;
		if (slot_index_find(&t->by_tuple, tuple_hash(&q.k), tuple_matches, t, &q) != SLOT_NONE)
			return true;
	}
	return false;
}

size_t half_owners(const struct assoc_table *t, const struct half_assoc *h, uint32_t *pids,
		   size_t max)
{
	size_t n = 0;

	if (h->owner && n < max)
		pids[n++] = h->owner;
	for (uint32_t l = h->more_owners; l && n < max; l = t->links[l - 1].next)
		pids[n++] = t->links[l - 1].pid;
	return n;
}

const uint8_t *half_name(const struct half_assoc *h, uint16_t *len)
{
	if (h->proto != SOCK_PROTO_UNIX || !h->name) {
		*len = 0;
		return NULL;
	}
	memcpy(len, h->name, 2);
	return h->name + 2;
}

void half_addr(const struct half_assoc *h, bool local, uint8_t out[16])
{
	uint8_t a[16];

	half_addr_v6(h, local, a);
	memset(out, 0, 16);
	if (h->family == AF_INET)
		memcpy(out, a + 12, 4);
	else
		memcpy(out, a, 16);
}

size_t assoc_table_bytes(const struct assoc_table *t)
{
	return (size_t)t->cap * sizeof(*t->socks) + (size_t)t->links_cap * sizeof(*t->links) +
	       t->block_bytes + slot_index_bytes(&t->by_cookie) + slot_index_bytes(&t->by_inode) +
	       slot_index_bytes(&t->by_tuple) + proc_table_bytes(&t->procs) +
	       (t->closed ? ASSOC_CLOSED_SLOTS * sizeof(*t->closed) : 0);
}
