// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * TCP: connect, accept, listen and close, each hook with three interchangeable front ends
 * (fentry/fexit, kprobe/kretprobe, tracepoint). User space enables one per hook before load.
 * The handlers below are shared, so every backend reports the same events.
 *
 * One table entry per live socket remembers what only process context can tell (the owner)
 * and what the kernel forgets by close time (the local port, the byte counters at open).
 */
#include "common.bpf.h"
#include "sock.bpf.h"

/* Internal flags of a table entry; the low byte holds the public SS_F_* flags. */
#define SS_F_PUBLIC 0xffu
#define ST_CONNECT_REPORTED (1u << 8)
#define ST_ACCEPT_REPORTED (1u << 9)
#define ST_LISTENER (1u << 10)
#define ST_BASE_SET (1u << 11)
#define ST_CLOSE_REPORTED (1u << 12) /* a held close was reported (see hold_close()) */
#define ST_SEEDED (1u << 13) /* made at start by ss_seed_tcp: the owner is a guess (see below) */
#define ST_ACCEPT_DEFERRED (1u << 15) /* accept() came first: see accept_deferred_report() */
#define ST_GONE (1u << 16) /* the socket is gone and its close was reported: see report_gone() */

struct tcp_sock_state {
	struct ss_owner owner; /* pid 0 until accept() names it (passive side) */
	struct ss_inet_tuple tuple;
	__u64 cookie;
	__u64 open_ns;
	union {
		struct {
			__u64 acked_base;    /* tcp_sock.bytes_acked when established */
			__u64 received_base; /* tcp_sock.bytes_received likewise */
		};
		struct { /* held: the payload bytes at close (the bases are spent) */
			__u64 held_sent;
			__u64 held_received;
		};
	};
	__u32 netns;
	__u32 flags;
	/*
	 * Set once, by hold_close(), when a passive socket reached CLOSE before accept() returned
	 * it; held_* are valid from then on. A word of its own: the accepting CPU may be
	 * rewriting flags at that moment, and a read-modify-write there would lose one update.
	 * Next to flags, so the common path touches no more cache lines than before.
	 */
	__u32 held;
	__u32 handshake_us; /* set at establishment: struct ss_tcp_event.handshake_us */
	__u64 held_duration_ns; /* only read when held */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* struct sock address */
	__type(value, struct tcp_sock_state);
} tcp_socks SEC(".maps");

/*
 * inet_listen()'s socket handed from the kprobe to the kretprobe in the same thread
 * (pid_tgid). A plain hash is cheaper than an LRU; an entry left behind is overwritten by that
 * thread's next use.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} inflight SEC(".maps");

/* What a close says about the connection's quality, read from the socket (NULL: unknown). */
static __always_inline void close_quality(struct ss_tcp_event *e, struct tcp_sock *tp, bool btf)
{
	if (!tp)
		return;
	e->srtt_us = SK_READ(btf, tp, srtt_us) >> 3; /* the kernel keeps it scaled by 8 */
	e->retrans = SK_READ(btf, tp, total_retrans);
	e->segs_out = SK_READ(btf, tp, segs_out);
}

/*
 * now: the record's time, a clock read the caller made for its own use too (the reads cost
 * ~50 ns each here; one per program run is enough). tp: the closing socket, for a close.
 */
static __always_inline void emit_tcp_from(__u16 type, const struct tcp_sock_state *st,
					  __u64 sent, __u64 received, __u64 duration_ns,
					  __s32 error, __u64 now, struct tcp_sock *tp, bool btf)
{
	struct ss_tcp_event *e;
	struct ss_rec rec;

	if (!pid_wanted(st->owner.pid) || !port_wanted(st->tuple.sport, st->tuple.dport))
		return;
	rec = event_reserve(sizeof(*e));
	if (!(e = rec.e))
		return;
	hdr_init_at(&e->hdr, type, sizeof(*e), now);
	e->owner = st->owner;
	e->tuple = st->tuple;
	e->cookie = st->cookie;
	e->netns = st->netns;
	e->flags = st->flags & SS_F_PUBLIC;
	e->bytes_sent = sent;
	e->bytes_received = received;
	e->duration_ns = duration_ns;
	e->error = error;
	e->srtt_us = 0;
	e->retrans = 0;
	e->segs_out = 0;
	e->reserved = 0;
	e->handshake_us = type == SS_EV_TCP_CLOSE ? st->handshake_us : 0;
	if (type == SS_EV_TCP_CLOSE)
		close_quality(e, tp, btf);
	event_submit(&rec, sizeof(*e));
}

/* A record stamped with a clock read the caller made already */
static __always_inline void emit_tcp_at(__u16 type, const struct tcp_sock_state *st, __u64 sent,
					__u64 received, __u64 duration_ns, __s32 error, __u64 now)
{
	emit_tcp_from(type, st, sent, received, duration_ns, error, now, NULL, false);
}

static __always_inline void emit_tcp(__u16 type, const struct tcp_sock_state *st, __u64 sent,
				     __u64 received, __u64 duration_ns, __s32 error)
{
	emit_tcp_at(type, st, sent, received, duration_ns, error, bpf_ktime_get_ns());
}

static __always_inline void state_init(struct tcp_sock_state *st, struct sock *sk, bool btf)
{
	__builtin_memset(st, 0, sizeof(*st));
	sk_read_tuple(sk, &st->tuple, btf);
	st->cookie = sk_cookie(sk, btf);
	st->netns = sk_netns(sk, btf);
	st->open_ns = bpf_ktime_get_ns();
}

/*
 * The byte counters' bases at establishment, so that the close's deltas leave the SYNs out: by
 * then the active side's bytes_acked counts its own SYN (1), and nothing else a SYN. Set, not
 * read: with TCP Fast Open the counters hold payload already (the data the client's SYN
 * carried, in the passive child's bytes_received and, once the SYN-ACK acked it, in the
 * client's bytes_acked; a passive side's first data acked by the handshake's last ACK), and a
 * read base took it out of both ends' totals. st->flags must say SS_F_PASSIVE already.
 */
