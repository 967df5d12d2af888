// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Records into the table: events, snapshot records, late accepts, unix and UDP owners, exits. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "assoc_table.h"
#include "table_feed.h"
#include "table_fmt.h"
#include "table_helpers.h"
#include "unit.h"

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
		fmt_assoc_text(&b, &t, assoc_table_get(&t, 0), NULL, NULL, 0);
		assert_null(memchr(b.buf, 0x1b, b.len));
		assert_non_null(memmem(b.buf, b.len, "33/\"}\\x0a\\x1b[31m", 17));
	}
	e.hdr.type = SS_EV_TCP_CLOSE;
	assert_int_equal(table_apply(&t, &e.hdr, 7), FEED_CLOSED);
	assert_int_equal(table_apply(&t, &e.hdr, 7), FEED_IGNORED);
	assoc_table_free(&t);
}

static int apply_tcp(struct assoc_table *t, struct ss_tcp_event *e, uint16_t type, uint64_t ts_ns)
{
	e->hdr.type = type;
	e->hdr.ts_ns = ts_ns;
	return table_apply(t, &e->hdr, 7);
}

/* A socket's opening record that comes after its close must not re-open it. */
static void late_open_does_not_reopen(void **state)
{
	struct assoc_table t;
	struct ss_tcp_event e = { .hdr = { .version = SS_ABI_VERSION, .size = sizeof(e) },
				  .netns = 7, .flags = SS_F_PASSIVE };
	uint64_t ts;

	(void)state;
	assoc_table_init(&t, 100);
	e.tuple.family = AF_INET;
	e.tuple.sport = 80;
	e.tuple.dport = 40000;
	e.owner.pid = 33;
	/* a reset in the accept queue: the close (no owner yet) before the accept */
	e.cookie = 9;
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_CLOSE, 100), FEED_IGNORED);
	assert_true(assoc_table_closed_at(&t, 9, &ts));
	assert_int_equal(ts, 100);
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_ACCEPT, 200), FEED_IGNORED);
	assert_int_equal(t.n_used, 0);
	/* an accept the kernel marks already closed opens nothing, nor does a repeat of it */
	e.cookie = 10;
	e.tuple.dport = 40001;
	e.flags |= SS_F_ALREADY_CLOSED;
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_ACCEPT, 300), FEED_IGNORED);
	e.flags &= ~SS_F_ALREADY_CLOSED;
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_ACCEPT, 301), FEED_IGNORED);
	assert_int_equal(t.n_used, 0);
	/* in order: accept opens, close removes, a late copy of the accept stays out */
	e.cookie = 11;
	e.tuple.dport = 40002;
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_ACCEPT, 400), FEED_OPENED);
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_CLOSE, 410), FEED_CLOSED);
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_ACCEPT, 400), FEED_IGNORED);
	assert_int_equal(t.n_used, 0);
	/* a socket may connect again after a failed connect: only an older connect is late */
	e.flags = 0;
	e.cookie = 12;
	e.tuple.sport = 40003;
	e.tuple.dport = 80;
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_CONNECT_FAILED, 500), FEED_IGNORED);
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_CONNECT, 490), FEED_IGNORED);
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_CONNECT, 510), FEED_OPENED);
	/* a listener shut down and listening again */
	e.cookie = 13;
	e.tuple.sport = 8080;
	e.tuple.dport = 0;
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_LISTEN, 600), FEED_OPENED);
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_LISTEN_CLOSE, 610), FEED_CLOSED);
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_LISTEN, 620), FEED_OPENED);
	assert_int_equal(t.n_used, 2);
	/* a re-snapshot clears the sockets, not what is known to be closed */
	assert_int_equal(assoc_table_clear(&t), 0);
	e.cookie = 9;
	e.flags = SS_F_PASSIVE;
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_ACCEPT, 700), FEED_IGNORED);
	/* nor does a re-snapshot into a new table beside the old one (live views that show
	 * what changed) */
	struct assoc_table renewed;

	assert_int_equal(assoc_table_renew(&renewed, &t), 0);
	assoc_table_free(&t);
	t = renewed;
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_ACCEPT, 710), FEED_IGNORED);
	/* without a cookie (kprobe backend, kernels < 5.12) there is nothing to go by */
	e.cookie = 0;
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_CLOSE, 800), FEED_IGNORED);
	assert_int_equal(apply_tcp(&t, &e, SS_EV_TCP_ACCEPT, 900), FEED_OPENED);
	assoc_table_free(&t);
}

