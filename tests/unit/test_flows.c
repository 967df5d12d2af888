// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * UDP/unix additions: unix paths as text and JSON (untrusted bytes), --proto, and the flow
 * ender's arithmetic (ends add up to the kernel's totals) with a fake kernel table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "commands.h"
#include "event_fmt.h"
#include "flows.h"
#include "sink.h"
#include "source.h"
#include "unit.h"

static void unix_path_text_forms(void **state)
{
	char buf[UNIX_PATH_TEXT_LEN];
	const __u8 fs[] = "/run/x.sock\0junk";
	const __u8 abs[] = "\0name\0with-nul";
	const __u8 evil[] = "/tmp/\x1b[31m\\\xff";

	(void)state;
	fmt_unix_path(buf, fs, sizeof(fs) - 1);
	assert_string_equal(buf, "/run/x.sock"); /* up to the first NUL, as ss shows it */
	fmt_unix_path(buf, abs, sizeof(abs) - 1);
	assert_string_equal(buf, "@name\\x00with-nul"); /* every byte of an abstract name */
	fmt_unix_path(buf, evil, sizeof(evil) - 1);
	assert_string_equal(buf, "/tmp/\\x1b[31m\\\\\\xff");
	fmt_unix_path(buf, fs, 0);
	assert_string_equal(buf, "(unnamed)");
}

static void unix_path_length_is_bounded(void **state)
{
	__u8 path[SS_UNIX_PATH_LEN];
	char buf[UNIX_PATH_TEXT_LEN];
	const __u8 *p;
	bool abstract;
	size_t n;

	(void)state;
	memset(path, 0xff, sizeof(path));
	path[0] = '\0';
	/* a length beyond the array (a corrupt record) is clamped, never read past */
	assert_true(unix_path_view(path, 5000, &p, &n, &abstract));
	assert_true(abstract);
	assert_int_equal(n, SS_UNIX_PATH_LEN - 1);
	fmt_unix_path(buf, path, 5000);
	assert_int_equal(strlen(buf), 1 + 4 * (SS_UNIX_PATH_LEN - 1));
}

static char *render(const struct sink_ops *ops, const struct ss_hdr *rec)
{
	static char *buf;
	static size_t size;
	FILE *f = open_memstream(&buf, &size);
	struct sink s = { .ops = ops, .out = f };

	ops->on_event(&s, rec);
	fclose(f);
	return buf;
}

static void json_unix_accept_escapes_paths(void **state)
{
	struct ss_unix_event e;
	char *out;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.hdr = (struct ss_hdr){ .type = SS_EV_UNIX_ACCEPT, .version = SS_ABI_VERSION, .size = sizeof(e) };
	e.owner.pid = 10;
	memcpy(e.owner.comm, "srv", 3);
	e.peer.pid = 11;
	memcpy(e.peer.comm, "cli", 3);
	e.type = SOCK_SEQPACKET;
	e.inode = 100;
	e.peer_inode = 101;
	memcpy(e.path, "\0a\"b\n", 5);
	e.path_len = 5;
	out = render(&trace_json_ops, &e.hdr);
	assert_non_null(strstr(out, "\"event\":\"unix_accept\",\"proto\":\"unix\",\"type\":\"seqpacket\""));
	assert_non_null(strstr(out, "\"path\":\"@a\\\"b\\n\",\"peer_path\":null,\"inode\":100,\"peer_inode\":101,\"peer_pid\":11,\"peer_comm\":\"cli\"}"));
	free(out);
	out = render(&trace_text_ops, &e.hdr);
	assert_non_null(strstr(out, "@a\"b\\x0a"));
	assert_non_null(strstr(out, "seqpacket ino=100 peer_ino=101 peer=11/cli"));
	free(out);
}

static void protos_parse(void **state)
{
	unsigned m = 0;

	(void)state;
	assert_int_equal(cli_parse_protos("tcp,udp,unix", &m), 0);
	assert_int_equal(m, PROTO_ALL);
	assert_int_equal(cli_parse_protos("unix", &m), 0);
	assert_int_equal(m, PROTO_UNIX);
	assert_int_equal(cli_parse_protos("udp,sctp", &m), -EINVAL);
	assert_int_equal(record_min_size(SS_EV_UDP_FLOW), sizeof(struct ss_flow_event));
	assert_int_equal(record_min_size(SS_EV_UNIX_ACCEPT), sizeof(struct ss_unix_event));
	assert_int_equal(record_min_size(SS_EV_SOCK_RELEASE), sizeof(struct ss_release_event));
}

/* ---- the flow ender against a fake kernel table of one flow ---- */

static struct ss_flow_state fake_state;
static struct ss_flow_event ends[8];
static int n_ends;

static int fake_lookup(struct flows *f, const struct ss_flow_key *k, struct ss_flow_state *st)
{
	(void)f;
	(void)k;
	*st = fake_state;
	return 0;
}