static __always_inline void state_set_base(struct tcp_sock_state *st, struct sock *sk, bool btf)
{
	struct tcp_sock *tp;

	st->acked_base = 0;
	st->received_base = 0;
	st->flags |= ST_BASE_SET;
	if (st->flags & SS_F_PASSIVE)
		return;
	tp = sk_tcp(sk, btf);
	if (tp && SK_READ(btf, tp, bytes_acked)) /* never 0 here; a 1 too many would wrap */
		st->acked_base = 1;
}

/* The counters as they are now: the base of a socket first seen after establishment. */
static __always_inline void state_set_base_now(struct tcp_sock_state *st, struct sock *sk)
{
	struct tcp_sock *tp = sk_tcp(sk, false);

	if (!tp)
		return;
	st->acked_base = BPF_CORE_READ(tp, bytes_acked);
	st->received_base = BPF_CORE_READ(tp, bytes_received);
	st->flags |= ST_BASE_SET;
}

/* SOCK_DONE: tcp_fin() saw the peer's FIN (tcp_done() on a reset does not set it). */
static __always_inline bool peer_fin_received(struct sock *sk, bool btf)
{
	unsigned long flags = SK_READ(btf, sk, __sk_common.skc_flags);

	return flags & (1ul << bpf_core_enum_value(enum sock_flags, SOCK_DONE));
}

/*
 * Did we send a FIN? From the state we leave when the transition is known; otherwise (the
 * destroy net, old < 0) from the shutdown bits, which tcp_close()/shutdown() set before
 * queueing it.
 */
static __always_inline bool fin_sent(struct sock *sk, int old, bool btf)
{
	if (old >= 0)
		return old == TCP_FIN_WAIT1 || old == TCP_FIN_WAIT2 || old == TCP_CLOSING ||
		       old == TCP_LAST_ACK;
	return SK_READ(btf, sk, sk_shutdown) & SEND_SHUTDOWN;
}

/*
 * The same for a socket first seen long after establishment: the counters may already hold a
 * FIN in either direction, which the close subtracts again (a peer that had closed before we
 * started would otherwise be reported with 2^64 - 1 bytes received).
 */
static __always_inline void state_set_base_late(struct tcp_sock_state *st, struct sock *sk)
{
	struct tcp_sock *tp = sk_tcp(sk, false);

	state_set_base_now(st, sk);
	if (!tp)
		return;
	if (peer_fin_received(sk, false))
		st->received_base -= 1;
	if (fin_sent(sk, -1, false) && BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq))
		st->acked_base -= 1;
}

static __always_inline void state_store(__u64 key, const struct tcp_sock_state *st)
{
	if (bpf_map_update_elem(&tcp_socks, &key, st, BPF_ANY))
		count(SS_CNT_UNTRACKED);
}

/* Make the entry unless another CPU just did: 0, -EEXIST, or another error (counted). */
static __always_inline int state_create(__u64 key, const struct tcp_sock_state *st)
{
	int err = map_try_create(&tcp_socks, &key, st);

	if (err && err != -EEXIST)
		count(SS_CNT_UNTRACKED);
	return err;
}

/*
 * An entry names its socket by cookie. One whose cookie is not its socket's belongs to a
 * socket that was freed without its close being seen (docs/design.md, "lost CLOSE"), and the
 * slab has given its address to a new socket. A cookie, once made, never changes, and a new
 * socket's is 0 until first asked for: so "differs" includes the socket's 0. An entry made
 * without a cookie (0: a bare pointer before the cookie existed, or a kernel without the
 * helper) cannot tell and is never taken for stale, unless the sweep found its socket gone.
 * The raw load, not the helper: this must not make a cookie for the socket. (Not the state: a
 * held socket's own state may still read ESTABLISHED, the CLOSE transition being under way on
 * another CPU.)
 */
static __always_inline bool held_entry_stale(const struct tcp_sock_state *st, struct sock *sk,
					     bool btf)
{
	return (st->flags & ST_GONE) ||
	       (st->cookie && st->cookie != SK_READ(btf, sk, __sk_common.skc_cookie.counter));
}

/*
 * Report what a dead socket's entry opened as closed, flagged SS_F_CLOSE_MISSED (bytes and
 * duration unknown; a held close's figures are known and reported as the close net would),
 * count it, and mark the entry ST_GONE so that it is reported once. Two finders can meet: the
 * sweep below and a new socket at the same address. The mark is stored before the record,
 * and nobody else writes a dead socket's flags, so both report only if both read the flags
 * within the same few instructions (no atomic fetch: 5.10 verifiers refuse it).
 */
static __always_inline void report_held_close(struct tcp_sock_state *st);

static __always_inline void report_gone(struct tcp_sock_state *st)
{
	__u32 flags = st->flags;

	if (flags & ST_GONE)
		return;
	st->flags = flags | ST_GONE | (st->held ? 0 : SS_F_CLOSE_MISSED);
	barrier();
	count(SS_CNT_STALE_CLOSE);
	if (st->held) {
		if (!(flags & ST_CLOSE_REPORTED))
			report_held_close(st);
	} else if (flags & ST_LISTENER) {
		emit_tcp(SS_EV_TCP_LISTEN_CLOSE, st, 0, 0, 0, 0);
	} else if (flags & (ST_CONNECT_REPORTED | ST_ACCEPT_REPORTED)) {
		emit_tcp(SS_EV_TCP_CLOSE, st, 0, 0, 0, 0);
	} /* an entry whose open was never reported goes silently */
}

/*
 * Before an entry whose close was reported is deleted: a sweep walking the map on another CPU
 * may hold the entry already (a preallocated map's element lives on in its free list) and
 * would find the socket freed a moment later; the mark, stored before the socket's free,
 * tells it the close was reported (sweep_entry() reads it after the socket).
 */
static __always_inline void mark_reported_gone(struct tcp_sock_state *st)
{
	*(volatile __u32 *)&st->flags = st->flags | ST_GONE;
}

/*
 * A stale entry found by a socket at its address: report it (once) and drop it, so that the
 * new socket starts its own instead of adopting the dead one's (a wrong accept) or
 * overwriting it unreported (a half left open in every live table).
 */
static __always_inline void stale_entry_close(__u64 key, struct tcp_sock_state *st)
{
	report_gone(st);
	bpf_map_delete_elem(&tcp_socks, &key);
}

