// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The live table: join, multi-owner, idempotent updates, removal, cap, and the index below it. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "assoc_table.h"
#include "live_cli.h"
#include "slot_index.h"
#include "table_feed.h"
#include "table_fmt.h"
#include "unit.h"

static struct sock_fact tcp_fact(uint64_t cookie, const char *l, int lport, const char *r, int rport)
{
	struct sock_fact f = { .proto = SOCK_PROTO_TCP, .family = AF_INET, .state = SK_ESTABLISHED,
			       .netns = 7, .cookie = cookie };

	inet_pton(AF_INET, l, f.laddr);
	inet_pton(AF_INET, r, f.raddr);
	f.lport = lport;
	f.rport = rport;
	return f;
}

static void owned(struct sock_fact *f, uint32_t pid, const char *comm)
{
	static uint8_t names[8][16];
	static int n;
	uint8_t *c = names[n++ % 8];

	memset(c, 0, 16);
	strncpy((char *)c, comm, 15);
	f->has_owner = true;
	f->pid = pid;
	f->comm = c;
}

static void loopback_halves_join(void **state)
{
	struct assoc_table t;
	struct sock_fact cli = tcp_fact(11, "127.0.0.1", 50000, "127.0.0.1", 80);
	struct sock_fact srv = tcp_fact(12, "127.0.0.1", 80, "127.0.0.1", 50000);
	const struct half_assoc *a, *b;

	(void)state;
	assert_int_equal(assoc_table_init(&t, 100), 0);
	owned(&cli, 100, "curl");
	owned(&srv, 200, "nginx");
	srv.passive = 1;
	assert_true(assoc_table_upsert(&t, &cli, NULL) >= 0);
	a = assoc_table_find(&t, &cli);
	assert_null(assoc_table_peer(&t, a)); /* the other half is not there yet */
	assert_true(assoc_table_upsert(&t, &srv, NULL) >= 0);
	a = assoc_table_find(&t, &cli);
	b = assoc_table_find(&t, &srv);
	assert_ptr_equal(assoc_table_peer(&t, a), b);
	assert_ptr_equal(assoc_table_peer(&t, b), a);
	assert_string_equal((char *)proc_table_find(&t.procs, 200)->comm, "nginx");
	/* an IPv4-mapped IPv6 half joins an IPv4 one */
	{
		struct sock_fact v6 = tcp_fact(13, "0.0.0.0", 80, "0.0.0.0", 50001);
		struct sock_fact v4 = tcp_fact(14, "127.0.0.1", 50001, "127.0.0.1", 80);

		v6.family = AF_INET6;
		inet_pton(AF_INET6, "::ffff:127.0.0.1", v6.laddr);
		inet_pton(AF_INET6, "::ffff:127.0.0.1", v6.raddr);
		assoc_table_upsert(&t, &v6, NULL);
		assoc_table_upsert(&t, &v4, NULL);
		assert_ptr_equal(assoc_table_peer(&t, assoc_table_find(&t, &v6)), assoc_table_find(&t, &v4));
	}
	/* another namespace never joins */
	{
		struct sock_fact other = tcp_fact(15, "127.0.0.1", 80, "127.0.0.1", 50000);

		other.netns = 8;
		assoc_table_upsert(&t, &other, NULL);
		assert_ptr_equal(assoc_table_peer(&t, assoc_table_find(&t, &cli)), assoc_table_find(&t, &srv));
	}
	assoc_table_free(&t);
}

