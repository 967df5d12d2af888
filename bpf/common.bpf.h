/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What every BPF concern shares: delivery to user space, drop accounting, filters. */
#ifndef SS_COMMON_BPF_H
#define SS_COMMON_BPF_H

#include "compat.bpf.h"
#include "ctx.bpf.h"
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "sockscope.h"

/*
 * One ring buffer per CPU. A single shared ring made both CPUs fight over its lock, its
 * producer position and the cache lines their interleaved records share, which cost more
 * than writing the event. User space creates the rings (sized at start) and merges them by
 * timestamp.
 */
struct ss_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); /* set to the per-CPU size by user space before load */
};

struct ss_rings {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1); /* set to the number of possible CPUs before load */
	__type(key, __u32);
	__array(values, struct ss_ring);
};

struct ss_counters {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE); /* read by mmap(): include/sockscope.h says why */
	__type(key, __u32);
	__type(value, struct ss_counter_block);
};

struct ss_wake_acc {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ss_cpu_tally);
};

/* Datagram flows (bpf/flow.bpf.h): defined once in maps.bpf.c, shared by udp and unix. */
#define SS_FLOW_TABLE_SIZE 65536

struct ss_flow_table {
	__uint(type, BPF_MAP_TYPE_HASH); /* not LRU: an evicted flow would lose its counts */
	__uint(max_entries, SS_FLOW_TABLE_SIZE);
	__type(key, struct ss_flow_key);
	__type(value, struct ss_flow_state);
};

struct ss_flow_socks {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SS_FLOW_TABLE_SIZE);
	__type(key, __u64); /* flow_sock_id() */
	__type(value, __u64); /* the socket's address, for the flow sweep (bpf/udp.bpf.c) */
};

/*
 * Room for a record too big for the BPF stack (a flow's state, a unix connect/accept record):
 * scratch_get()/scratch_put() below. users: the programs inside the per-CPU slot right now.
 */
struct ss_scratch_slot {
	__u64 users;
	union {
		struct ss_flow_state flow;
		struct ss_unix_event unix_ev;
	};
};

struct ss_cpu_scratch {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ss_scratch_slot);
};

/* The fallback when this CPU's slot is taken: one per thread (LRU: threads come and go). */
struct ss_thread_scratch {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32); /* thread id */
	__type(value, struct ss_scratch_slot);
};

/* The last clock read on this CPU and the tick it fell in (tick_clock_ns()). */
struct ss_tick_clock {
	__u64 jiffies;
	__u64 ns;
};

struct ss_tick_clocks {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ss_tick_clock);
};

/* A send's destination, handed from the hook that knows it to the one that knows the bytes. */
struct ss_send_pending {
	__u64 sk;  /* kprobe: the socket; tracepoint: its cookie */
	__u8 raddr[16];
	__u16 rport;
	__u16 family; /* 0: no destination given, use the connected peer */
	__u8 used;    /* consumed: a later send without a hand-over must not reuse it */
	__u8 v6;      /* kprobe: made by udpv6_sendmsg (which may call udp_sendmsg inside) */
	__u8 pad[2];
};

/*
 * Per thread: what one hook of a call hands to a later hook of the same call, in the same
 * thread (sleeping or migrating in between is fine). Created once per thread and then looked
 * up and written in place: a map update per call costs several lookups (an LRU insert the
 * most). LRU: threads come and go, nothing deletes.
 */
struct ss_thread_slot {
	struct ss_send_pending udp; /* udp send: kprobe -> kretprobe, cgroup/sendmsg -> tracepoint */
	__u64 unix_connecting;	    /* struct sock * between cgroup/connect_unix and the listener's
				     * sk_data_ready (tracepoint backend) */
	__u32 mmsg_next;	    /* sendmmsg(): the message sock_send_length sees next */
	__u32 pad;
};

struct ss_thread_slots {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* thread id */
	__type(value, struct ss_thread_slot);
};

/*
 * The one function call across objects: tcp.bpf.c's accept programs hand a unix socket to
 * unix.bpf.c (see there). Declared here, where the definition is checked against it.
 */
int ss_unix_accepted(__u64 sk);

extern struct ss_thread_slots thread_slots SEC(".maps");
extern struct ss_cpu_scratch cpu_scratch SEC(".maps");
extern struct ss_thread_scratch thread_scratch SEC(".maps");
extern struct ss_tick_clocks tick_clocks SEC(".maps");
/* The CPU rings (include/sockscope.h, struct ss_cpu_ring): sized by user space before load. */
struct ss_cpu_rings {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, SS_CPU_RING_SIZE(4096));
	__uint(max_entries, 1); /* the number of possible CPUs */
};

extern struct ss_rings rings SEC(".maps");
extern struct ss_cpu_rings cpu_rings SEC(".maps");
extern struct ss_counters counters SEC(".maps");
extern struct ss_wake_acc wake_acc SEC(".maps");