/*
 * Process context: the connecting thread is current. The local port is not chosen yet.
 * The owner is final here: a socket of another process than --pid's would only take room
 * in the table (the sockets it has no room for are not followed).
 */
static __always_inline void on_syn_sent(struct sock *sk, bool btf)
{
	struct tcp_sock_state st, *old;
	__u64 key = (__u64)sk;

	if (!pid_wanted(bpf_get_current_pid_tgid() >> 32) || !current_in_scope())
		return;
	state_init(&st, sk, btf);
	if (!netns_wanted(st.netns))
		return;
	owner_from_current(&st.owner);
	if (state_create(key, &st) != -EEXIST)
		return;
	/* an entry at this address: this socket's (connect again after a failed one), or a
	 * freed socket's whose close was missed */
	old = bpf_map_lookup_elem(&tcp_socks, &key);
	if (old && held_entry_stale(old, sk, btf))
		stale_entry_close(key, old);
	state_store(key, &st);
}

static __always_inline void report_connect(struct tcp_sock_state *st, struct sock *sk, bool btf,
					   __u64 now /* 0: read the clock */)
{
	if (st->flags & (ST_CONNECT_REPORTED | SS_F_PASSIVE | ST_LISTENER))
		return;
	st->tuple.sport = sk_local_port(sk, btf); /* chosen after SYN_SENT, known from here on */
	st->flags |= ST_CONNECT_REPORTED;
	emit_tcp_at(SS_EV_TCP_CONNECT, st, 0, 0, 0, 0, now ? now : bpf_ktime_get_ns());
}

/*
 * accept() returned the child before its SYN_RECV -> ESTABLISHED ran on another CPU, and
 * reached it through a bare pointer, which cannot ask for the socket cookie the kernel makes
 * on first use: the accept record would carry cookie 0 while its close carries the real one.
 * So accept() only notes its process in the entry (on_accept()), and the transition, whose
 * pointer can, reports the accept with the cookie. A socket closed in SYN_RECV reports it at
 * its close.
 */
static __always_inline void accept_deferred_report(struct tcp_sock_state *st, struct sock *sk,
						   bool btf, __u64 now /* 0: read the clock */)
{
	if ((st->flags & (ST_ACCEPT_DEFERRED | ST_ACCEPT_REPORTED)) != ST_ACCEPT_DEFERRED)
		return;
	if (!st->cookie)
		st->cookie = sk_cookie(sk, btf);
	emit_tcp_at(SS_EV_TCP_ACCEPT, st, 0, 0, 0, 0, now ? now : bpf_ktime_get_ns());
	st->flags |= ST_ACCEPT_REPORTED;
}

/* A passive socket's handshake, SYN-ACK sent to its ACK: the RTT sample the kernel takes from
 * it (tcp_synack_rtt_meas()) just before the socket becomes established. */
static __always_inline __u32 synack_rtt_us(struct sock *sk, bool btf)
{
	struct tcp_sock *tp = sk_tcp(sk, btf);

	return tp ? SK_READ(btf, tp, srtt_us) >> 3 : 0;
}

/* Softirq for both directions: take addresses and counters, never the current pid. */
static __always_inline void on_established(struct sock *sk, int old, bool btf)
{
	__u64 key = (__u64)sk;
	struct tcp_sock_state *st;

	if (old == TCP_SYN_SENT) {
		st = bpf_map_lookup_elem(&tcp_socks, &key);
		if (st) {
			__u64 now = bpf_ktime_get_ns();

			st->tuple.sport = sk_local_port(sk, btf);
			state_set_base(st, sk, btf);
			st->handshake_us = (now - st->open_ns) / 1000;
			/* Without tcp_connect() hooks: the owner was taken at SYN_SENT in the
			 * connecting thread, and the local port is known from here on. */
			if (cfg_connect_via_tp)
				report_connect(st, sk, btf, now);
		}
	} else if (old == TCP_SYN_RECV) {
		struct tcp_sock_state fresh;

		/* The child sits in the accept queue before this transition runs, so on another
		 * CPU accept() may have returned it and made the entry already. */
		st = bpf_map_lookup_elem(&tcp_socks, &key);
		/* a held entry here is stale: a socket that closed is never established again,
		 * and only the close net's missing run can have left it; so is one naming
		 * another socket (read before state_init() below makes this one's cookie) */
		if (st && (st->held || held_entry_stale(st, sk, btf))) {
			stale_entry_close(key, st);
			st = NULL;
		}
		if (!st) {
			state_init(&fresh, sk, btf);
			if (!netns_wanted(fresh.netns) ||
			    !port_wanted(fresh.tuple.sport, fresh.tuple.dport))
				return;
			fresh.flags = SS_F_PASSIVE;
			state_set_base(&fresh, sk, btf);
			fresh.handshake_us = synack_rtt_us(sk, btf);
			if (state_create(key, &fresh) != -EEXIST)
				return;
			st = bpf_map_lookup_elem(&tcp_socks, &key);
			if (!st)
				return;
		}
		st->flags &= ~SS_F_PARTIAL;
		state_set_base(st, sk, btf);
		st->handshake_us = synack_rtt_us(sk, btf);
		accept_deferred_report(st, sk, btf, 0);
	}
}

/*
 * A passive socket that reaches CLOSE before accept() has returned it: a client that resets
 * right after connect() (SO_LINGER 0: health checks, scanners), handled in softirq while the
 * socket waits in the accept queue. Its close must not be reported before its accept, nor
 * without the process that accepts it, so the entry stays, holding the figures, and:
 *  - on_accept() reports the accept and then this close, with the accepting process;
 *  - the close net reports it when the socket is destroyed unreported: never accepted (the
 *    listener closed, pid 0), or accepted on another CPU at this very moment (the one case
 *    where neither side saw the other's write);
 *  - the close net deletes the entry either way, when the socket is freed, so its address
 *    cannot be taken by the next socket while the entry lives.
 * Only the held_* fields and held are written here; accept() may be writing the owner and
 * flags on another CPU.
 */