static struct ss_unix_event unix_ev(uint16_t type, uint64_t cookie, uint64_t inode,
				    uint64_t peer_inode, uint32_t pid, const char *comm,
				    uint32_t peer_pid, const char *peer_comm)
{
	struct ss_unix_event e = { .hdr = { .type = type, .version = SS_ABI_VERSION,
					    .size = sizeof(e) },
				   .cookie = cookie, .inode = inode, .peer_inode = peer_inode,
				   .netns = 7, .type = SOCK_STREAM };

	e.owner.pid = pid;
	strncpy((char *)e.owner.comm, comm, SS_COMM_LEN - 1);
	e.peer.pid = peer_pid;
	if (peer_comm)
		strncpy((char *)e.peer.comm, peer_comm, SS_COMM_LEN - 1);
	return e;
}

static void check_unix_pair(struct assoc_table *t, uint64_t srv_inode, uint64_t cli_inode)
{
	struct sock_fact q = { .proto = SOCK_PROTO_UNIX, .inode = srv_inode };
	const struct half_assoc *srv = assoc_table_find(t, &q), *cli;
	uint32_t pids[4];
	unsigned connected = 0;

	assert_non_null(srv);
	cli = assoc_table_peer(t, srv);
	assert_non_null(cli);
	assert_int_equal(cli->inode, cli_inode);
	assert_ptr_equal(assoc_table_peer(t, cli), srv);
	assert_int_equal(half_owners(t, srv, pids, 4), 1);
	assert_int_equal(pids[0], 200);
	assert_int_equal(half_owners(t, cli, pids, 4), 1);
	assert_int_equal(pids[0], 100);
	assert_string_equal((char *)proc_table_find(&t->procs, 100)->comm, "client");
	assert_string_equal((char *)proc_table_find(&t->procs, 200)->comm, "server");
	/* one association: the listener (inode 50) is not taken for the client's peer */
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(t, i);

		connected += h && half_is_connected(h);
	}
	assert_int_equal(connected, 2);
}

/* unix_connect then unix_accept, in either order and repeated: one association, both
 * processes, whichever record came first (accept() may return before connect() does). */
static void unix_events_join(void **state)
{
	/* client socket 61 connects to the listener 50 (owned by the server); the server's
	 * accept returns socket 62, whose peer is 61 */
	struct ss_unix_event con = unix_ev(SS_EV_UNIX_CONNECT, 1001, 61, 50, 100, "client", 200,
					   "server");
	struct ss_unix_event acc = unix_ev(SS_EV_UNIX_ACCEPT, 1002, 62, 61, 200, "server", 100,
					   "client");
	struct assoc_table t;

	(void)state;
	assert_int_equal(assoc_table_init(&t, 100), 0);
	assert_int_equal(table_apply(&t, &con.hdr, 8), FEED_IGNORED); /* another namespace */
	assert_int_equal(table_apply(&t, &con.hdr, 7), FEED_OPENED);
	assert_int_equal(table_apply(&t, &acc.hdr, 7), FEED_OPENED);
	check_unix_pair(&t, 62, 61);
	assert_int_equal(table_apply(&t, &con.hdr, 7), FEED_MERGED);
	assert_int_equal(table_apply(&t, &acc.hdr, 7), FEED_MERGED);
	check_unix_pair(&t, 62, 61);
	assert_int_equal(t.n_used, 2);
	assoc_table_free(&t);

	assert_int_equal(assoc_table_init(&t, 100), 0);
	assert_int_equal(table_apply(&t, &acc.hdr, 7), FEED_OPENED);
	check_unix_pair(&t, 62, 61); /* the accept alone names both ends */
	assert_int_equal(table_apply(&t, &con.hdr, 7), FEED_MERGED);
	check_unix_pair(&t, 62, 61);
	assert_int_equal(t.n_used, 2);
	/* a release removes the socket with that cookie, in any namespace filter */
	{
		struct ss_release_event r = { .hdr = { .type = SS_EV_SOCK_RELEASE,
						       .version = SS_ABI_VERSION, .size = sizeof(r) },
					      .cookie = 1002 };

		assert_int_equal(table_apply(&t, &r.hdr, 7), FEED_CLOSED);
		assert_int_equal(table_apply(&t, &r.hdr, 7), FEED_IGNORED);
		r.cookie = 4242;
		assert_int_equal(table_apply(&t, &r.hdr, 7), FEED_IGNORED);
	}
	assert_int_equal(t.n_used, 1);
	assoc_table_free(&t);
}