/* Set by user space before load (rodata), so unused branches are verified away. */
extern const volatile __u32 cfg_filter_tgid;
extern const volatile __u16 cfg_filter_ports[SS_MAX_PORTS];
extern const volatile __u32 cfg_n_ports;
extern const volatile __u16 cfg_filter_family;
extern const volatile bool cfg_filter_by_uid;   /* --uid: cfg_filter_uid */
extern const volatile __u32 cfg_filter_uid;
extern const volatile __u64 cfg_filter_cgroup;  /* --cgroup's id (0: every cgroup) ... */
extern const volatile __u32 cfg_filter_cgroup_level; /* ... and its depth below the root */
extern const volatile __u32 cfg_filter_netns;   /* --netns (0: every namespace) */
extern const volatile __u64 cfg_wakeup_bytes; /* per CPU */
extern const volatile __u32 cfg_cpu_ring_bytes; /* a power of two; 0: the kernel's rings only */
extern const volatile bool cfg_state_via_tp;   /* tracepoint programs act on state changes
						 * (the hook, or the kprobe's net) */
extern const volatile bool cfg_connect_via_tp; /* connect reported at SYN_SENT -> ESTABLISHED */
extern const volatile bool cfg_listen_via_tp;  /* listen hook runs on the state tracepoint */
extern const volatile bool cfg_accept_via_tp;  /* accept hook runs on the syscall exits */
extern const volatile bool cfg_unix_accept_in_tcp; /* ...and its programs report unix accepts */
extern const volatile __u64 cfg_flow_idle_ns;  /* a datagram after this gap starts a new epoch */
extern const volatile bool cfg_want_udp;
extern const volatile bool cfg_udp_send_via_tp; /* udp sends counted by sock_send_length */
extern const volatile bool cfg_want_unix;

static __always_inline void count(enum ss_counter which)
{
	__u32 zero = 0;
	struct ss_counter_block *c = bpf_map_lookup_elem(&counters, &zero);

	/* shared by the CPUs, so atomic; these are rare events, so it is cheap */
	if (c && which < SS_CNT_MAX)
		__sync_fetch_and_add(&c->v[which], 1);
}

/*
 * CLOCK_MONOTONIC to the timer tick (1-10 ms), for per-datagram bookkeeping: a clock read
 * can cost a tenth of a datagram's budget (a paravirtual clock), while jiffies is one load. Reads the clock once per tick per CPU and returns that read until jiffies moves on,
 * so the value is never ahead of the real clock and at most a tick behind it.
 * (bpf_ktime_get_coarse_ns() would do, but tracing programs may not call it.)
 */
static __always_inline __u64 tick_clock_ns(void)
{
	__u64 now_jiffies = bpf_jiffies64();
	__u32 zero = 0;
	struct ss_tick_clock *c = bpf_map_lookup_elem(&tick_clocks, &zero);

	if (!c)
		return bpf_ktime_get_ns();
	if (c->jiffies != now_jiffies) {
		c->ns = bpf_ktime_get_ns();
		c->jiffies = now_jiffies;
	}
	return c->ns;
}

/* This thread's slot; with create, made on the thread's first use. */
static __always_inline struct ss_thread_slot *thread_slot(bool create)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ss_thread_slot fresh = {};

	if (!create)
		return bpf_map_lookup_elem(&thread_slots, &tid);
	return map_lookup_or_try_init(&thread_slots, &tid, &fresh);
}

/*
 * Scratch space, safe against preemption. fentry/fexit, cgroup and iterator programs run with
 * migration disabled but not preemption: on a preemptible kernel (Debian's 7.x kernels are
 * PREEMPT_LAZY) another task can run the same code on this CPU while the first is half-way
 * through filling the per-CPU slot (seen on sid: an unconnected send's flow start carried the
 * receiving process). So the slot counts its users: a program that is alone in it after its
 * own increment uses it; any other takes its thread's own slot. The adds are XADD, which every
 * kernel has (a fetching atomic needs 5.12). Every scratch_get() that returned a slot is
 * followed by exactly one scratch_put().
 */
static __always_inline void *scratch_get(void)
{
	__u32 zero = 0, tid;
	struct ss_scratch_slot *s = bpf_map_lookup_elem(&cpu_scratch, &zero), *t;

	if (!s)
		return NULL;
	__sync_fetch_and_add(&s->users, 1);
	if (*(volatile __u64 *)&s->users == 1)
		return &s->flow;
	tid = (__u32)bpf_get_current_pid_tgid();
	/* made from the busy slot's bytes: every user clears what it takes */
	t = map_lookup_or_try_init(&thread_scratch, &tid, s);
	if (!t) {
		__sync_fetch_and_add(&s->users, -1);
		count(SS_CNT_LOST);
		return NULL;
	}
	return &t->flow;
}

