// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The floor of counting UDP datagrams on the hooks sockscope's tracepoint backend uses
 * (bench/udp_cost.sh): the same attach points as ss_tp_send_length, ss_tp_sendmmsg_exit,
 * ss_tp_recv_length and ss_cg_sock_release, programs that do nothing. A separate object from
 * empty_hooks.bpf.c, so the TCP and unix loops' floors stay what they were. cgroup/sendmsg4/6
 * are left out: sockscope attaches them only after a send whose destination the syscall's
 * arguments did not give (bpf/udp.bpf.c), which the flood never makes.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sock_send_length")
int empty_send_length(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int empty_sendmmsg_exit(void *ctx) { return 0; }

SEC("tp_btf/sock_recv_length")
int empty_recv_length(void *ctx) { return 0; }

SEC("cgroup/sock_release")
int empty_sock_release(void *ctx) { return 1; }