static struct ss_flow_event udp_ev(uint64_t cookie, const char *l, int lport, const char *r,
				   int rport, uint32_t flags, uint32_t pid, const char *comm)
{
	struct ss_flow_event e = { .hdr = { .type = SS_EV_UDP_FLOW, .version = SS_ABI_VERSION,
					    .size = sizeof(e) },
				   .cookie = cookie, .netns = 7, .flags = flags,
				   .type = SOCK_DGRAM };

	e.tuple.family = AF_INET;
	inet_pton(AF_INET, l, e.tuple.saddr);
	inet_pton(AF_INET, r, e.tuple.daddr);
	e.tuple.sport = lport;
	e.tuple.dport = rport;
	e.owner.pid = pid;
	strncpy((char *)e.owner.comm, comm, SS_COMM_LEN - 1);
	return e;
}

/* A UDP flow start: the socket gains an owner, keyed like the snapshot's UDP sockets. */
static void udp_flow_owners(void **state)
{
	struct assoc_table t;
	/* an unconnected socket sending to two places: one entry, a port, not a connection */
	struct ss_flow_event s1 = udp_ev(77, "0.0.0.0", 5353, "10.0.0.1", 53, 0, 300, "resolver");
	struct ss_flow_event s2 = udp_ev(77, "0.0.0.0", 5353, "10.0.0.2", 53, 0, 300, "resolver");
	struct ss_release_event r = { .hdr = { .type = SS_EV_SOCK_RELEASE,
					       .version = SS_ABI_VERSION, .size = sizeof(r) },
				      .cookie = 77 };
	struct sock_fact snap_like = { .proto = SOCK_PROTO_UDP, .family = AF_INET,
				       .state = SK_CLOSE, .netns = 7, .lport = 9999 };
	struct sock_fact f;
	const struct half_assoc *h;
	uint32_t pids[4];

	(void)state;
	assert_int_equal(assoc_table_init(&t, 100), 0);
	assert_int_equal(table_apply(&t, &s1.hdr, 7), FEED_OPENED);
	assert_int_equal(table_apply(&t, &s2.hdr, 7), FEED_MERGED);
	assert_int_equal(t.n_used, 1);
	assert_int_equal(fact_from_record(&s1.hdr, &f), 0);
	assert_non_null(h = assoc_table_find(&t, &f));
	assert_true(half_is_port(h));
	assert_false(half_is_connected(h));
	assert_int_equal(h->lport, 5353);
	assert_int_equal(half_owners(&t, h, pids, 4), 1);
	assert_int_equal(pids[0], 300);
	assert_string_equal((char *)proc_table_find(&t.procs, 300)->comm, "resolver");
	assert_int_equal(table_apply(&t, &r.hdr, 7), FEED_CLOSED);
	assert_int_equal(t.n_used, 0);

	/* no cookie (old kernels): found by tuple, as the snapshot put it there */
	assert_true(assoc_table_upsert(&t, &snap_like, NULL) >= 0);
	s1 = udp_ev(0, "0.0.0.0", 9999, "10.0.0.1", 53, 0, 301, "daemon");
	assert_int_equal(table_apply(&t, &s1.hdr, 7), FEED_MERGED);
	assert_non_null(h = assoc_table_find(&t, &snap_like));
	assert_int_equal(half_owners(&t, h, pids, 4), 1);
	assert_int_equal(pids[0], 301);

	/* a receive naming its remote end is on a connected socket: the halves join */
	s1 = udp_ev(81, "127.0.0.1", 6000, "127.0.0.1", 6001, SS_FF_RECV, 400, "a");
	s2 = udp_ev(82, "127.0.0.1", 6001, "127.0.0.1", 6000, SS_FF_RECV, 401, "b");
	assert_int_equal(table_apply(&t, &s1.hdr, 7), FEED_OPENED);
	assert_int_equal(table_apply(&t, &s2.hdr, 7), FEED_OPENED);
	assert_int_equal(fact_from_record(&s1.hdr, &f), 0);
	assert_non_null(h = assoc_table_find(&t, &f));
	assert_true(half_is_connected(h));
	assert_non_null(h = assoc_table_peer(&t, h));
	assert_int_equal(h->lport, 6001);
	assert_int_equal(half_owners(&t, h, pids, 4), 1);
	assert_int_equal(pids[0], 401);
	/* a connected client's first send, to its peer (the kernel says so): a connection, not
	 * a port its ephemeral number would label */
	s2 = udp_ev(83, "127.0.0.1", 45678, "127.0.0.1", 53, SS_FF_CONNECTED, 402, "client");
	assert_int_equal(table_apply(&t, &s2.hdr, 7), FEED_OPENED);
	assert_int_equal(fact_from_record(&s2.hdr, &f), 0);
	memcpy(f.raddr, s2.tuple.daddr, 16);
	f.rport = 53;
	assert_non_null(h = assoc_table_find(&t, &f));
	assert_true(half_is_connected(h));
	assert_false(half_is_port(h));
	/* another namespace's flow is not this table's */
	s1.netns = 8;
	s1.cookie = 99;
	assert_int_equal(table_apply(&t, &s1.hdr, 7), FEED_IGNORED);
	assoc_table_free(&t);
}