static __always_inline void scratch_put(void)
{
	__u32 zero = 0;
	struct ss_scratch_slot *s = bpf_map_lookup_elem(&cpu_scratch, &zero);

	if (s)
		__sync_fetch_and_add(&s->users, -1);
}

/*
 * This CPU's own ring (include/sockscope.h, struct ss_cpu_ring), if this program is alone in
 * it after its own increment; else NULL, and the record goes to the kernel's ring. A program
 * interrupted or preempted half-way through a record keeps the ring; whoever comes meanwhile
 * sees two users. The adds are XADD, which every kernel has (a fetching atomic needs 5.12).
 */
static __always_inline struct ss_cpu_ring *cpu_ring_enter(void)
{
	__u32 cpu;
	struct ss_cpu_ring *r;

	if (!cfg_cpu_ring_bytes)
		return NULL;
	cpu = bpf_get_smp_processor_id();
	r = bpf_map_lookup_elem(&cpu_rings, &cpu);
	if (!r)
		return NULL;
	__sync_fetch_and_add(&r->users, 1);
	if (*(volatile __u64 *)&r->users == 1)
		return r;
	__sync_fetch_and_add(&r->users, -1);
	return NULL;
}

static __always_inline void cpu_ring_leave(struct ss_cpu_ring *r)
{
	__sync_fetch_and_add(&r->users, -1);
}

/* Where need bytes go at head, or NULL if user space has not read far enough to free them. */
static __always_inline void *cpu_ring_place(struct ss_cpu_ring *r, __u64 head, __u32 need)
{
	if (head + need - *(volatile __u64 *)&r->tail > cfg_cpu_ring_bytes)
		return NULL;
	return r->data + (head & (cfg_cpu_ring_bytes - 1));
}

/* Make the record at head visible: its bytes first, then head (x86-64 keeps stores in order;
 * user space turns the rings on only there). */
static __always_inline void cpu_ring_publish(struct ss_cpu_ring *r, __u64 head, __u32 size)
{
	barrier();
	*(volatile __u64 *)&r->head = head + size;
	cpu_ring_leave(r);
}

/* A record being written: in this CPU's own ring (own), else in the kernel's (e, reserved). */
struct ss_rec {
	void *e;
	struct ss_cpu_ring *own;
	__u64 head;
};

/* size bytes at head in this CPU's own ring, if no other program is in it and it has room */
static __always_inline bool cpu_ring_reserve(struct ss_rec *rec, __u32 size)
{
	struct ss_cpu_ring *own = cpu_ring_enter();

	if (!own)
		return false;
	rec->head = own->head;
	rec->e = cpu_ring_place(own, rec->head, size);
	if (!rec->e) {
		cpu_ring_leave(own); /* full */
		return false;
	}
	rec->own = own;
	return true;
}

static __always_inline struct ss_rec event_reserve(__u32 size)
{
	struct ss_rec rec = {};
	void *ring;
	__u32 cpu;

	if (cpu_ring_reserve(&rec, size))
		return rec;
	cpu = bpf_get_smp_processor_id(); /* else the kernel's ring */
	ring = bpf_map_lookup_elem(&rings, &cpu);
	rec.e = ring ? bpf_ringbuf_reserve(ring, size, 0) : NULL;
	if (!rec.e)
		count(SS_CNT_LOST);
	return rec;
}

/*
 * Waking the reader on every record costs more than the rest of the event (a wake-up per
 * record: docs/design.md, "Delivery without waking on every event"); instead wake only when a batch
 * has accumulated. User space also drains on a short timer, so latency stays bounded. The
 * batch is counted in a per-CPU slot: asking the ring (bpf_ringbuf_query) reads the consumer
 * position, a cache line user space keeps writing.
 */
static __always_inline struct ss_cpu_tally *cpu_tally(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&wake_acc, &zero);
}

static __always_inline __u64 wake_flags(struct ss_cpu_tally *t, __u32 size)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (t) {
		t->unwoken_bytes += size;
		if (t->unwoken_bytes >= cfg_wakeup_bytes) {
			t->unwoken_bytes = 0;
			flags = BPF_RB_FORCE_WAKEUP;
		}
	}
	return flags;
}

/* The CPU rings wake nobody: a record of nothing in the kernel's ring does, when it is time. */
static __always_inline void cpu_ring_wake(struct ss_cpu_tally *t, __u32 size)
{
	struct ss_hdr h = { .type = SS_EV_WAKE, .version = SS_ABI_VERSION, .size = sizeof(h) };
	__u32 cpu;
	void *ring;

	if (wake_flags(t, size) != BPF_RB_FORCE_WAKEUP)
		return;
	cpu = bpf_get_smp_processor_id();
	ring = bpf_map_lookup_elem(&rings, &cpu);
	if (ring)
		bpf_ringbuf_output(ring, &h, sizeof(h), BPF_RB_FORCE_WAKEUP);
}