static void idempotent_and_multi_owner(void **state)
{
	struct assoc_table t;
	struct sock_fact snap = tcp_fact(21, "0.0.0.0", 8080, "0.0.0.0", 0), ev;
	uint32_t pids[4];
	bool created;

	(void)state;
	assoc_table_init(&t, 100);
	snap.state = SK_LISTEN;
	snap.inode = 555;
	assert_true(assoc_table_upsert(&t, &snap, &created) >= 0 && created);
	/* owners from two processes' descriptors, one of them twice */
	assert_int_equal(assoc_table_add_owner_by_inode(&t, 555, 10, 0, (const uint8_t *)"a\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), 1);
	assert_int_equal(assoc_table_add_owner_by_inode(&t, 555, 11, 0, NULL), 1);
	assert_int_equal(assoc_table_add_owner_by_inode(&t, 555, 11, 0, NULL), 0);
	assert_int_equal(assoc_table_add_owner_by_inode(&t, 999, 12, 0, NULL), 0);
	/* the listen event that raced the snapshot: merged, not doubled; its owner added */
	ev = snap;
	ev.inode = 0;
	owned(&ev, 12, "c");
	assert_true(assoc_table_upsert(&t, &ev, &created) >= 0 && !created);
	assert_int_equal(t.n_used, 1);
	assert_int_equal(half_owners(&t, assoc_table_find(&t, &snap), pids, 4), 3);
	assert_int_equal(pids[0], 10);
	assert_int_equal(pids[2], 12);
	/* no cookie in the event (kprobe backend, old kernels): found by its tuple */
	ev.cookie = 0;
	assert_true(assoc_table_upsert(&t, &ev, &created) >= 0 && !created);
	assert_int_equal(assoc_table_remove(&t, &ev), 1);
	assert_int_equal(assoc_table_remove(&t, &ev), 0); /* a close seen twice */
	assert_int_equal(t.n_used, 0);
	assoc_table_free(&t);
}

static void unix_pair_and_names(void **state)
{
	struct assoc_table t;
	struct sock_fact a = { .proto = SOCK_PROTO_UNIX, .family = SOCK_STREAM, .state = SK_ESTABLISHED,
			       .netns = 7, .inode = 100, .peer_inode = 101 };
	struct sock_fact b = a, l = a;
	const uint8_t path[] = "/run/x.sock";
	uint16_t len;

	(void)state;
	assoc_table_init(&t, 100);
	b.inode = 101;
	b.peer_inode = 100;
	l.inode = 102;
	l.peer_inode = 0;
	l.state = SK_LISTEN;
	l.path = path;
	l.path_len = sizeof(path);
	assoc_table_upsert(&t, &a, NULL);
	assoc_table_upsert(&t, &b, NULL);
	assoc_table_upsert(&t, &l, NULL);
	assert_ptr_equal(assoc_table_peer(&t, assoc_table_find(&t, &a)), assoc_table_find(&t, &b));
	assert_true(half_is_port(assoc_table_find(&t, &l)));
	assert_false(half_is_connected(assoc_table_find(&t, &l)));
	assert_memory_equal(half_name(assoc_table_find(&t, &l), &len), path, sizeof(path));
	assert_int_equal(len, sizeof(path));
	assert_int_equal(assoc_table_remove(&t, &l), 1);
	assert_int_equal(t.name_bytes, 0);
	assoc_table_free(&t);
}

static void cap_counts_what_did_not_fit(void **state)
{
	struct assoc_table t;

	(void)state;
	assoc_table_init(&t, 3);
	for (int i = 0; i < 5; i++) {
		struct sock_fact f = tcp_fact(100 + i, "10.0.0.1", 1000 + i, "10.0.0.2", 80);
		int r = assoc_table_upsert(&t, &f, NULL);

		assert_true(i < 3 ? r >= 0 : r == -ENOSPC);
	}
	assert_int_equal(t.n_used, 3);
	assert_int_equal(t.dropped, 2);
	/* room again after a removal; the freed entry is reused */
	{
		struct sock_fact f = tcp_fact(100, "10.0.0.1", 1000, "10.0.0.2", 80);
		struct sock_fact g = tcp_fact(200, "10.0.0.1", 2000, "10.0.0.2", 80);

		assert_int_equal(assoc_table_remove(&t, &f), 1);
		assert_int_equal(assoc_table_upsert(&t, &g, NULL), 0);
	}
	assoc_table_free(&t);
}

static bool ref_is(const void *ctx, uint32_t ref, const void *key)
{
	(void)ctx;
	return ref == *(const uint32_t *)key;
}

/* Many colliding and non-colliding entries, removed in a scrambled order: every lookup in
 * between still finds exactly what is there (backward-shift deletion keeps probe runs whole). */
static void slot_index_survives_churn(void **state)
{
	struct slot_index ix;
	enum { N = 5000 };
	static bool present[N];

	(void)state;
	assert_int_equal(slot_index_init(&ix, 0), 0);
	for (uint32_t i = 0; i < N; i++) {
		assert_int_equal(slot_index_add(&ix, i % 7 ? slot_hash_u64(i) : 42, i), 0);
		present[i] = true;
	}
	for (uint32_t k = 0; k < N; k++) {
		uint32_t i = (k * 2654435761u) % N;

		if (!present[i])
			continue;
		assert_int_equal(slot_index_del(&ix, i % 7 ? slot_hash_u64(i) : 42, i), 0);
		present[i] = false;
		if (k % 97 == 0)
			for (uint32_t j = 0; j < N; j++) {
				uint32_t got = slot_index_find(&ix, j % 7 ? slot_hash_u64(j) : 42, ref_is, NULL, &j);

				assert_int_equal(got, present[j] ? j : SLOT_NONE);
			}
	}
	for (uint32_t i = 0; i < N; i++) /* what the scrambled order did not reach */
		if (present[i])
			assert_int_equal(slot_index_del(&ix, i % 7 ? slot_hash_u64(i) : 42, i), 0);
	assert_int_equal(ix.used, 0);
	assert_int_equal(slot_index_del(&ix, 42, 7), -ENOENT);
	slot_index_free(&ix);
}

static void events_feed_the_table(void **state)
{
	struct assoc_table t;
	struct ss_tcp_event e = { .hdr = { .type = SS_EV_TCP_CONNECT, .version = SS_ABI_VERSION,
					   .size = sizeof(e) } };

	(void)state;
	assoc_table_init(&t, 100);
	e.cookie = 5;
	e.netns = 7;
	e.tuple.family = AF_INET;
	e.tuple.sport = 40000;
	e.tuple.dport = 80;
	e.owner.pid = 33;
	memcpy(e.owner.comm, "\"}\n\x1b[31m", 8);
	assert_int_equal(table_apply(&t, &e.hdr, 8), FEED_IGNORED); /* another namespace */
	assert_int_equal(table_apply(&t, &e.hdr, 7), FEED_OPENED);
	assert_int_equal(table_apply(&t, &e.hdr, 7), FEED_MERGED);
	/* untrusted names stay escaped in both formats */
	{
		struct linebuf b;

		fmt_assoc_json(&b, &t, assoc_table_get(&t, 0), NULL, NULL);
		assert_non_null(strstr(b.buf, "\"comm\":\"\\\"}\\n\\u001b[31m\""));
		fmt_assoc_text(&b, &t, assoc_table_get(&t, 0), NULL, NULL);
		assert_null(memchr(b.buf, 0x1b, b.len));
		assert_non_null(memmem(b.buf, b.len, "33/\"}\\x0a\\x1b[31m", 17));
	}
	e.hdr.type = SS_EV_TCP_CLOSE;
	assert_int_equal(table_apply(&t, &e.hdr, 7), FEED_CLOSED);
	assert_int_equal(table_apply(&t, &e.hdr, 7), FEED_IGNORED);
	assoc_table_free(&t);
}

static FILE *devnull;

static void live_options(void **state)
{
	struct live_opts o;
	char *ok[] = { "assoc", "-j", "--proto", "tcp,unix", "-p", "9", "--watch", "-d", "2",
		       "--backend", "kprobe", "--max-sockets", "10" };
	char *watch_only[] = { "assoc", "-d", "2" };
	char *bad_proto[] = { "ports", "--proto", "sctp" };
	char *ports_watch[] = { "ports", "--watch" };
	char *top_json[] = { "top", "-j" };
	char *extra[] = { "ports", "x" };

	(void)state;
	assert_int_equal(cli_parse_live(LIVE_ASSOC, 13, ok, &o, devnull), CLI_RUN);
	assert_true(o.json && o.watch);
	assert_int_equal(o.protos, 1u << SOCK_PROTO_TCP | 1u << SOCK_PROTO_UNIX);
	assert_int_equal(o.pid, 9);
	assert_int_equal(o.max_socks, 10);
	assert_int_equal(o.backend, BACKEND_KPROBE);
	assert_int_equal(cli_parse_live(LIVE_ASSOC, 3, watch_only, &o, devnull), CLI_USAGE);
	assert_int_equal(cli_parse_live(LIVE_PORTS, 3, bad_proto, &o, devnull), CLI_USAGE);
	assert_int_equal(cli_parse_live(LIVE_PORTS, 2, ports_watch, &o, devnull), CLI_USAGE);
	assert_int_equal(cli_parse_live(LIVE_TOP, 2, top_json, &o, devnull), CLI_USAGE);
	assert_int_equal(cli_parse_live(LIVE_PORTS, 2, extra, &o, devnull), CLI_USAGE);
	assert_int_equal(cli_parse_live(LIVE_PORTS, 1, extra, &o, devnull), CLI_RUN);
	assert_int_equal(o.protos, PROTO_MASK_ALL);
}

int run_assoc_table_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loopback_halves_join),
		cmocka_unit_test(idempotent_and_multi_owner),
		cmocka_unit_test(unix_pair_and_names),
		cmocka_unit_test(cap_counts_what_did_not_fit),
		cmocka_unit_test(slot_index_survives_churn),
		cmocka_unit_test(events_feed_the_table),
		cmocka_unit_test(live_options),
	};
	int failed;

	devnull = fopen("/dev/null", "w");
	failed = cmocka_run_group_tests_name("assoc_table", tests, NULL, NULL);
	fclose(devnull);
	return failed;
}