static __always_inline void hold_close(struct tcp_sock_state *st, __u64 sent, __u64 received,
				       __u64 duration_ns)
{
	st->held_sent = sent;
	st->held_received = received;
	st->held_duration_ns = duration_ns;
	barrier(); /* the figures, then the mark (x86-64 keeps stores in order) */
	*(volatile __u32 *)&st->held = 1;
}

static __always_inline void report_held_close(struct tcp_sock_state *st)
{
	emit_tcp(SS_EV_TCP_CLOSE, st, st->held_sent, st->held_received, st->held_duration_ns, 0);
	st->flags |= ST_CLOSE_REPORTED;
}

/* old: the state left, or -1 when only the socket's destruction was seen (the net below). */
static __always_inline void on_close(struct sock *sk, int old, bool btf)
{
	__u64 key = (__u64)sk, now, sent = 0, received = 0;
	struct tcp_sock_state *st = bpf_map_lookup_elem(&tcp_socks, &key);
	struct tcp_sock *tp;
	__u32 flags_seen;

	if (!st)
		return;
	/* another socket's, gone unseen (this one is not followed: a filter, or no room) */
	if (held_entry_stale(st, sk, btf)) {
		stale_entry_close(key, st);
		return;
	}
	/* held: CLOSE again (tcp_close() of a reset socket with unread data); reported by
	 * accept or at destruction */
	if (st->held)
		return;
	/*
	 * One clock read for every record below (and the duration), made after the flags were
	 * read: accept() may report this socket on another CPU meanwhile, and a close stamped
	 * before its accept would be merged before it (re-read at the end if that happened).
	 */
	flags_seen = *(volatile __u32 *)&st->flags;
	barrier();
	now = bpf_ktime_get_ns();
	if (flags_seen & ST_LISTENER) {
		emit_tcp_at(SS_EV_TCP_LISTEN_CLOSE, st, 0, 0, now - st->open_ns, 0, now);
		goto out;
	}
	/* The connect hook may not have run yet (blocking connect refused): report it first;
	 * likewise an accept that waited for the handshake's end */
	report_connect(st, sk, btf, now);
	accept_deferred_report(st, sk, btf, now);
	if (!st->cookie)
		st->cookie = sk_cookie(sk, btf); /* a socket seeded in another namespace */
	if (old == TCP_SYN_SENT ||
	    (old < 0 && !(st->flags & (ST_BASE_SET | SS_F_PASSIVE)))) {
		__s32 err = SK_READ(btf, sk, sk_err);

		emit_tcp_at(SS_EV_TCP_CONNECT_FAILED, st, 0, 0, now - st->open_ns,
			    err ? err : ECANCELED, now);
		goto out;
	}
	tp = sk_tcp(sk, btf);
	if ((st->flags & ST_BASE_SET) && tp) {
		/* The counters include our FIN once acked and the peer's FIN once received. */
		bool fin_acked = fin_sent(sk, old, btf) &&
				 SK_READ(btf, tp, snd_una) == SK_READ(btf, tp, write_seq);
		bool fin_in = peer_fin_received(sk, btf);

		sent = SK_READ(btf, tp, bytes_acked) - st->acked_base - fin_acked;
		received = SK_READ(btf, tp, bytes_received) - st->received_base - fin_in;
	}
	/* accept not reported yet, and the socket lives on (not the destroy net) */
	if (old >= 0 && (st->flags & (SS_F_PASSIVE | ST_ACCEPT_REPORTED)) == SS_F_PASSIVE) {
		hold_close(st, sent, received, now - st->open_ns);
		return;
	}
	if ((*(volatile __u32 *)&st->flags & ~flags_seen) & ST_ACCEPT_REPORTED)
		now = bpf_ktime_get_ns(); /* accepted since the read above (rare) */
	emit_tcp_from(SS_EV_TCP_CLOSE, st, sent, received, now - st->open_ns, 0, now, tp, btf);
out:
	mark_reported_gone(st);
	bpf_map_delete_elem(&tcp_socks, &key);
}

/* Most transitions (FIN_WAIT*, CLOSE_WAIT, ...) need nothing: decide before reading sk. */
static __always_inline bool state_relevant(int old, int new)
{
	if (new == TCP_ESTABLISHED)
		return old == TCP_SYN_SENT || old == TCP_SYN_RECV;
	return new == TCP_SYN_SENT || new == TCP_CLOSE || new == TCP_LISTEN;
}

static __always_inline void on_state(struct sock *sk, int old, int new, bool btf)
{
	if (new == TCP_LISTEN)
		return; /* the listen hook's business */
	if (!sk_is_tcp(sk, btf) || !family_wanted(sk_family(sk, btf)))
		return;
	if (new == TCP_SYN_SENT)
		on_syn_sent(sk, btf);
	else if (new == TCP_ESTABLISHED)
		on_established(sk, old, btf);
	else
		on_close(sk, old, btf);
}

/* Process context: the listening process is current. */
static __always_inline void on_listen(struct sock *sk, bool btf)
{
	__u64 key = (__u64)sk;
	struct tcp_sock_state st, *old;

	if (!sk || !sk_is_tcp(sk, btf) || !family_wanted(sk_family(sk, btf)))
		return;
	old = bpf_map_lookup_elem(&tcp_socks, &key);
	if (old && held_entry_stale(old, sk, btf)) {
		stale_entry_close(key, old); /* not overwritten unreported below */
		old = NULL;
	}
	if (old && (old->flags & ST_LISTENER))
		return; /* listen() again only changes the backlog */
	state_init(&st, sk, btf);
	owner_from_current(&st.owner);
	if (!pid_wanted(st.owner.pid) || !current_in_scope() || !netns_wanted(st.netns) ||
	    !port_wanted(st.tuple.sport, st.tuple.dport))
		return; /* never reported: keep the table's room for the wanted sockets */
	st.flags = ST_LISTENER;
	state_store(key, &st);
	emit_tcp_at(SS_EV_TCP_LISTEN, &st, 0, 0, 0, 0, st.open_ns); /* state_init's clock read */
}

/*
 * A socket that closed before accept() returned it and whose close nobody saw (no entry: the
 * table was full, or it closed before the hooks were attached). The record says so, and no
 * close follows. A held entry, already reported, lets the accept net (run after fexit or
 * kretprobe in the same call) recognise it, and the close net frees it with the socket.
 */