static __always_inline void event_submit(struct ss_rec *rec, __u32 size)
{
	struct ss_cpu_tally *t = cpu_tally();

	if (rec->own) {
		cpu_ring_publish(rec->own, rec->head, size);
		cpu_ring_wake(t, size);
	} else {
		bpf_ringbuf_submit(rec->e, wake_flags(t, size));
	}
	if (t)
		t->submitted++; /* after the submit: never counts a record the reader cannot see */
}

/*
 * A record whose length is known only once it is built (at most max_size bytes), made in place
 * in this CPU's ring when there is room for max_size: its lines are then first written while
 * the record is filled in, not all at its end (a line written to the ring is a miss: the
 * reader's CPU held it). Else in a scratch slot (scratch_get()), of which the kernel's ring
 * takes the first size bytes. Every event_begin_max() that gave a record is followed by exactly
 * one event_end_max(). (The struct ss_rec of event_reserve(), but e is a scratch slot, not a
 * reservation in the kernel's ring, when own is NULL.)
 */
static __always_inline struct ss_rec event_begin_max(const __u32 max_size)
{
	struct ss_rec rec = {};

	if (!cpu_ring_reserve(&rec, max_size))
		rec.e = scratch_get(); /* then the kernel's ring */
	return rec;
}

/* The record's first size bytes published; size 0 drops it. */
static __always_inline void event_end_max(struct ss_rec *rec, __u32 size)
{
	struct ss_cpu_tally *t;
	__u32 cpu;
	void *ring;

	if (rec->own) {
		if (size)
			event_submit(rec, size);
		else
			cpu_ring_leave(rec->own);
		return;
	}
	/* a scratch slot: the kernel's ring takes a copy of its first size bytes */
	if (size) {
		t = cpu_tally();
		cpu = bpf_get_smp_processor_id();
		ring = bpf_map_lookup_elem(&rings, &cpu);
		if (ring && !bpf_ringbuf_output(ring, rec->e, size, wake_flags(t, size))) {
			if (t)
				t->submitted++;
		} else {
			count(SS_CNT_LOST);
		}
	}
	scratch_put();
}

/* ts_ns: a CLOCK_MONOTONIC read the program already made (a read costs ~50 ns on a
 * paravirtual clock: a program that needs the time for itself shares it with its records). */
static __always_inline void hdr_init_at(struct ss_hdr *h, __u16 type, __u32 size, __u64 ts_ns)
{
	h->type = type;
	h->version = SS_ABI_VERSION;
	h->reserved = 0;
	h->size = size;
	h->ts_ns = ts_ns;
}

static __always_inline void hdr_init(struct ss_hdr *h, __u16 type, __u32 size)
{
	hdr_init_at(h, type, size, bpf_ktime_get_ns());
}

/* Only valid in process context: in softirq "current" is whoever was on the CPU. */
static __always_inline void owner_from_current(struct ss_owner *o)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	o->pid = pid_tgid >> 32;
	o->tid = (__u32)pid_tgid;
	o->uid = (__u32)bpf_get_current_uid_gid();
	o->reserved = 0;
	o->cgroup = bpf_get_current_cgroup_id();
	bpf_get_current_comm(o->comm, sizeof(o->comm));
}

static __always_inline bool family_wanted(__u16 family)
{
	if (family != AF_INET && family != AF_INET6)
		return false;
	return !cfg_filter_family || family == cfg_filter_family;
}

static __always_inline bool port_wanted(__u16 sport, __u16 dport)
{
	if (!cfg_n_ports)
		return true;
	for (int i = 0; i < SS_MAX_PORTS; i++) {
		if (i >= cfg_n_ports)
			break;
		if (cfg_filter_ports[i] == sport || cfg_filter_ports[i] == dport)
			return true;
	}
	return false;
}

static __always_inline bool pid_wanted(__u32 tgid)
{
	return !cfg_filter_tgid || tgid == cfg_filter_tgid;
}

/*
 * --uid and --cgroup, for current (process context only). A pre-filter that spares the ring
 * and the tables what is surely not wanted: user space applies every filter exactly
 * (user/table/owner_filter.c), so a socket passed here that it then drops costs only time.
 */
static __always_inline bool current_in_scope(void)
{
	if (cfg_filter_by_uid && (__u32)bpf_get_current_uid_gid() != cfg_filter_uid)
		return false;
	return !cfg_filter_cgroup ||
	       bpf_get_current_ancestor_cgroup_id(cfg_filter_cgroup_level) == cfg_filter_cgroup;
}

static __always_inline bool netns_wanted(__u32 netns)
{
	return !cfg_filter_netns || netns == cfg_filter_netns;
}

#endif /* SS_COMMON_BPF_H */