static void collect(void *ctx, const struct ss_hdr *rec)
{
	(void)ctx;
	if (n_ends < 8)
		memcpy(&ends[n_ends++], rec, sizeof(ends[0]));
}

static void flow_ends_add_up(void **state)
{
	const uint64_t s = 1000000000ull;
	struct flows *f = flows_new(-1, -1, 30 * s, collect, NULL);
	struct ss_flow_event start;
	uint64_t packets = 0, bytes = 0;

	(void)state;
	assert_non_null(f);
	f->lookup = fake_lookup;
	n_ends = 0;
	memset(&start, 0, sizeof(start));
	start.hdr = (struct ss_hdr){ .type = SS_EV_UDP_FLOW, .version = SS_ABI_VERSION,
				     .size = sizeof(start), .ts_ns = 100 * s };
	start.key.cookie = 7;
	start.key.family = AF_INET;
	start.cookie = 7;
	start.owner.pid = 1;
	assert_false(flows_on_record(f, &start.hdr));

	/* 5 datagrams, then quiet for 31 s: an idle end with 5 */
	fake_state = (struct ss_flow_state){ .packets = 5, .bytes = 50, .first_ns = 100 * s, .last_ns = 101 * s };
	flows_tick(f, 110 * s);
	assert_int_equal(n_ends, 0);
	flows_tick(f, 132 * s);
	assert_int_equal(n_ends, 1);
	assert_int_equal(ends[0].packets, 5);
	assert_true(ends[0].flags & SS_FF_END_IDLE);

	/* restart at totals 5 (already ended): new epoch; 3 more, then the kernel restarts
	 * again before the scan noticed: the end is exactly the base it sends (8) */
	start.flags = SS_FF_RESTART;
	start.packets = 5;
	start.bytes = 50;
	flows_on_record(f, &start.hdr);
	assert_int_equal(n_ends, 1);
	start.packets = 8;
	start.bytes = 80;
	flows_on_record(f, &start.hdr);
	assert_int_equal(n_ends, 2);
	assert_int_equal(ends[1].packets, 3);
	assert_int_equal(ends[1].bytes, 30);

	/* the socket closes at totals 10: the last end has 2 */
	fake_state.packets = 10;
	fake_state.bytes = 100;
	struct ss_release_event r = { .hdr = { .type = SS_EV_SOCK_RELEASE, .version = SS_ABI_VERSION,
					       .size = sizeof(r), .ts_ns = 140 * s },
				      .cookie = 7 };
	assert_true(flows_on_record(f, &r.hdr));
	/* counts read at the release; the end waits so the peer's start can still arrive */
	fake_state.packets = 99;
	flows_tick(f, 140 * s + 1000);
	assert_int_equal(n_ends, 2);
	for (int i = 0; i < 4; i++) /* the wait is checked every few ticks */
		flows_tick(f, 141 * s);
	assert_int_equal(n_ends, 3);
	assert_true(ends[2].flags & SS_FF_END_CLOSE);
	assert_true(ends[2].hdr.ts_ns == 140 * s);
	for (int i = 0; i < n_ends; i++) {
		packets += ends[i].packets;
		bytes += ends[i].bytes;
	}
	assert_int_equal(packets, 10);
	assert_int_equal(bytes, 100);
	flows_free(f);
}

/* ---- peer joins through the indexes: a fake kernel table keyed by socket id ---- */

#define N_PEER_FLOWS 6
static struct ss_flow_state peer_states[N_PEER_FLOWS + 1]; /* by key cookie 1..6 */

static int peer_lookup(struct flows *f, const struct ss_flow_key *k, struct ss_flow_state *st)
{
	(void)f;
	if (k->cookie < 1 || k->cookie > N_PEER_FLOWS)
		return -ENOENT;
	*st = peer_states[k->cookie];
	return 0;
}

static void peer_flow_start(struct flows *f, __u64 id, __u16 family, __u8 dir, __u32 pid,
			    __u32 netns, __u16 sport, __u16 dport, __u64 inode, __u64 peer_inode)
{
	struct ss_flow_event e;

	memset(&e, 0, sizeof(e));
	e.hdr = (struct ss_hdr){ .type = family == AF_UNIX ? SS_EV_UNIX_FLOW : SS_EV_UDP_FLOW,
				 .version = SS_ABI_VERSION, .size = sizeof(e), .ts_ns = 1000 };
	e.key.cookie = id;
	e.key.family = family;
	e.key.dir = dir;
	e.key.rport = dport;
	e.cookie = id;
	e.owner.pid = pid;
	e.netns = netns;
	e.tuple.family = family;
	e.tuple.sport = sport;
	e.tuple.dport = dport;
	e.tuple.daddr[0] = 127;
	e.tuple.daddr[3] = 1;
	e.inode = inode;
	e.peer_inode = peer_inode;
	flows_on_record(f, &e.hdr);
	peer_states[id] = (struct ss_flow_state){ .owner = e.owner, .tuple = e.tuple, .netns = netns,
						  .inode = inode, .peer_inode = peer_inode,
						  .packets = 1, .bytes = 10 };
}