/* A unix datagram flow start: by inode, with its connected peer. */
static void unix_flow_owner(void **state)
{
	struct ss_flow_event e = { .hdr = { .type = SS_EV_UNIX_FLOW, .version = SS_ABI_VERSION,
					    .size = sizeof(e) },
				   .cookie = 5, .netns = 7, .inode = 71, .peer_inode = 72,
				   .type = SOCK_DGRAM };
	struct sock_fact q = { .proto = SOCK_PROTO_UNIX, .inode = 72 };
	struct assoc_table t;
	const struct half_assoc *h;

	(void)state;
	e.tuple.family = AF_UNIX;
	e.owner.pid = 500;
	assert_int_equal(assoc_table_init(&t, 100), 0);
	assert_true(assoc_table_upsert(&t, &q, NULL) >= 0); /* the receiver, from the snapshot */
	assert_int_equal(table_apply(&t, &e.hdr, 7), FEED_OPENED);
	assert_int_equal(table_apply(&t, &e.hdr, 7), FEED_MERGED);
	q.inode = 71;
	assert_non_null(h = assoc_table_find(&t, &q));
	assert_int_equal(h->owner, 500);
	assert_int_equal(h->family, AF_UNIX);
	assert_int_equal(h->type, SOCK_DGRAM);
	assert_non_null(h = assoc_table_peer(&t, h));
	assert_int_equal(h->inode, 72);
	assoc_table_free(&t);
}