static __always_inline void accept_closed_unseen(__u64 key, struct tcp_sock_state *fresh,
						 bool fexit_ran_first)
{
	fresh->flags |= SS_F_ALREADY_CLOSED | ST_ACCEPT_REPORTED | ST_CLOSE_REPORTED;
	owner_from_current(&fresh->owner);
	fresh->held = 1;
	/* the entry first: a fexit that ran first and found no room reported this one itself */
	if (fexit_ran_first) {
		if (map_try_create(&tcp_socks, &key, fresh))
			return;
	} else {
		state_create(key, fresh);
	}
	emit_tcp(SS_EV_TCP_ACCEPT, fresh, 0, 0, 0, 0);
}

/*
 * Process context: the accepting process is current. The entry is normally made in softirq at
 * SYN_RECV -> ESTABLISHED, but that transition can still be running on another CPU (the child
 * is queued for accept() first); then this makes the entry and the transition completes it.
 * fexit_ran_first: the accept net behind a fexit that saw this call (unless the kernel skipped
 * it): a socket the fexit found no room for was reported by it, and is not again here (nor
 * counted untracked twice).
 */
static __always_inline void on_accept(struct sock *sk, bool fexit_ran_first)
{
	const bool btf = false; /* reached through fd tables and return values: bare addresses */
	__u64 key = (__u64)sk;
	struct tcp_sock_state *st, fresh;
	int state, err;

	if (!sk || !sk_is_tcp(sk, btf) || !family_wanted(sk_family(sk, btf)))
		return;
	st = bpf_map_lookup_elem(&tcp_socks, &key);
	if (st && held_entry_stale(st, sk, btf)) {
		stale_entry_close(key, st);
		st = NULL;
	}
	if (st && (st->flags & (ST_ACCEPT_REPORTED | ST_ACCEPT_DEFERRED)))
		return; /* the accept net after fexit/kretprobe */
	if (!st) {
		state = BPF_CORE_READ(sk, __sk_common.skc_state);
		state_init(&fresh, sk, btf);
		/* as at the handshake: a socket the filters exclude takes no room in the table */
		if (!pid_wanted(bpf_get_current_pid_tgid() >> 32) || !current_in_scope() ||
		    !netns_wanted(fresh.netns) || !port_wanted(fresh.tuple.sport, fresh.tuple.dport))
			return;
		fresh.flags = SS_F_PASSIVE;
		if (state != TCP_SYN_RECV) {
			/* established before we attached: bytes and duration will be partial */
			fresh.flags |= SS_F_PARTIAL;
			state_set_base_late(&fresh, sk);
		}
		if (state == TCP_CLOSE) {
			accept_closed_unseen(key, &fresh, fexit_ran_first);
			return;
		}
		if (state == TCP_SYN_RECV && !fresh.cookie) {
			/* the handshake's end reports it, with the cookie */
			owner_from_current(&fresh.owner);
			fresh.flags |= ST_ACCEPT_DEFERRED;
		}
		err = fexit_ran_first ? map_try_create(&tcp_socks, &key, &fresh)
				      : state_create(key, &fresh);
		if (!err && (fresh.flags & ST_ACCEPT_DEFERRED))
			return;
		if (err && err != -EEXIST) {
			if (fexit_ran_first)
				return;
			/* no room in the table (counted): report, keep nothing */
			owner_from_current(&fresh.owner);
			emit_tcp(SS_EV_TCP_ACCEPT, &fresh, 0, 0, 0, 0);
			return;
		}
		st = bpf_map_lookup_elem(&tcp_socks, &key);
		if (!st)
			return;
	}
	owner_from_current(&st->owner);
	st->flags |= SS_F_PASSIVE; /* a seeded entry could not tell */
	emit_tcp(SS_EV_TCP_ACCEPT, st, 0, 0, 0, 0);
	/* after the record: a close that sees this flag is reported after the accept */
	st->flags |= ST_ACCEPT_REPORTED;
	barrier();
	if (*(volatile __u32 *)&st->held)
		report_held_close(st); /* the reset came first; the close follows at once */
}

static __always_inline void on_connect(struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct tcp_sock_state *st = bpf_map_lookup_elem(&tcp_socks, &key);

	if (st)
		report_connect(st, sk, false, 0);
}

/*
 * ---- state hook ----------------------------------------------------------------------
 * The kernel skips a BPF program that would run nested in itself on one CPU: a softirq state
 * change landing while the program handles a task-context one. So the hook is two identical
 * programs on one transition; whichever runs first handles the event and notes it in a
 * per-CPU slot, the other finds the note, consumes it and does nothing. When one is skipped
 * for a nested event, the other handles it. The order does not matter (fentry trampolines
 * call the newest program first on some kernels, tracepoints the oldest). A socket cannot
 * repeat a transition nested in itself, so nothing is missed; the rare double handling after
 * a nested event overwrote the note is harmless (close deletes its entry, listen dedupes).
 * The note names the socket by cookie as well as address: when one twin was skipped its note
 * stays behind, and the slab hands the same address to the next socket, whose identical
 * transition must not be taken for the old one. A CLOSE neither twin handled is still
 * reported, by the close net on tcp_destroy_sock below.
 */
struct state_note {
	__u64 sk;
	__u64 cookie;
	__s32 old;
	__s32 new;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct state_note);
} state_seen SEC(".maps");

/* True, and the note consumed, if the twin handled this event; else note it for the twin. */
static __always_inline bool state_claimed(struct sock *sk, int old, int new, bool btf)
{
	__u64 cookie = sk_cookie(sk, btf);
	__u32 zero = 0;
	struct state_note *n = bpf_map_lookup_elem(&state_seen, &zero);

	if (!n)
		return false;
	if (n->sk == (__u64)sk && n->cookie == cookie && n->old == old && n->new == new) {
		n->sk = 0;
		return true;
	}
	n->sk = (__u64)sk;
	n->cookie = cookie;
	n->old = old;
	n->new = new;
	return false;
}