static __u32 peer_pid_of_end(__u64 id)
{
	for (int i = 0; i < n_ends; i++)
		if (ends[i].key.cookie == id)
			return ends[i].flags & SS_FF_PEER ? ends[i].peer.pid : 0;
	fail_msg("no end for flow %llu", (unsigned long long)id);
	return 0;
}

static void release_at(struct flows *f, __u64 id, uint64_t ts_ns)
{
	struct ss_release_event r = { .hdr = { .type = SS_EV_SOCK_RELEASE, .version = SS_ABI_VERSION,
					       .size = sizeof(r), .ts_ns = ts_ns },
				      .cookie = id };

	flows_on_record(f, &r.hdr);
}

/* A flow table whose peer joins read peer_lookup, its ends collected from 0. */
static struct flows *peer_flows_new(uint64_t idle_ns)
{
	struct flows *f = flows_new(-1, -1, idle_ns, collect, NULL);

	assert_non_null(f);
	f->lookup = peer_lookup;
	n_ends = 0;
	return f;
}

static void flow_peers_join(void **state)
{
	const uint64_t s = 1000000000ull;
	struct flows *f = peer_flows_new(30 * s);

	(void)state;
	/* UDP 127.0.0.1:5000 -> :53 sent by pid 10, received by pid 20 on a wildcard bind;
	 * a receiver on port 53 in another namespace (pid 30) must not be taken */
	peer_flow_start(f, 1, AF_INET, SS_DIR_SEND, 10, 1, 5000, 53, 0, 0);
	peer_flow_start(f, 2, AF_INET, SS_DIR_RECV, 30, 2, 53, 5000, 0, 0);
	peer_flow_start(f, 3, AF_INET, SS_DIR_RECV, 20, 1, 53, 5000, 0, 0);
	/* unix: the client (inode 100) wrote before accept(), so its peer inode is 0; the
	 * server's flow (inode 101) names the client: joined from both sides */
	peer_flow_start(f, 4, AF_UNIX, SS_DIR_SEND, 40, 1, 0, 0, 100, 0);
	peer_flow_start(f, 5, AF_UNIX, SS_DIR_SEND, 50, 1, 0, 0, 101, 100);
	/* a unix flow whose peer never sent: no join */
	peer_flow_start(f, 6, AF_UNIX, SS_DIR_SEND, 60, 1, 0, 0, 102, 999);
	for (__u64 id = 1; id <= N_PEER_FLOWS; id++)
		release_at(f, id, 2 * s);
	flows_flush(f, 3 * s);
	assert_int_equal(n_ends, N_PEER_FLOWS);
	assert_int_equal(peer_pid_of_end(1), 20);
	assert_int_equal(peer_pid_of_end(3), 10);
	assert_int_equal(peer_pid_of_end(2), 0);
	assert_int_equal(peer_pid_of_end(4), 50);
	assert_int_equal(peer_pid_of_end(5), 40);
	assert_int_equal(peer_pid_of_end(6), 0);
	flows_free(f);
}

static const struct ss_flow_event *end_of_inode(__u64 inode)
{
	for (int i = 0; i < n_ends; i++)
		if (ends[i].inode == inode)
			return &ends[i];
	fail_msg("no end for inode %llu", (unsigned long long)inode);
	return NULL;
}

/*
 * Before 5.12 a flow's socket id is the socket's address, and a unix key holds the peer's
 * address: a new socketpair can reuse both addresses of a pair closed a moment ago, whose
 * ends still wait for the peer join. The new flows are new nodes: four ends, each joined to
 * its own peer (the new starts once took over the closed nodes and their ends were lost).
 */
static void flow_key_reused_after_release(void **state)
{
	const uint64_t s = 1000000000ull;
	struct flows *f = peer_flows_new(30 * s);

	(void)state;
	peer_flow_start(f, 1, AF_UNIX, SS_DIR_SEND, 40, 1, 0, 0, 100, 101);
	peer_flow_start(f, 2, AF_UNIX, SS_DIR_SEND, 50, 1, 0, 0, 101, 100);
	release_at(f, 1, 2 * s);
	release_at(f, 2, 2 * s);
	peer_flow_start(f, 1, AF_UNIX, SS_DIR_SEND, 41, 1, 0, 0, 200, 201);
	peer_flow_start(f, 2, AF_UNIX, SS_DIR_SEND, 51, 1, 0, 0, 201, 200);
	release_at(f, 1, 2 * s + 1000);
	release_at(f, 2, 2 * s + 1000);
	flows_flush(f, 3 * s);
	assert_int_equal(n_ends, 4);
	assert_int_equal(end_of_inode(100)->peer.pid, 50);
	assert_int_equal(end_of_inode(101)->peer.pid, 40);
	assert_int_equal(end_of_inode(200)->peer.pid, 51);
	assert_int_equal(end_of_inode(201)->peer.pid, 41);
	assert_int_equal(end_of_inode(200)->owner.pid, 41);
	flows_free(f);
}

