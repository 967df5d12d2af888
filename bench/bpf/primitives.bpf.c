// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What each building block of a tracing program costs on the TCP state hook
 * (bench/primitives.sh): one program per block, all attached to tp_btf/inet_sock_set_state at
 * once, so each runs for the same transitions under the same load and bpf_stats gives each its
 * ns a run. Beside prim_empty (the hook's floor) the differences are the blocks' prices.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define RECORD 128 /* about a sockscope TCP record */

/* a map per program: one program's accesses would otherwise warm the next one's cache lines */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} prim_ring_output SEC(".maps"), prim_ring_reserve SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} prim_perf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8[RECORD]);
} prim_hash_a SEC(".maps"), prim_hash_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[RECORD]);
} prim_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8[RECORD]);
} prim_storage SEC(".maps");

static __always_inline void *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&prim_scratch, &zero);
}

/* The hook's floor, run first and last of the programs on each transition: the first pays
 * for the transition's cold cache lines, which is not the floor's doing. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_empty_first, struct sock *sk, int old, int new) { return 0; }

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_clock, struct sock *sk, int old, int new)
{
	return bpf_ktime_get_ns() == 0;
}

/* tracing programs may not read the coarse clock: jiffies is the cheap one they have */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_jiffies, struct sock *sk, int old, int new)
{
	return bpf_jiffies64() == 0;
}

/* an entry made and deleted: a socket's life in a hash map, in one run */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_hash_update_delete, struct sock *sk, int old, int new)
{
	__u64 key = (__u64)sk;
	void *v = scratch();

	if (v) {
		bpf_map_update_elem(&prim_hash_a, &key, v, BPF_ANY);
		bpf_map_delete_elem(&prim_hash_a, &key);
	}
	return 0;
}

/*
 * The same life in a slot of an array, claimed by compare-and-swap and given back by a store:
 * what a table without locks would cost (a hash map's bucket lock disables interrupts, which
 * a paravirtualised guest may pay for with a hypercall). Needs -mcpu=v3 (the Makefile).
 */
struct slot {
	__u64 key;
	__u8 data[RECORD - 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct slot);
} prim_slots SEC(".maps");

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_slot_claim_release, struct sock *sk, int old, int new)
{
	__u32 i = sk->__sk_common.skc_hash & 0xffff; /* no arithmetic on a pointer */
	struct slot *slot = bpf_map_lookup_elem(&prim_slots, &i);
	void *v = scratch();

	if (slot && v && __sync_val_compare_and_swap(&slot->key, 0, (__u64)sk) == 0) {
		__builtin_memcpy(slot->data, v, sizeof(slot->data));
		*(volatile __u64 *)&slot->key = 0; /* a plain store gives it back */
	}
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_hash_lookup, struct sock *sk, int old, int new)
{
	__u64 key = (__u64)sk;

	return bpf_map_lookup_elem(&prim_hash_b, &key) != NULL;
}

/* socket-local storage: made at a socket's first transition, found at the others (freed by
 * the kernel with the socket, outside this program) */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_sk_storage, struct sock *sk, int old, int new)
{
	return bpf_sk_storage_get(&prim_storage, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE) != NULL;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_ringbuf_output, struct sock *sk, int old, int new)
{
	void *v = scratch();

	if (v)
		bpf_ringbuf_output(&prim_ring_output, v, RECORD, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_ringbuf_reserve, struct sock *sk, int old, int new)
{
	__u8 *r = bpf_ringbuf_reserve(&prim_ring_reserve, RECORD, 0);

	if (r) {
		r[0] = (__u8)new;
		bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	}
	return 0;
}

/*
 * A ring of our own per CPU in an array user space maps (bench/primitives.c drains it): no
 * lock and no interrupt toggling, a compare-and-swap against nesting instead (a nested
 * program would take the kernel's ring). Fixed-size records, so none straddles the end.
 */
#define ARING_BYTES (1u << 18)

struct cpu_ring {
	__u64 head; /* written here */
	__u64 pad1[7];
	__u64 tail; /* written by user space */
	__u64 pad2[7];
	__u32 busy;
	__u32 pad3[15];
	__u8 data[ARING_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 64); /* by CPU */
	__type(key, __u32);
	__type(value, struct cpu_ring);
} prim_aring SEC(".maps");

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_array_ring, struct sock *sk, int old, int new)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct cpu_ring *r = bpf_map_lookup_elem(&prim_aring, &cpu);
	void *v = scratch();
	__u64 head, off;

	if (!r || !v || __sync_val_compare_and_swap(&r->busy, 0, 1) != 0)
		return 0;
	head = r->head;
	off = head & (ARING_BYTES - 1);
	if (head - *(volatile __u64 *)&r->tail <= ARING_BYTES - RECORD &&
	    off <= ARING_BYTES - RECORD) {
		__builtin_memcpy(&r->data[off], v, RECORD);
		*(volatile __u64 *)&r->head = head + RECORD;
	}
	*(volatile __u32 *)&r->busy = 0;
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_perf_output, struct sock *sk, int old, int new)
{
	void *v = scratch();

	if (v)
		bpf_perf_event_output(ctx, &prim_perf, BPF_F_CURRENT_CPU, v, RECORD);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_cookie, struct sock *sk, int old, int new)
{
	return bpf_get_socket_cookie(sk) == 0;
}

/* what sockscope takes for an owner: pid, uid, comm, cgroup */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_owner, struct sock *sk, int old, int new)
{
	char comm[16];
	__u64 sum = bpf_get_current_pid_tgid() + bpf_get_current_uid_gid() +
		    bpf_get_current_cgroup_id();

	bpf_get_current_comm(comm, sizeof(comm));
	return (sum + comm[0]) == 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(prim_empty, struct sock *sk, int old, int new) { return 0; }