/* A process exit takes that pid off every socket it held, wherever it was in the list. */
static void exited_process_disowns(void **state)
{
	struct assoc_table t;
	struct sock_fact a = tcp_fact(31, "0.0.0.0", 80, "0.0.0.0", 0);
	struct sock_fact b = tcp_fact(32, "0.0.0.0", 443, "0.0.0.0", 0);
	struct ss_proc_event exit_ev = { .hdr = { .type = SS_EV_PROC_EXIT, .version = SS_ABI_VERSION,
						  .size = sizeof(exit_ev) } };
	uint32_t pids[4];

	(void)state;
	assoc_table_init(&t, 100);
	a.state = b.state = SK_LISTEN;
	a.inode = 601;
	b.inode = 602;
	assert_true(assoc_table_upsert(&t, &a, NULL) >= 0 && assoc_table_upsert(&t, &b, NULL) >= 0);
	for (uint32_t pid = 10; pid <= 30; pid += 10)
		assert_int_equal(assoc_table_add_owner_by_inode(&t, 601, pid, 0, NULL, 0), 1);
	assert_int_equal(assoc_table_add_owner_by_inode(&t, 602, 20, 0, NULL, 0), 1);
	/* the first owner: the next becomes first */
	assert_int_equal(assoc_table_drop_owner(&t, 10, PROTO_ALL), 1);
	assert_int_equal(half_owners(&t, assoc_table_find(&t, &a), pids, 4), 2);
	assert_int_equal(pids[0], 20);
	assert_int_equal(pids[1], 30);
	/* the last one, and a pid that never owned anything */
	assert_int_equal(assoc_table_drop_owner(&t, 30, PROTO_UNIX), 0);
	assert_int_equal(assoc_table_drop_owner(&t, 30, PROTO_TCP), 1);
	assert_int_equal(assoc_table_drop_owner(&t, 99, PROTO_ALL), 0);
	/* the record: a pid holding both sockets leaves both ownerless; the sockets stay */
	exit_ev.owner.pid = 20;
	assert_int_equal(table_apply(&t, &exit_ev.hdr, 0), FEED_DISOWNED);
	assert_int_equal(half_owners(&t, assoc_table_find(&t, &a), pids, 4), 0);
	assert_int_equal(half_owners(&t, assoc_table_find(&t, &b), pids, 4), 0);
	assert_int_equal(t.n_used, 2);
	assert_int_equal(table_apply(&t, &exit_ev.hdr, 0), FEED_IGNORED);
	/* freed links are reused: three new owners need no new memory */
	for (uint32_t pid = 40; pid <= 60; pid += 10)
		assert_int_equal(assoc_table_add_owner_by_inode(&t, 601, pid, 0, NULL, 0), 1);
	assert_int_equal(t.n_links, 2);
	assoc_table_free(&t);
}

/* Exits come out in arrival order once due, also across the ring's growth and wrap. */

static void snapshot_inodes_keep_64_bits(void **state)
{
	const uint64_t a = (1ull << 32) | 7, b = (1ull << 32) | 8;
	struct ss_snap_unix u = { .hdr = { .type = SS_SNAP_UNIX, .version = SS_ABI_VERSION,
					   .size = sizeof(u) },
				  .netns = 7, .sock_type = SOCK_STREAM, .state = SK_ESTABLISHED };
	struct ss_snap_file fr = { .hdr = { .type = SS_SNAP_FILE, .version = SS_ABI_VERSION,
					    .size = sizeof(fr) },
				   .inode = a, .pid = 40 };
	struct sock_fact q = { .proto = SOCK_PROTO_UNIX, .inode = a };
	const struct half_assoc *h;
	struct assoc_table t;

	(void)state;
	assoc_table_init(&t, 100);
	u.inode = a;
	u.peer_inode = b;
	assert_int_equal(table_apply(&t, &u.hdr, 7), FEED_OPENED);
	u.inode = b;
	u.peer_inode = a;
	assert_int_equal(table_apply(&t, &u.hdr, 7), FEED_OPENED);
	assert_int_equal(table_apply(&t, &fr.hdr, 7), FEED_OWNER);
	assert_non_null(h = assoc_table_find(&t, &q));
	assert_true(h->inode == a && h->owner == 40);
	assert_int_equal(h->family, AF_UNIX);
	assert_int_equal(h->type, SOCK_STREAM);
	assert_non_null(h = assoc_table_peer(&t, h));
	assert_true(h->inode == b && h->peer_inode == a);
	q.inode = 7; /* the low half alone names no socket */
	assert_null(assoc_table_find(&t, &q));
	assoc_table_free(&t);
}

int run_table_feed_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(events_feed_the_table),
		cmocka_unit_test(late_open_does_not_reopen),
		cmocka_unit_test(unix_events_join),
		cmocka_unit_test(udp_flow_owners),
		cmocka_unit_test(unix_flow_owner),
		cmocka_unit_test(exited_process_disowns),
		cmocka_unit_test(snapshot_inodes_keep_64_bits),
	};

	return cmocka_run_group_tests_name("table_feed", tests, NULL, NULL);
}