/* tp_btf: the state hook on the tracepoint backend, and the kprobe's twin. */
static __always_inline void tp_state(struct sock *sk, int oldstate, int newstate)
{
	if (!state_relevant(oldstate, newstate) || state_claimed(sk, oldstate, newstate, true))
		return;
	if (newstate == TCP_LISTEN) {
		if (cfg_listen_via_tp)
			on_listen(sk, true);
		return;
	}
	if (cfg_state_via_tp)
		on_state(sk, oldstate, newstate, true);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ss_tp_state, struct sock *sk, int oldstate, int newstate)
{
	tp_state(sk, oldstate, newstate);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ss_tp_state_twin, struct sock *sk, int oldstate, int newstate)
{
	tp_state(sk, oldstate, newstate);
	return 0;
}

static __always_inline void fe_state(struct sock *sk, int state)
{
	int old = BPF_CORE_READ(sk, __sk_common.skc_state);

	if (state_relevant(old, state) && !state_claimed(sk, old, state, true))
		on_state(sk, old, state, true);
}

SEC("fentry/tcp_set_state")
int BPF_PROG(ss_fe_state, struct sock *sk, int state)
{
	fe_state(sk, state);
	return 0;
}

SEC("fentry/tcp_set_state")
int BPF_PROG(ss_fe_state_twin, struct sock *sk, int state)
{
	fe_state(sk, state);
	return 0;
}

/*
 * kprobes share one per-CPU guard across all BPF programs: a softirq state change landing
 * while any kprobe program runs on that CPU skips this one (measured in a 6.1 VM: ~2 % of
 * closes in a churn loop). A second kprobe would be skipped too, so its twin is
 * ss_tp_state_twin on the tracepoint inside tcp_set_state(), which has its own guard.
 */
SEC("kprobe/tcp_set_state")
int BPF_KPROBE(ss_kp_state, struct sock *sk, int state)
{
	int old = BPF_CORE_READ(sk, __sk_common.skc_state);

	if (state_relevant(old, state) && !state_claimed(sk, old, state, false))
		on_state(sk, old, state, false);
	return 0;
}

/*
 * The close net. Every full TCP socket passes tcp_destroy_sock() once, after its CLOSE
 * transition; an entry still in the table there means that transition was not handled. On
 * 6.18 a twin was now and then not run for a CLOSE transition with no recursion miss counted
 * (docs/design.md); had both been, the stale entry lost the close, and when the slab handed
 * its address to an accepted socket, accept() adopted it. This reports the close
 * from what the socket still holds and frees the entry. A separate tracepoint with its own
 * recursion guard, so it does not share the state programs' misses.
 */
__u64 closes_by_net; /* read by user space for -v */

SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(ss_tp_destroy, struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct tcp_sock_state *st = bpf_map_lookup_elem(&tcp_socks, &key);

	if (!st)
		return 0;
	if (held_entry_stale(st, sk, true)) { /* another socket's, gone unseen */
		stale_entry_close(key, st);
		return 0;
	}
	if (st->held) { /* a close held for accept(): see hold_close() */
		if (!(st->flags & ST_CLOSE_REPORTED))
			report_held_close(st);
		mark_reported_gone(st);
		bpf_map_delete_elem(&tcp_socks, &key);
		return 0;
	}
	__sync_fetch_and_add(&closes_by_net, 1);
	on_close(sk, -1, true);
	return 0;
}

/*
 * The sweep, run by user space about once a second and at stop. Now and then the kernel runs
 * none of the hooks above for a socket's last transitions and its destruction (measured here:
 * bursts of up to ~90 client sockets whose FIN_WAIT2, CLOSE and tcp_destroy_sock all ran in
 * one softirq on the CPU of a host agent's thread, with no recursion miss counted for the
 * twin; docs/design.md, "lost CLOSE"). Its entry stays, and without this its close was
 * reported only when the slab gave the address to a new socket, if ever. An entry's socket
 * is gone when nothing references it (sk_refcnt 0: freed, the slab keeps it a socket until
 * reuse) or another socket lives there (a cookie not the entry's). Read with probe reads:
 * the memory may be anything by now. The entry is marked, not deleted: the delete could
 * land after a new socket at that address replaced it. The next socket there, or that
 * socket's close, drops it.
 */
static long sweep_entry(struct bpf_map *map, __u64 *key, struct tcp_sock_state *st, void *ctx)
{
	__u64 addr = *key, want = st->cookie, cookie;
	struct sock *sk = (struct sock *)addr;
	int refs;

	if (st->flags & ST_GONE)
		return 0;
	refs = BPF_CORE_READ(sk, __sk_common.skc_refcnt.refs.counter);
	cookie = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
	barrier();
	/*
	 * Read again after the socket: the entry may have been closed and deleted meanwhile
	 * (mark_reported_gone()), or its element taken for another socket's entry. A socket
	 * seen freed was freed after its close's mark, so the mark is seen here too (x86-64
	 * keeps loads in order, and stores).
	 */
	if ((*(volatile __u32 *)&st->flags & ST_GONE) || *(volatile __u64 *)key != addr ||
	    *(volatile __u64 *)&st->cookie != want)
		return 0;
	if (refs == 0 || (want && cookie != want))
		report_gone(st);
	return 0;
}

/*
 * Run by BPF_PROG_TEST_RUN, never attached: an iterator over the map (iter/bpf_map_elem)
 * would be the natural home, but this host's kernel refuses to load one (EPERM), and this
 * runs wherever bpf_for_each_map_elem() exists (5.13+; user space probes it).
 */
SEC("raw_tp")
int ss_sweep_tcp(void *ctx)
{
	bpf_for_each_map_elem(&tcp_socks, sweep_entry, NULL, 0);
	return 0;
}

/* ---- connect hook: tcp_connect() runs in the connecting thread, local port chosen ----- */

SEC("fentry/tcp_connect")
int BPF_PROG(ss_fe_connect, struct sock *sk)
{
	on_connect(sk);
	return 0;
}

SEC("kprobe/tcp_connect")
int BPF_KPROBE(ss_kp_connect, struct sock *sk)
{
	on_connect(sk);
	return 0;
}

/*
 * Without fentry/kprobe the connect is reported by the state hook at SYN_SENT -> ESTABLISHED
 * (owner from SYN_SENT, in process context), or at close for a connect that failed. A
 * program on sys_exit_connect would cost more than the rest of the connection's hooks (a
 * classic syscall tracepoint builds a perf record first) for a report at most one round trip
 * earlier.
 */