/*
 * A unix socket's close has no release record on the tracepoint backend: the sweep finds it
 * gone and calls flows_release(). Before that, a flow that ended idle stayed here (and in the
 * kernel's table) for good; after it, what moved since the idle end ends once more, and the
 * nodes are forgotten an idle time later.
 */
static void swept_unix_flows_are_forgotten(void **state)
{
	const uint64_t s = 1000000000ull;
	struct flows *f = peer_flows_new(30 * s);

	(void)state;
	peer_flow_start(f, 4, AF_UNIX, SS_DIR_SEND, 40, 1, 0, 0, 100, 101);
	peer_flow_start(f, 5, AF_UNIX, SS_DIR_SEND, 50, 1, 0, 0, 101, 100);
	flows_tick(f, 40 * s);
	assert_int_equal(n_ends, 2); /* both idle */
	flows_tick(f, 400 * s);
	assert_int_equal(f->n_nodes, 2); /* nothing else would ever forget them */
	peer_states[4].packets = 3;
	peer_states[4].bytes = 30;
	flows_release(f, 4, 401 * s);
	flows_release(f, 5, 401 * s);
	flows_release(f, 0, 401 * s); /* no id: nothing */
	for (int i = 0; i < 4; i++) /* the ends wait for a peer's late start, checked every few ticks */
		flows_tick(f, 402 * s);
	assert_int_equal(n_ends, 3); /* 5 had nothing new */
	assert_int_equal(ends[2].key.cookie, 4);
	assert_int_equal(ends[2].packets, 2);
	assert_int_equal(ends[2].bytes, 20);
	assert_true(ends[2].flags & SS_FF_END_CLOSE);
	flows_tick(f, 432 * s);
	assert_int_equal(f->n_nodes, 0);
	flows_release(f, 4, 433 * s); /* released twice (the sweep after a release hook): nothing */
	assert_int_equal(n_ends, 3);
	flows_free(f);
}

/*
 * A socketpair end whose peer read what it was sent, exited and was released before this
 * end's send hook ran: the kernel's start names no peer inode. The peer's flow, still known
 * here after its release, points at this end: the start is given the peer's inode, so the
 * live table pairs the halves. Nothing else is changed.
 */
static void unix_start_learns_a_closed_peer(void **state)
{
	const uint64_t s = 1000000000ull;
	struct flows *f = peer_flows_new(30 * s);
	struct ss_flow_event e;

	(void)state;
	peer_flow_start(f, 5, AF_UNIX, SS_DIR_SEND, 50, 1, 0, 0, 101, 100);
	release_at(f, 5, 2 * s);
	memset(&e, 0, sizeof(e));
	e.hdr = (struct ss_hdr){ .type = SS_EV_UNIX_FLOW, .version = SS_ABI_VERSION, .size = sizeof(e) };
	e.key.cookie = 4;
	e.key.family = AF_UNIX;
	e.netns = 1;
	e.inode = 100;
	assert_true(flows_fill_unix_peer(f, &e));
	assert_int_equal(e.peer_inode, 101);
	assert_false(flows_fill_unix_peer(f, &e)); /* it names one now: left alone */
	assert_int_equal(e.peer_inode, 101);
	e.peer_inode = 0;
	e.netns = 2; /* another namespace's socket with that inode number */
	assert_false(flows_fill_unix_peer(f, &e));
	e.netns = 1;
	e.inode = 102; /* nobody points at it */
	assert_false(flows_fill_unix_peer(f, &e));
	e.hdr.type = SS_EV_UDP_FLOW;
	e.inode = 100;
	assert_false(flows_fill_unix_peer(f, &e));
	assert_int_equal(e.peer_inode, 0);
	flows_free(f);
}

int run_flows_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unix_path_text_forms),
		cmocka_unit_test(unix_path_length_is_bounded),
		cmocka_unit_test(json_unix_accept_escapes_paths),
		cmocka_unit_test(protos_parse),
		cmocka_unit_test(flow_ends_add_up),
		cmocka_unit_test(flow_peers_join),
		cmocka_unit_test(flow_key_reused_after_release),
		cmocka_unit_test(swept_unix_flows_are_forgotten),
		cmocka_unit_test(unix_start_learns_a_closed_peer),
	};

	return cmocka_run_group_tests_name("flows", tests, NULL, NULL);
}
