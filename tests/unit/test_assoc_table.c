// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The live table: join, multi-owner, idempotent updates, removal, cap, reservation, ports. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "assoc_table.h"
#include "table_helpers.h"
#include "unit.h"
#include "util.h"

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
	assert_int_equal(assoc_table_add_owner_by_inode(&t, 555, 10, 0, (const uint8_t *)"a\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 0), 1);
	assert_int_equal(assoc_table_add_owner_by_inode(&t, 555, 11, 0, NULL, 0), 1);
	assert_int_equal(assoc_table_add_owner_by_inode(&t, 555, 11, 0, NULL, 0), 0);
	assert_int_equal(assoc_table_add_owner_by_inode(&t, 999, 12, 0, NULL, 0), 0);
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

/* A socket first seen without a cookie (kernels < 5.12, kprobe backend) is found by its tuple
 * when a fact with a cookie names it, and keeps that cookie; once no entry lacks a cookie the
 * tuple is not searched for facts that carry one, and nothing changes for the lookups. */
static void cookie_learnt_from_tuple(void **state)
{
	struct assoc_table t;
	struct sock_fact old = tcp_fact(0, "10.0.0.1", 5000, "10.0.0.2", 80);
	struct sock_fact ev = tcp_fact(31, "10.0.0.1", 5000, "10.0.0.2", 80);
	struct sock_fact other = tcp_fact(32, "10.0.0.1", 5000, "10.0.0.2", 80);
	bool created;

	(void)state;
	assoc_table_init(&t, 100);
	assert_true(assoc_table_upsert(&t, &old, &created) >= 0 && created);
	assert_int_equal(t.n_without_cookie, 1);
	assert_true(assoc_table_upsert(&t, &ev, &created) >= 0 && !created);
	assert_int_equal(t.n_without_cookie, 0);
	assert_int_equal(assoc_table_find(&t, &old)->cookie, 31);
	assert_ptr_equal(assoc_table_find(&t, &ev), assoc_table_find(&t, &old));
	/* the same tuple with another cookie is another socket (the first one's successor) */
	assert_null(assoc_table_find(&t, &other));
	assert_true(assoc_table_upsert(&t, &other, &created) >= 0 && created);
	assert_int_equal(t.n_used, 2);
	assert_int_equal(assoc_table_remove(&t, &ev), 1);
	assert_int_equal(assoc_table_remove(&t, &other), 1);
	/* removing an entry without a cookie counts it out */
	assert_true(assoc_table_upsert(&t, &old, &created) >= 0 && created);
	assert_int_equal(t.n_without_cookie, 1);
	assert_int_equal(assoc_table_remove(&t, &old), 1);
	assert_int_equal(t.n_without_cookie, 0);
	assoc_table_free(&t);
}

/* A re-snapshot (--watch after lost events) compares the old table with the new one: an entry
 * the events made without a cookie and the snapshot's entry of the same socket, which has
 * one, are the same socket both ways (no close and reopen in the log). */
static void resnapshot_cookie_learnt(void **state)
{
	struct assoc_table before, after;
	struct sock_fact ev = tcp_fact(0, "10.0.0.1", 5000, "10.0.0.2", 80);
	struct sock_fact snap = tcp_fact(31, "10.0.0.1", 5000, "10.0.0.2", 80);
	const struct half_assoc *old_h, *new_h;
	bool created;

	(void)state;
	assoc_table_init(&before, 100);
	assoc_table_init(&after, 100);
	assert_true(assoc_table_upsert(&before, &ev, &created) >= 0 && created);
	assert_true(assoc_table_upsert(&after, &snap, &created) >= 0 && created);
	old_h = assoc_table_find(&before, &ev);
	new_h = assoc_table_find(&after, &snap);
	assert_non_null(old_h);
	assert_non_null(new_h);
	assert_ptr_equal(assoc_table_find_half(&after, old_h), new_h);
	assert_ptr_equal(assoc_table_find_half(&before, new_h), old_h);
	assoc_table_free(&before);
	assoc_table_free(&after);
}

static void unix_pair_and_names(void **state)
{
	struct assoc_table t;
	struct sock_fact a = { .proto = SOCK_PROTO_UNIX, .family = AF_UNIX, .type = SOCK_STREAM,
			       .state = SK_ESTABLISHED, .netns = 7, .inode = 100, .peer_inode = 101 };
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
	assert_int_equal(t.block_bytes, 0);
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

/* A table reserved for a snapshot's count takes that many entries without growing (no x1.5
 * slack), stays bounded by max_socks, and fit() gives back what a snapshot did not fill. */
static void reserve_sizes_once(void **state)
{
	struct assoc_table t;
	size_t reserved;

	(void)state;
	assert_int_equal(assoc_table_init(&t, 1000), 0);
	assert_int_equal(assoc_table_reserve(&t, 600, 400), 0);
	assert_int_equal(t.cap, 600);
	reserved = assoc_table_bytes(&t);
	for (uint32_t i = 0; i < 600; i++) {
		struct sock_fact f = tcp_fact(1 + i, "10.0.0.1", 1000 + i, "10.0.0.2", 80);

		if (i >= 400) { /* unix sockets: no tuple */
			f = (struct sock_fact){ .proto = SOCK_PROTO_UNIX, .family = AF_UNIX, .type = SOCK_STREAM,
						.state = SK_ESTABLISHED, .netns = 7, .cookie = 1 + i,
						.inode = 5000 + i, .peer_inode = 9000 + i };
		}
		assert_true(assoc_table_upsert(&t, &f, NULL) >= 0);
	}
	assert_int_equal(t.n_used, 600);
	assert_int_equal(t.cap, 600);
	assert_int_equal(assoc_table_bytes(&t), reserved); /* neither entries nor indexes grew */
	{
		struct sock_fact f = tcp_fact(5, "10.0.0.1", 1004, "10.0.0.2", 80);

		assert_non_null(assoc_table_find(&t, &f));
		f.cookie = 0; /* by tuple */
		assert_non_null(assoc_table_find(&t, &f));
	}
	/* one more than reserved grows; fit() trims back to what is used */
	{
		struct sock_fact f = tcp_fact(9999, "10.0.0.3", 1, "10.0.0.2", 80);

		assert_true(assoc_table_upsert(&t, &f, NULL) >= 0);
		assert_true(t.cap > 601);
		assoc_table_fit(&t);
		assert_int_equal(t.cap, 601);
		assert_non_null(assoc_table_find(&t, &f));
	}
	/* never beyond max_socks, however much the kernel's counters claim */
	assert_int_equal(assoc_table_clear(&t), 0);
	assert_int_equal(assoc_table_reserve(&t, UINT32_MAX, UINT32_MAX), 0);
	assert_int_equal(t.cap, 1000);
	assoc_table_free(&t);
}

/* A snapshot of one socket fits the table to one entry; the sockets that come next must make
 * it grow (x1.5 of one entry is still one: it once wrote past the end). */
static void grows_from_one_entry(void **state)
{
	struct assoc_table t;

	(void)state;
	assert_int_equal(assoc_table_init(&t, 1000), 0);
	for (uint32_t i = 0; i < 3; i++) {
		struct sock_fact f = tcp_fact(1 + i, "10.0.0.1", 1000 + i, "10.0.0.2", 80);

		assert_true(assoc_table_upsert(&t, &f, NULL) >= 0);
		if (!i) {
			assoc_table_fit(&t);
			assert_int_equal(t.cap, 1);
		}
		assert_true(t.cap >= t.n_slots);
	}
	assert_int_equal(t.n_used, 3);
	assoc_table_free(&t);
}

/*
 * Addresses come back exactly as they went in, whichever form the entry keeps them in: IPv4
 * in the entry, IPv6 in a block of its own (and ::ffff:0.0.0.0, which is not ::, too). An
 * IPv6 pair joins by tuple, removal gives its block back, and a unix socket's name is never
 * read as addresses or the other way round.
 */
static void address_forms(void **state)
{
	static const struct {
		int family;
		const char *l, *r, *l_v6, *r_v6;
		bool block;
	} cases[] = {
		{ AF_INET, "10.0.0.1", "0.0.0.0", "::ffff:10.0.0.1", "::", false },
		{ AF_INET, "0.0.0.0", "0.0.0.0", "::", "::", false },
		{ AF_INET6, "::ffff:127.0.0.1", "::ffff:127.0.0.2", "::ffff:127.0.0.1", "::ffff:127.0.0.2", false },
		{ AF_INET6, "::", "::", "::", "::", false },
		{ AF_INET6, "fd00::1", "::", "fd00::1", "::", true },
		{ AF_INET6, "::ffff:10.0.0.1", "fd00::2", "::ffff:10.0.0.1", "fd00::2", true },
		{ AF_INET6, "::ffff:0.0.0.0", "::", "::ffff:0.0.0.0", "::", true },
	};
	struct assoc_table t;
	size_t empty;

	(void)state;
	assert_int_equal(assoc_table_init(&t, 100), 0);
	assert_int_equal(sizeof(struct half_assoc), 56);
	empty = assoc_table_bytes(&t);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sock_fact f = { .proto = SOCK_PROTO_TCP, .family = cases[i].family,
				       .state = SK_ESTABLISHED, .netns = 7, .cookie = 100 + i,
				       .lport = 1000 + i, .rport = 80 };
		uint8_t want[16], got[16];
		const struct half_assoc *h;

		inet_pton(cases[i].family, cases[i].l, f.laddr);
		inet_pton(cases[i].family, cases[i].r, f.raddr);
		assert_true(assoc_table_upsert(&t, &f, NULL) >= 0);
		h = assoc_table_find(&t, &f);
		assert_non_null(h);
		assert_int_equal(half_block(h) != NULL, cases[i].block);
		half_addr(h, true, got);
		assert_memory_equal(got, f.laddr, 16);
		half_addr(h, false, got);
		assert_memory_equal(got, f.raddr, 16);
		inet_pton(AF_INET6, cases[i].l_v6, want);
		half_addr_v6(h, true, got);
		assert_memory_equal(got, want, 16);
		inet_pton(AF_INET6, cases[i].r_v6, want);
		half_addr_v6(h, false, got);
		assert_memory_equal(got, want, 16);
		f.cookie = 0; /* found by its tuple too */
		assert_ptr_equal(assoc_table_find(&t, &f), h);
	}
	/* an IPv6 pair joins, both ways */
	{
		struct sock_fact c = { .proto = SOCK_PROTO_TCP, .family = AF_INET6, .state = SK_ESTABLISHED,
				       .netns = 7, .cookie = 200, .lport = 40000, .rport = 443 };
		struct sock_fact s = c;

		inet_pton(AF_INET6, "fd00::1", c.laddr);
		inet_pton(AF_INET6, "fd00::2", c.raddr);
		memcpy(s.laddr, c.raddr, 16);
		memcpy(s.raddr, c.laddr, 16);
		s.cookie = 201;
		s.lport = 443;
		s.rport = 40000;
		assert_true(assoc_table_upsert(&t, &c, NULL) >= 0);
		assert_true(assoc_table_upsert(&t, &s, NULL) >= 0);
		assert_ptr_equal(assoc_table_peer(&t, assoc_table_find(&t, &c)), assoc_table_find(&t, &s));
		assert_ptr_equal(assoc_table_peer(&t, assoc_table_find(&t, &s)), assoc_table_find(&t, &c));
		assert_int_equal(assoc_table_remove(&t, &c), 1);
		assert_int_equal(assoc_table_remove(&t, &s), 1);
	}
	/* a unix socket: no addresses, its name intact */
	{
		static const uint8_t path[] = "/run/x.sock";
		struct sock_fact u = { .proto = SOCK_PROTO_UNIX, .family = AF_UNIX, .type = SOCK_STREAM,
				       .state = SK_LISTEN, .netns = 7, .cookie = 300, .inode = 301,
				       .path = path, .path_len = sizeof(path) - 1 };
		const struct half_assoc *h;
		uint8_t got[16], zero[16] = { 0 };
		uint16_t len;

		assert_true(assoc_table_upsert(&t, &u, NULL) >= 0);
		h = assoc_table_find(&t, &u);
		half_addr_v6(h, true, got);
		assert_memory_equal(got, zero, 16);
		assert_memory_equal(half_name(h, &len), path, sizeof(path) - 1);
		assert_int_equal(assoc_table_remove(&t, &u), 1);
	}
	/* every block given back: only the entries' array grew */
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sock_fact f = { .proto = SOCK_PROTO_TCP, .family = cases[i].family,
				       .cookie = 100 + i };

		assert_int_equal(assoc_table_remove(&t, &f), 1);
	}
	assert_int_equal(t.n_used, 0);
	assert_int_equal(assoc_table_bytes(&t) - (size_t)t.cap * sizeof(struct half_assoc),
			 empty);
	assoc_table_free(&t);
}

/* `ports` drops snapshot facts that are no port before they reach the table: the fact's
 * verdict must be the one its entry would get. */
/*
 * 100,000 short-lived processes, each opening one connection and exiting: the process table
 * forgets each once its last socket is gone from it, so it stays the size of the processes
 * alive, not of every pid ever seen. A process still named by a socket is kept.
 */
static void exited_processes_are_forgotten(void **state)
{
	struct assoc_table t;
	struct sock_fact keeper = tcp_fact(1, "127.0.0.1", 80, "127.0.0.1", 40000);
	size_t bytes_at_start;

	(void)state;
	assert_int_equal(assoc_table_init(&t, 1000), 0);
	owned(&keeper, 7, "server");
	assert_true(assoc_table_upsert(&t, &keeper, NULL) >= 0);
	bytes_at_start = proc_table_bytes(&t.procs);
	for (uint32_t pid = 1000; pid < 101000; pid++) {
		struct sock_fact f = tcp_fact(pid, "127.0.0.1", 40001 + pid % 20000, "127.0.0.1", 80);

		owned(&f, pid, "client");
		assert_true(assoc_table_upsert(&t, &f, NULL) >= 0);
		if (pid % 2) /* its connection closed before it exited */
			assert_int_equal(assoc_table_remove(&t, &f), 1);
		assert_int_equal(assoc_table_drop_owner(&t, pid, PROTO_ALL), pid % 2 ? 0 : 1);
		assert_int_equal(assoc_table_forget_process(&t, pid), 1);
		assert_null(proc_table_find(&t.procs, pid));
		if (!(pid % 2)) /* the socket lives on, ownerless (a child holds it, say) */
			assert_int_equal(assoc_table_remove(&t, &f), 1);
	}
	assert_int_equal(t.procs.n, 1);
	assert_string_equal((char *)proc_table_find(&t.procs, 7)->comm, "server");
	assert_true(proc_table_bytes(&t.procs) <= bytes_at_start + 1024);
	/* a pid a socket still names is kept: its exit was not the last word */
	assert_int_equal(assoc_table_forget_process(&t, 7), 0);
	assert_non_null(proc_table_find(&t.procs, 7));
	assert_int_equal(assoc_table_forget_process(&t, 12345), 0); /* unknown pid */
	assoc_table_free(&t);
}

/* Forgetting moves the last entry into the hole: every other pid is still found, by its own. */
static void forgetting_keeps_the_others(void **state)
{
	struct proc_table pt;

	(void)state;
	assert_int_equal(proc_table_init(&pt), 0);
	for (uint32_t pid = 1; pid <= 500; pid++)
		assert_non_null(proc_table_note(&pt, pid, pid * 10, NULL, 0));
	for (uint32_t pid = 1; pid <= 500; pid += 3)
		assert_int_equal(proc_table_forget(&pt, pid), 1);
	assert_int_equal(proc_table_forget(&pt, 1), 0);
	for (uint32_t pid = 1; pid <= 500; pid++) {
		struct proc_info *p = proc_table_find(&pt, pid);

		if (pid % 3 == 1) {
			assert_null(p);
		} else {
			assert_non_null(p);
			assert_int_equal(p->pid, pid);
			assert_int_equal(p->uid, pid * 10);
		}
	}
	for (uint32_t pid = 1; pid <= 500; pid++)
		proc_table_forget(&pt, pid);
	assert_int_equal(pt.n, 0);
	assert_true(pt.cap <= 64);
	proc_table_free(&pt);
}

static void fact_is_port_as_entry(void **state)
{
	static const uint8_t path[] = "/run/x.sock";
	struct {
		struct sock_fact f;
		bool port;
	} cases[] = {
		{ tcp_fact(1, "0.0.0.0", 80, "0.0.0.0", 0), true },
		{ tcp_fact(2, "10.0.0.1", 5000, "10.0.0.2", 80), false },
		{ tcp_fact(3, "0.0.0.0", 53, "0.0.0.0", 0), true },      /* UDP bound */
		{ tcp_fact(4, "0.0.0.0", 0, "0.0.0.0", 0), false },      /* UDP unbound */
		{ tcp_fact(5, "10.0.0.1", 53, "10.0.0.2", 9), false },   /* UDP connected */
		{ { .proto = SOCK_PROTO_UNIX, .state = SK_LISTEN, .cookie = 6, .inode = 6 }, true },
		{ { .proto = SOCK_PROTO_UNIX, .state = SK_CLOSE, .cookie = 7, .inode = 7,
		    .path = path, .path_len = sizeof(path) - 1 }, true },  /* bound datagram */
		{ { .proto = SOCK_PROTO_UNIX, .state = SK_CLOSE, .cookie = 8, .inode = 8 }, false },
		{ { .proto = SOCK_PROTO_UNIX, .state = SK_ESTABLISHED, .cookie = 9, .inode = 9,
		    .peer_inode = 10, .path = path, .path_len = sizeof(path) - 1 }, false },
	};
	struct assoc_table t;

	(void)state;
	cases[0].f.state = SK_LISTEN;
	for (int i = 2; i < 5; i++)
		cases[i].f.proto = SOCK_PROTO_UDP;
	cases[2].f.state = cases[3].f.state = SK_CLOSE;
	assoc_table_init(&t, 100);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(assoc_table_upsert(&t, &cases[i].f, NULL) >= 0);
		assert_int_equal(fact_is_port(&cases[i].f), cases[i].port);
		assert_int_equal(half_is_port(assoc_table_find(&t, &cases[i].f)), cases[i].port);
	}
	assoc_table_free(&t);
}

int run_assoc_table_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loopback_halves_join),
		cmocka_unit_test(idempotent_and_multi_owner),
		cmocka_unit_test(cookie_learnt_from_tuple),
		cmocka_unit_test(resnapshot_cookie_learnt),
		cmocka_unit_test(unix_pair_and_names),
		cmocka_unit_test(cap_counts_what_did_not_fit),
		cmocka_unit_test(reserve_sizes_once),
		cmocka_unit_test(grows_from_one_entry),
		cmocka_unit_test(fact_is_port_as_entry),
		cmocka_unit_test(address_forms),
		cmocka_unit_test(exited_processes_are_forgotten),
		cmocka_unit_test(forgetting_keeps_the_others),
	};

	return cmocka_run_group_tests_name("assoc_table", tests, NULL, NULL);
}
