// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The floor of tracing a TCP or unix connection on the hooks sockscope's tracepoint backend
 * uses (bench/run.sh, bench/proto.sh, bench/export.sh: "empty hooks"): the same attach points, programs that do nothing. What a
 * loop loses with these attached no tracer on these hooks can win back.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/inet_sock_set_state")
int empty_state(void *ctx) { return 0; }

SEC("tp_btf/inet_sock_set_state") /* sockscope's state hook runs twice (a twin) */
int empty_state_twin(void *ctx) { return 0; }

SEC("tp_btf/tcp_destroy_sock")
int empty_destroy(void *ctx) { return 0; }

SEC("tp_btf/sk_data_ready")
int empty_data_ready(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_exit_accept")
int empty_accept(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_exit_accept4")
int empty_accept4(void *ctx) { return 0; }

/* cgroup/connect_unix (6.7+): libbpf 1.1 has no section name for it, empty_hooks.c sets the
 * attach type before load, as user/load/tracer.c does for ss_cg_unix_connect */
SEC("cgroup/connect4")
int empty_unix_connect(void *ctx) { return 1; }

SEC("cgroup/sock_release")
int empty_sock_release(void *ctx) { return 1; }
