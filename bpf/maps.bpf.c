// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Definitions shared by every concern (tcp, later udp/unix): the ring buffers, the drop
 * counters and the load-time configuration. The other .bpf.c files see them through the
 * extern declarations in common.bpf.h; bpftool's static linker joins them into one object.
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct ss_rings rings SEC(".maps");
struct ss_cpu_rings cpu_rings SEC(".maps");
struct ss_counters counters SEC(".maps");
struct ss_wake_acc wake_acc SEC(".maps");
struct ss_flow_table flows SEC(".maps");
struct ss_flow_socks flow_socks SEC(".maps");
struct ss_cpu_scratch cpu_scratch SEC(".maps");
struct ss_thread_scratch thread_scratch SEC(".maps");
struct ss_thread_slots thread_slots SEC(".maps");
struct ss_tick_clocks tick_clocks SEC(".maps");

const volatile __u32 cfg_filter_tgid = 0;
const volatile __u16 cfg_filter_ports[SS_MAX_PORTS] = {};
const volatile __u32 cfg_n_ports = 0;
const volatile __u16 cfg_filter_family = 0;
const volatile bool cfg_filter_by_uid = false;
const volatile __u32 cfg_filter_uid = 0;
const volatile __u64 cfg_filter_cgroup = 0;
const volatile __u32 cfg_filter_cgroup_level = 0;
const volatile __u32 cfg_filter_netns = 0;
const volatile __u64 cfg_wakeup_bytes = 256 * 1024;
const volatile __u32 cfg_cpu_ring_bytes = 0;
const volatile bool cfg_state_via_tp = false;
const volatile bool cfg_connect_via_tp = false;
const volatile bool cfg_listen_via_tp = false;
const volatile bool cfg_accept_via_tp = false;
const volatile bool cfg_unix_accept_in_tcp = false;
const volatile __u64 cfg_flow_idle_ns = SS_FLOW_IDLE_DEFAULT_NS;
const volatile bool cfg_want_udp = true;
const volatile bool cfg_udp_send_via_tp = false;
const volatile bool cfg_want_unix = true;