/* ---- accept hook ----------------------------------------------------------------------- */

SEC("fexit/inet_csk_accept")
int ss_fx_accept(unsigned long long *ctx)
{
	on_accept(inet_csk_accept_ret(ctx), false);
	return 0;
}

SEC("kretprobe/inet_csk_accept")
int BPF_KRETPROBE(ss_kr_accept, struct sock *newsk)
{
	on_accept(newsk, false);
	return 0;
}

/*
 * The syscall exits serve as the accept hook on the tracepoint backend, and otherwise as a net
 * under fexit/kretprobe, which cannot see a call that was already running when they attached:
 * a server blocked in accept() while sockscope starts. The net takes every accept until user
 * space has listed the threads blocked in accept() (user/load/accept_waiters.c), then only theirs,
 * once each; on_accept() ignores a socket already reported.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);  /* thread id */
	__type(value, __u8);
} accept_waiters SEC(".maps");

volatile bool accept_net_all = true; /* user space clears it once accept_waiters is filled */
/*
 * Set by user space where the kernel can skip a fexit run (a preemptible kernel): the net then
 * also takes every other accept, to report one the fexit was skipped for.
 */
volatile bool accept_net_backs_fexit;

static __always_inline void accept_exit(long ret)
{
	bool fexit_ran_first = false;
	struct sock *sk;

	if (!cfg_accept_via_tp && !accept_net_all) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();

		if (bpf_map_lookup_elem(&accept_waiters, &tid))
			bpf_map_delete_elem(&accept_waiters, &tid); /* blocked since before the fexit */
		else if (accept_net_backs_fexit)
			fexit_ran_first = true;
		else
			return;
	}
	if (ret < 0)
		return;
	sk = sk_from_fd(ret);
	if (cfg_unix_accept_in_tcp && sk && BPF_CORE_READ(sk, __sk_common.skc_family) == AF_UNIX)
		ss_unix_accepted((__u64)sk);
	else
		on_accept(sk, fexit_ran_first);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int ss_tp_accept4(struct ss_sys_exit *ctx)
{
	accept_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int ss_tp_accept(struct ss_sys_exit *ctx)
{
	accept_exit(ctx->ret);
	return 0;
}

/* ---- listen hook: inet_listen(sock, backlog) has kept its signature --------------------- */

SEC("fexit/inet_listen")
int BPF_PROG(ss_fx_listen, struct socket *sock, int backlog, int ret)
{
	if (!ret)
		on_listen(BPF_CORE_READ(sock, sk), false);
	return 0;
}

SEC("kprobe/inet_listen")
int BPF_KPROBE(ss_kp_listen, struct socket *sock)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 sk = (__u64)BPF_CORE_READ(sock, sk);

	bpf_map_update_elem(&inflight, &id, &sk, BPF_ANY);
	return 0;
}

SEC("kretprobe/inet_listen")
int BPF_KRETPROBE(ss_kr_listen, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *skp = bpf_map_lookup_elem(&inflight, &id);
	struct sock *sk;

	if (!skp)
		return 0;
	sk = (struct sock *)*skp;
	bpf_map_delete_elem(&inflight, &id);
	if (!ret)
		on_listen(sk, false);
	return 0;
}

/*
 * ---- start-up seeding ------------------------------------------------------------------
 * A socket gets an entry when the hooks see it open, so a socket opened before they were
 * attached would close unreported, and a live table built from a snapshot would keep it
 * forever. User space runs these iterators right after attaching, so every TCP socket alive
 * then gets an entry (bytes partial) and its close is reported like any other. Entries the
 * hooks made already are kept (BPF_NOEXIST).
 *  - iter/tcp (ss_seed_tcp) sees every socket of sockscope's own network namespace, also
 *    those no process holds (in an accept queue, or closed by their owner); it holds the
 *    socket's lock (5.19+), so a socket is seen before its close transition or not at all.
 *  - trace follows every namespace: iter/task_file finds the sockets processes hold, in any
 *    namespace, with their owners (ss_seed_listen_ports, then ss_seed_tcp_files). A socket
 *    closing meanwhile may get an entry after its close transition ran; the close net reports
 *    it when the socket is freed.
 */

/*
 * The ports listening at start, per network namespace, so that a connection on a listening
 * port is taken for the server's end (it was accepted before we started: no accept will say).
 * Written before the connections are seeded; read only by seeding.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* netns << 16 | port */
	__type(value, __u8);
} seed_listen_ports SEC(".maps");

static __always_inline __u64 listen_port_key(struct sock *sk)
{
	return (__u64)sk_netns(sk, false) << 16 | sk_local_port(sk, false);
}

static __always_inline void note_listen_port(struct sock *sk)
{
	__u64 key = listen_port_key(sk);
	__u8 one = 1;

	bpf_map_update_elem(&seed_listen_ports, &key, &one, BPF_ANY);
}

/* Accepted already (a descriptor names it) or closed by its owner: no accept() will come. */
static __always_inline bool sk_accepted_or_orphaned(struct sock *sk)
{
	unsigned long flags = BPF_CORE_READ(sk, __sk_common.skc_flags);

	return BPF_CORE_READ(sk, sk_socket) ||
	       (flags & (1ul << bpf_core_enum_value(enum sock_flags, SOCK_DEAD)));
}

static __always_inline bool seed_state_wanted(int state)
{
	return state != TCP_TIME_WAIT && state != TCP_NEW_SYN_RECV && state != TCP_CLOSE;
}

