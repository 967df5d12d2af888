// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Is a hash lookup on the UDP send hook dear for its instructions or for touching cold map
 * memory? (docs/design.md, "What a datagram costs".) Four programs on sock_send_length look up
 * an entry and add to it; lookup_4_again repeats lookup_4_first's work on the same entry right
 * after it; storage_sk adds to the sending socket's own storage instead. Run with the loader of the floors, under a flood, bpf_stats on:
 *   make build/bench/first_touch.bpf.o
 *   build/bench/empty_hooks build/bench/first_touch.bpf.o "$(findmnt -n -t cgroup2 -o TARGET)" &
 *   sysctl -w kernel.bpf_stats_enabled=1; build/tests/udpdrive flood bench 127.0.0.1 42000 200000 32
 *   bpftool prog show -j | jq '.[] | select(.name | test("^(empty|lookup)")) | [.name, .run_time_ns / .run_cnt]'
 * (programs on one hook run in the order they were attached: the object's order here)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct key32 {
	__u64 a, b, c, d;
};

struct value { /* the size of a flow's state */
	__u64 x[45];
};

#define HASH(name, key_type, flags)                           \
	struct {                                              \
		__uint(type, BPF_MAP_TYPE_HASH);              \
		__uint(max_entries, 65536);                   \
		__uint(map_flags, flags);                     \
		__type(key, key_type);                        \
		__type(value, struct value);                  \
	} name SEC(".maps")

HASH(hash_4, __u32, 0);
HASH(hash_32, struct key32, 0);
HASH(hash_32_noprealloc, struct key32, BPF_F_NO_PREALLOC);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct value);
} zeroes SEC(".maps");

SEC("tp_btf/sock_send_length")
int empty_send_length(void *ctx) { return 0; }

/* the entry found: one atomic add, as a flow's count; missing: made (the first run only) */
static __always_inline int count(void *map, const void *key)
{
	struct value *v = bpf_map_lookup_elem(map, key), *zero;
	__u32 z = 0;

	if (v) {
		__sync_fetch_and_add(&v->x[0], 1);
		return 0;
	}
	zero = bpf_map_lookup_elem(&zeroes, &z);
	if (zero)
		bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(lookup_4_first, struct sock *sk, int ret)
{
	__u32 k = ret;

	return count(&hash_4, &k);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(lookup_32, struct sock *sk, int ret)
{
	struct key32 k = { (__u64)ret, 2, 3, 4 };

	return count(&hash_32, &k);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(lookup_32_noprealloc, struct sock *sk, int ret)
{
	struct key32 k = { (__u64)ret, 2, 3, 4 };

	return count(&hash_32_noprealloc, &k);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(lookup_4_again, struct sock *sk, int ret)
{
	__u32 k = ret;

	return count(&hash_4, &k);
}

/*
 * The socket's own storage (bpf_sk_storage_get(), tracing programs 5.11+): made at the
 * socket's first send, found through the socket after. The socket's lines are warm here (the
 * send just used them); is the storage cheaper to reach than a hash entry?
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct value);
} sk_counts SEC(".maps");

SEC("tp_btf/sock_send_length")
int BPF_PROG(storage_sk, struct sock *sk, int ret)
{
	struct value *v = bpf_sk_storage_get(&sk_counts, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);

	if (v)
		__sync_fetch_and_add(&v->x[0], 1);
	return 0;
}
