// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <string.h>
#include "backends.h"
#include "hooks.h"

/* unix_connect without connect() tracepoints on 6.7+: two cheap hooks instead of two syscall
 * tracepoints on every connect() */
static bool unix_connect_via_cgroup(void)
{
	return unix_connect_cgroup_attach_type() >= 0;
}

#define P(n) { .name = #n }
#define MANUAL(n) { .name = #n, .flags = HP_MANUAL }
#define TWIN(n) { .name = #n, .flags = HP_TWIN }

/* fexit/kretprobe accept hooks get the syscall-exit net, attached by hand first (see
 * tracer_attach() and bpf/tcp.bpf.c) */
#define ACCEPT_NET MANUAL(ss_tp_accept), MANUAL(ss_tp_accept4)
/* run once by tracer_attach(): the owners of unix listeners made before start */
#define UNIX_SEED MANUAL(ss_seed_unix_listeners)

const struct hook_desc hook_table[HOOK_COUNT] = {
	[HOOK_STATE] = { "state", PROTO_TCP, {
		/* every backend gets the close net on tcp_destroy_sock and the sweep (bpf/tcp.bpf.c) */
		[BACKEND_FENTRY] = { { .progs = { TWIN(ss_fe_state), TWIN(ss_fe_state_twin),
						  TWIN(ss_tp_destroy), MANUAL(ss_sweep_tcp) } } },
		/* the tracepoint program catches what kprobe recursion skipped */
		[BACKEND_KPROBE] = { { .progs = { TWIN(ss_kp_state), TWIN(ss_tp_state_twin),
						  TWIN(ss_tp_destroy), MANUAL(ss_sweep_tcp) } } },
		[BACKEND_TRACEPOINT] = { { .progs = { TWIN(ss_tp_state), TWIN(ss_tp_state_twin),
						      TWIN(ss_tp_destroy), MANUAL(ss_sweep_tcp) } } },
	} },
	[HOOK_CONNECT] = { "connect", PROTO_TCP, {
		[BACKEND_FENTRY] = { { .progs = { P(ss_fe_connect) } } },
		[BACKEND_KPROBE] = { { .progs = { P(ss_kp_connect) } } },
		/* reported by whichever state programs run (cfg_connect_via_tp) */
		[BACKEND_TRACEPOINT] = { { .needs = "tp_btf/inet_sock_set_state" } },
	} },
	[HOOK_ACCEPT] = { "accept", PROTO_TCP, {
		[BACKEND_FENTRY] = { { .progs = { P(ss_fx_accept), ACCEPT_NET } } },
		[BACKEND_KPROBE] = { { .progs = { P(ss_kr_accept), ACCEPT_NET } } },
		[BACKEND_TRACEPOINT] = { { .progs = { P(ss_tp_accept), P(ss_tp_accept4) } } },
	} },
	[HOOK_LISTEN] = { "listen", PROTO_TCP, {
		[BACKEND_FENTRY] = { { .progs = { P(ss_fx_listen) } } },
		[BACKEND_KPROBE] = { { .progs = { P(ss_kp_listen), P(ss_kr_listen) } } },
		/* listen() runs in task context: the state hook's task-context program */
		[BACKEND_TRACEPOINT] = { { .progs = { TWIN(ss_tp_state) } } },
	} },
	[HOOK_UDP_SEND] = { "udp_send", PROTO_UDP, {
		[BACKEND_FENTRY] = { { .progs = { P(ss_fx_udp_sendmsg), P(ss_fx_udpv6_sendmsg) } } },
		[BACKEND_KPROBE] = { { .progs = { P(ss_kp_udp_sendmsg), P(ss_kr_udp_sendmsg),
						  P(ss_kp_udpv6_sendmsg), P(ss_kr_udpv6_sendmsg) } } },
		/* the cgroup pair attaches only where the syscall's arguments cannot say where a
		 * datagram went: see udp_dest_tick() */
		[BACKEND_TRACEPOINT] = { { .progs = { P(ss_tp_send_length), P(ss_tp_sendmmsg_exit),
						      P(ss_cg_sendmsg4),
						      P(ss_cg_sendmsg6) } } },
	} },
	[HOOK_UDP_RECV] = { "udp_recv", PROTO_UDP, {
		[BACKEND_FENTRY] = { { .progs = { P(ss_fe_udp_consume) } } },
		[BACKEND_KPROBE] = { { .progs = { P(ss_kp_udp_consume) } } },
		[BACKEND_TRACEPOINT] = { { .progs = { P(ss_tp_recv_length) } } },
	} },
	[HOOK_SOCK_CLOSE] = { "sock_close", PROTO_UDP | PROTO_UNIX, {
		/* every backend gets the flow sweep (bpf/udp.bpf.c): a release no hook saw */
		[BACKEND_FENTRY] = { { .progs = { P(ss_fe_inet_release), P(ss_fe_unix_release),
						  MANUAL(ss_sweep_flows) } } },
		[BACKEND_KPROBE] = { { .progs = { P(ss_kp_inet_release), P(ss_kp_unix_release),
						  MANUAL(ss_sweep_flows) } } },
		/* inet sockets only: unix sockets' flows end when the flow sweep finds the
		 * socket gone */
		[BACKEND_TRACEPOINT] = { { .progs = { P(ss_cg_sock_release),
						      MANUAL(ss_sweep_flows) } } },
	} },
	[HOOK_UNIX_LISTEN] = { "unix_listen", PROTO_UNIX, {
		[BACKEND_FENTRY] = { { .progs = { P(ss_fx_unix_listen) } } },
		[BACKEND_KPROBE] = { { .progs = { P(ss_kp_unix_listen), P(ss_kr_unix_listen) } } },
		[BACKEND_TRACEPOINT] = { { .progs = { P(ss_tp_unix_listen) } } },
	} },
	[HOOK_UNIX_CONNECT] = { "unix_connect", PROTO_UNIX, {
		[BACKEND_FENTRY] = { { .progs = { P(ss_fe_unix_connect), P(ss_fx_unix_connect),
						  UNIX_SEED } } },
		[BACKEND_KPROBE] = { { .progs = { P(ss_kp_unix_connect), P(ss_kr_unix_connect),
						  UNIX_SEED } } },
		[BACKEND_TRACEPOINT] = {
			{ .usable = unix_connect_via_cgroup,
			  .progs = { P(ss_cg_unix_connect), P(ss_tp_unix_data_ready), UNIX_SEED } },
			{ .progs = { P(ss_tp_unix_connect_enter), P(ss_tp_unix_connect_exit),
				     UNIX_SEED } },
		},
	} },
	[HOOK_UNIX_ACCEPT] = { "unix_accept", PROTO_UNIX, {
		[BACKEND_FENTRY] = { { .progs = { P(ss_fx_unix_accept) } } },
		[BACKEND_KPROBE] = { { .progs = { P(ss_kp_unix_accept), P(ss_kr_unix_accept) } } },
		/* left out when the TCP accept programs take unix too (cfg_unix_accept_in_tcp) */
		[BACKEND_TRACEPOINT] = { { .progs = { P(ss_tp_unix_accept), P(ss_tp_unix_accept4) } } },
	} },
	[HOOK_UNIX_SEND] = { "unix_send", PROTO_UNIX, {
		[BACKEND_FENTRY] = { { .progs = { P(ss_fx_unix_stream_sendmsg),
						  P(ss_fx_unix_dgram_sendmsg) } } },
		[BACKEND_KPROBE] = { { .progs = { P(ss_kp_unix_stream_sendmsg),
						  P(ss_kr_unix_stream_sendmsg),
						  P(ss_kp_unix_dgram_sendmsg),
						  P(ss_kr_unix_dgram_sendmsg) } } },
		[BACKEND_TRACEPOINT] = { { .progs = { P(ss_tp_send_length) } } },
	} },
};

const struct hook_impl *hook_impl(enum hook h, enum backend b)
{
	if (h >= HOOK_COUNT || b <= BACKEND_AUTO || b >= BACKEND_COUNT)
		return NULL;
	for (int v = 0; v < HOOK_MAX_VARIANTS; v++) {
		const struct hook_impl *impl = &hook_table[h].impl[b][v];

		if (!impl->usable || impl->usable())
			return impl;
	}
	return NULL;
}

unsigned hook_prog_flags(const char *name)
{
	unsigned flags = 0;

	for (int h = 0; h < HOOK_COUNT; h++)
		for (int b = 0; b < BACKEND_COUNT; b++)
			for (int v = 0; v < HOOK_MAX_VARIANTS; v++)
				for (int i = 0; i < HOOK_MAX_PROGS; i++) {
					const struct hook_prog *p = &hook_table[h].impl[b][v].progs[i];

					if (p->name && !strcmp(p->name, name))
						flags |= p->flags;
				}
	return flags;
}