/* The entry of a socket found alive at start; false when the filters exclude it. */
static __always_inline bool seed_entry(struct tcp_sock_state *st, struct sock *sk, int state)
{
	__u64 port_key;

	if (!family_wanted(sk_family(sk, false)))
		return false;
	state_init(st, sk, false);
	/* as at the handshake: no room for what the filters exclude */
	if (!netns_wanted(st->netns) || !port_wanted(st->tuple.sport, st->tuple.dport))
		return false;
	st->flags = SS_F_PARTIAL | ST_SEEDED;
	if (state == TCP_LISTEN) {
		st->flags |= ST_LISTENER;
		return true;
	}
	if (state != TCP_SYN_SENT)
		st->flags |= ST_CONNECT_REPORTED; /* its connect happened before us */
	port_key = listen_port_key(sk);
	if (bpf_map_lookup_elem(&seed_listen_ports, &port_key)) {
		st->flags |= SS_F_PASSIVE;
		/* one still in the accept queue is reported by accept() as usual */
		if (sk_accepted_or_orphaned(sk))
			st->flags |= ST_ACCEPT_REPORTED;
	}
	state_set_base_late(st, sk);
	return true;
}

SEC("iter/tcp")
int ss_seed_tcp(struct ss_iter_tcp *ctx)
{
	struct sock *sk = (struct sock *)ctx->sk_common; /* named by struct sock: one type fewer
							   * for CO-RE to find (ctx.bpf.h) */
	struct tcp_sock_state st;
	__u64 key = (__u64)sk;
	int state;

	if (!sk || !sk_is_tcp(sk, false))
		return 0;
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (state == TCP_LISTEN)
		note_listen_port(sk); /* before the filters: a v4 connection may come through v6 */
	if (!seed_state_wanted(state) || !seed_entry(&st, sk, state))
		return 0;
	/* the cookie the snapshot will report, assigned here if nobody asked for it yet */
	if (has_cookie_helper)
		st.cookie = bpf_get_socket_cookie(sk);
	state_create(key, &st); /* -EEXIST: the hooks track it already */
	return 0;
}

/* The TCP socket an open file is, or NULL; each descriptor table once. */
static __always_inline struct sock *tcp_sk_of_file(struct task_struct *task, struct file *file)
{
	struct sock *sk;

	if (!task || !task_lists_files(task))
		return NULL;
	sk = sk_of_file(file);
	return sk && sk_is_tcp(sk, false) ? sk : NULL;
}

SEC("iter/task_file")
int ss_seed_listen_ports(struct ss_iter_task_file *ctx)
{
	struct sock *sk = tcp_sk_of_file(ctx->task, ctx->file);

	if (sk && BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_LISTEN)
		note_listen_port(sk);
	return 0;
}

/*
 * Every TCP socket a process holds, in any namespace, and the owners of the entries seeding
 * made. A socket several processes hold (a forked server) goes to the one with the highest
 * pid, usually the youngest: a guess, but the same on every run. One no process holds keeps
 * pid 0 until accept() names it.
 */
SEC("iter/task_file")
int ss_seed_tcp_files(struct ss_iter_task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct sock *sk = tcp_sk_of_file(task, file);
	struct tcp_sock_state *st, fresh;
	__u64 key = (__u64)sk;
	__u32 tgid;
	int state;

	if (!sk)
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	if (!pid_wanted(tgid))
		return 0;
	st = bpf_map_lookup_elem(&tcp_socks, &key);
	if (st) {
		if ((st->flags & ST_SEEDED) && st->owner.pid < tgid)
			owner_from_task(&st->owner, task);
		return 0;
	}
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (!seed_state_wanted(state) || !seed_entry(&fresh, sk, state))
		return 0;
	owner_from_task(&fresh.owner, task);
	/* the cookie only if someone asked for it already: this pointer cannot make one (the
	 * close, whose pointer can, does) */
	state_create(key, &fresh);
	return 0;
}

/*
 * Open connections' payload bytes so far, for the export's byte counters between open and
 * close (one walk of the namespace's TCP sockets per page, no per-packet hook). Each record is
 * what the close would report if the connection closed now: an SS_SNAP_TCP_BYTES record laid
 * out as struct ss_tcp_event (duration: so far). iter/tcp walks the sockets of the reader's
 * namespace, the one the export describes, and holds each socket while the program runs.
 * (A walk of the tcp_socks map itself would cover every namespace, but map element
 * iterators are refused on some hosts that allow iter/tcp.)
 */
SEC("iter/tcp")
int ss_tcp_bytes(struct ss_iter_tcp *ctx)
{
	struct sock *sk = (struct sock *)ctx->sk_common;
	struct tcp_sock_state *st;
	struct ss_tcp_event e;
	struct tcp_sock *tp;
	__u64 key = (__u64)sk;
	int state;

	if (!sk)
		return 0;
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	/* time-wait and request sockets are not full sockets: they are never table entries */
	if (state == TCP_TIME_WAIT || state == TCP_NEW_SYN_RECV || state == TCP_LISTEN ||
	    !sk_is_tcp(sk, false))
		return 0;
	st = bpf_map_lookup_elem(&tcp_socks, &key);
	if (!st || st->held || (st->flags & ST_LISTENER) || !(st->flags & ST_BASE_SET))
		return 0;
	/* an accepted socket is counted under its owner, known once accept() returned it (one
	 * from before start, under the owner the snapshot found: user space looks it up) */
	if ((st->flags & (SS_F_PASSIVE | ST_SEEDED)) == SS_F_PASSIVE && !st->owner.pid)
		return 0;
	tp = (struct tcp_sock *)sk;
	__builtin_memset(&e, 0, sizeof(e));
	hdr_init(&e.hdr, SS_SNAP_TCP_BYTES, sizeof(e));
	e.owner = st->owner;
	e.tuple = st->tuple;
	e.cookie = st->cookie;
	e.netns = st->netns;
	e.flags = st->flags & SS_F_PUBLIC;
	/* as on_close() counts them: without a FIN either way */
	e.bytes_sent = BPF_CORE_READ(tp, bytes_acked) - st->acked_base -
		       (fin_sent(sk, -1, false) &&
			BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq));
	e.bytes_received = BPF_CORE_READ(tp, bytes_received) - st->received_base -
			   peer_fin_received(sk, false);
	e.duration_ns = e.hdr.ts_ns - st->open_ns;
	e.srtt_us = BPF_CORE_READ(tp, srtt_us) >> 3;
	e.retrans = BPF_CORE_READ(tp, total_retrans);
	e.segs_out = BPF_CORE_READ(tp, segs_out);
	e.handshake_us = st->handshake_us;
	bpf_seq_write(ctx->meta->seq, &e, sizeof(e));
	return 0;
}
