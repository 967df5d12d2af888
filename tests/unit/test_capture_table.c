// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* A table written as SS_CAP_SOCK records and read back is the same table: every field, the
 * owners in order with their names, also past one record's worth of owners. */
#include <stdlib.h>
#include "capture_table.h"
#include "table_helpers.h"
#include "unit.h"

struct records {
	struct capture_table *into;
	unsigned n, socks;
};

static void read_back(void *ctx, const struct ss_hdr *rec)
{
	struct records *r = ctx;

	r->n++;
	r->socks += rec->type == SS_CAP_SOCK;
	assert_int_equal(capture_table_apply(r->into, rec), 0);
}

static void same_entry(const struct assoc_table *a, const struct assoc_table *b,
		       const struct half_assoc *h)
{
	const struct half_assoc *g = assoc_table_find_half(b, h);
	uint32_t pa[64], pb[64];
	size_t na, nb;
	uint16_t la = 0, lb = 0;
	const uint8_t *ma, *mb;

	assert_non_null(g);
	assert_int_equal(g->cookie, h->cookie);
	assert_int_equal(g->inode, h->inode);
	assert_int_equal(g->peer_inode, h->peer_inode);
	assert_int_equal(g->netns, h->netns);
	for (int local = 0; local < 2; local++) {
		uint8_t x[16], y[16];

		half_addr_v6(g, local, x);
		half_addr_v6(h, local, y);
		assert_memory_equal(x, y, 16);
	}
	assert_int_equal(g->lport, h->lport);
	assert_int_equal(g->rport, h->rport);
	assert_int_equal(g->proto, h->proto);
	assert_int_equal(g->family, h->family);
	assert_int_equal(g->type, h->type);
	assert_int_equal(g->state, h->state);
	assert_int_equal(g->passive, h->passive);
	ma = half_name(h, &la);
	mb = half_name(g, &lb);
	assert_int_equal(la, lb);
	if (ma)
		assert_memory_equal(ma, mb, la);
	na = half_owners(a, h, pa, 64);
	nb = half_owners(b, g, pb, 64);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(pa[i], pb[i]);
		assert_memory_equal(proc_table_find(&a->procs, pa[i])->comm,
				    proc_table_find(&b->procs, pb[i])->comm, PROC_COMM_LEN);
	}
}

static void round_trip(void **state)
{
	struct capture_table src, dst;
	struct records r = { .into = &dst };
	struct sock_fact f = tcp_fact(11, "10.0.0.1", 40000, "10.0.0.2", 80);
	struct sock_fact v6 = tcp_fact(12, "0.0.0.0", 0, "0.0.0.0", 0);
	struct sock_fact ux = { .proto = SOCK_PROTO_UNIX, .family = AF_UNIX, .type = SOCK_STREAM,
				.state = SK_ESTABLISHED, .netns = 7, .cookie = 13, .inode = 500,
				.peer_inode = 501, .passive = 1,
				.path = (const uint8_t *)"\0abstract", .path_len = 9 };
	uint64_t bytes;

	(void)state;
	assert_int_equal(capture_table_init(&src, 100), 0);
	assert_int_equal(capture_table_init(&dst, 100), 0);
	owned(&f, 100, "client");
	assert_true(assoc_table_upsert(&src.t, &f, NULL) >= 0);
	/* a listener held by more processes than one record carries */
	v6.family = AF_INET6;
	inet_pton(AF_INET6, "fd00::1", v6.laddr);
	v6.lport = 443;
	v6.state = SK_LISTEN;
	for (uint32_t pid = 1000; pid < 1000 + SS_CAP_SOCK_OWNERS + 5; pid++) {
		owned(&v6, pid, pid % 2 ? "odd" : "even");
		assert_true(assoc_table_upsert(&src.t, &v6, NULL) >= 0);
	}
	owned(&ux, 200, "server");
	assert_true(assoc_table_upsert(&src.t, &ux, NULL) >= 0);

	bytes = capture_table_write(&src.t, 7, 5000, read_back, &r);
	assert_int_equal(r.socks, 4); /* the listener takes two records */
	assert_int_equal(r.n, 5);
	assert_true(bytes > 4 * sizeof(struct ss_cap_sock));
	assert_true(dst.has_snapshot);
	assert_int_equal(dst.snapshot_ns, 5000);
	assert_int_equal(dst.netns, 7);
	assert_int_equal(dst.snapshot_left, 0);
	assert_int_equal(dst.t.n_used, src.t.n_used);
	for (uint32_t i = 0; i < src.t.n_slots; i++)
		if (assoc_table_get(&src.t, i))
			same_entry(&src.t, &dst.t, assoc_table_get(&src.t, i));
	capture_table_free(&src);
	capture_table_free(&dst);
}

/* A unix socket the sweep found closed leaves the table read back. */
static void unix_gone_removes(void **state)
{
	struct capture_table ct;
	struct sock_fact ux = { .proto = SOCK_PROTO_UNIX, .family = AF_UNIX, .type = SOCK_STREAM,
				.state = SK_ESTABLISHED, .netns = 7, .inode = 600 };
	struct ss_cap_unix_gone g = { .hdr = { .type = SS_CAP_UNIX_GONE, .version = SS_ABI_VERSION,
					       .size = sizeof(g), .ts_ns = 9 },
				      .inode = 600, .netns = 7 };

	(void)state;
	assert_int_equal(capture_table_init(&ct, 10), 0);
	assert_true(assoc_table_upsert(&ct.t, &ux, NULL) >= 0);
	assert_int_equal(capture_table_apply(&ct, &g.hdr), 0);
	assert_int_equal(ct.t.n_used, 0);
	capture_table_free(&ct);
}

int run_capture_table_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(unix_gone_removes),
	};

	return cmocka_run_group_tests_name("capture_table", tests, NULL, NULL);
}
