// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * hook_table against the BPF object: every program it names exists, and the loader's
 * configuration loads exactly the expected programs per backend. fentry and kprobe cannot
 * attach on every test host, so their program sets are checked here on an opened (never
 * loaded) skeleton.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "backends.h"
#include "hooks.h"
#include "snap.skel.h"
#include "sockscope.skel.h"
#include "tracer.h"
#include "unit.h"

static void every_table_program_exists(void **state)
{
	struct sockscope_bpf *s = sockscope_bpf__open();

	(void)state;
	assert_non_null(s);
	for (int h = 0; h < HOOK_COUNT; h++) {
		assert_non_null(hook_table[h].name);
		assert_true(hook_table[h].protos & PROTO_ALL);
		for (int b = BACKEND_FENTRY; b < BACKEND_COUNT; b++) {
			const struct hook_impl *v0 = &hook_table[h].impl[b][0];

			/* each backend implements each hook somehow */
			assert_true(v0->progs[0].name || v0->needs);
			for (int v = 0; v < HOOK_MAX_VARIANTS; v++)
				for (int i = 0; i < HOOK_MAX_PROGS; i++) {
					const char *name = hook_table[h].impl[b][v].progs[i].name;

					if (!name)
						break;
					if (!bpf_object__find_program_by_name(s->obj, name))
						fail_msg("hook %s: program %s is not in the BPF object",
							 hook_table[h].name, name);
				}
		}
	}
	sockscope_bpf__destroy(s);
}

/* The programs the loader enables, "name" or "name!" (not auto-attached), in object order. */
static void loaded_programs(enum backend b, char *out, size_t len)
{
	struct tracer_config cfg = { .ring_bytes = 1 << 20, .protos = PROTO_ALL };
	struct hook_choice choice[HOOK_COUNT];
	struct sockscope_bpf *s;
	struct bpf_program *p;
	size_t used = 0;

	memset(choice, 0, sizeof(choice));
	for (int h = 0; h < HOOK_COUNT; h++)
		choice[h].backend = b;
	s = tracer_open_configured(&cfg, choice);
	assert_non_null(s);
	out[0] = '\0';
	bpf_object__for_each_program(p, s->obj)
		if (bpf_program__autoload(p) && used < len)
			used += snprintf(out + used, len - used, "%s%s ", bpf_program__name(p),
					 bpf_program__autoattach(p) ? "" : "!");
	sockscope_bpf__destroy(s);
}

/* Every name of want (blank-separated) is in got and nothing else is. */
static void assert_same_set(const char *got, const char *want)
{
	char g[4096], w[4096], *tok, *save;
	int n_got = 0, n_want = 0;

	snprintf(g, sizeof(g), " %s", got);
	snprintf(w, sizeof(w), "%s", want);
	for (tok = strtok_r(w, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char needle[128];

		snprintf(needle, sizeof(needle), " %s ", tok);
		if (!strstr(g, needle))
			fail_msg("%s not loaded (loaded: %s)", tok, got);
		n_want++;
	}
	for (const char *c = got; *c; c++)
		n_got += *c == ' ';
	if (n_got != n_want)
		fail_msg("loaded %d programs, want %d: %s", n_got, n_want, got);
}

#define SEEDS "ss_seed_tcp! ss_seed_listen_ports! ss_seed_tcp_files! ss_seed_unix_listeners! "

static void fentry_programs(void **state)
{
	char got[4096];

	(void)state;
	loaded_programs(BACKEND_FENTRY, got, sizeof(got));
	assert_same_set(got, SEEDS
			"ss_fe_state ss_fe_state_twin ss_tp_destroy ss_sweep_tcp! ss_fe_connect ss_fx_accept "
			"ss_tp_accept4! ss_tp_accept! ss_fx_listen ss_fx_udp_sendmsg "
			"ss_fx_udpv6_sendmsg ss_fe_udp_consume ss_fe_inet_release ss_sweep_flows! "
			"ss_fe_unix_release ss_fx_unix_listen ss_fe_unix_connect "
			"ss_fx_unix_connect ss_fx_unix_accept ss_fx_unix_stream_sendmsg "
			"ss_fx_unix_dgram_sendmsg");
}

static void kprobe_programs(void **state)
{
	char got[4096];

	(void)state;
	loaded_programs(BACKEND_KPROBE, got, sizeof(got));
	assert_same_set(got, SEEDS
			"ss_tp_state_twin ss_kp_state ss_tp_destroy ss_sweep_tcp! ss_kp_connect ss_kr_accept "
			"ss_tp_accept4! ss_tp_accept! ss_kp_listen ss_kr_listen "
			"ss_kp_udp_sendmsg ss_kr_udp_sendmsg ss_kp_udpv6_sendmsg "
			"ss_kr_udpv6_sendmsg ss_kp_udp_consume ss_kp_inet_release ss_sweep_flows! "
			"ss_kp_unix_release ss_kp_unix_listen ss_kr_unix_listen "
			"ss_kp_unix_connect ss_kr_unix_connect ss_kp_unix_accept "
			"ss_kr_unix_accept ss_kp_unix_stream_sendmsg ss_kr_unix_stream_sendmsg "
			"ss_kp_unix_dgram_sendmsg ss_kr_unix_dgram_sendmsg");
}

static void tracepoint_programs(void **state)
{
	char got[4096], want[4096];

	(void)state;
	loaded_programs(BACKEND_TRACEPOINT, got, sizeof(got));
	/* the unix accept programs are left out: the TCP ones take unix too */
	snprintf(want, sizeof(want), "%s%s%s", SEEDS,
		 "ss_tp_state ss_tp_state_twin ss_tp_destroy ss_sweep_tcp! ss_tp_accept4 ss_tp_accept "
		 "ss_cg_sendmsg4! ss_cg_sendmsg6! ss_tp_send_length ss_tp_sendmmsg_exit "
		 "ss_tp_recv_length ss_cg_sock_release! ss_sweep_flows! ss_tp_unix_listen ",
		 /* the connect_unix cgroup hook where the kernel has it (6.7+) */
		 unix_connect_cgroup_attach_type() >= 0
			 ? "ss_cg_unix_connect! ss_tp_unix_data_ready"
			 : "ss_tp_unix_connect_enter ss_tp_unix_connect_exit");
	assert_same_set(got, want);
}

static void twins_are_the_state_programs(void **state)
{
	const char *twins[] = { "ss_tp_state", "ss_tp_state_twin", "ss_fe_state",
				"ss_fe_state_twin", "ss_kp_state", "ss_tp_destroy" };

	(void)state;
	for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
		assert_true(hook_prog_flags(twins[i]) & HP_TWIN);
	assert_false(hook_prog_flags("ss_fx_accept") & HP_TWIN);
	assert_false(hook_prog_flags("ss_tp_accept") & HP_TWIN);
}

/*
 * The one-shot commands' object (snap_object.c) and the tracer's take the snapshot with the
 * same programs: each of its programs is in the tracer's object, in the same section, with
 * the same instructions (before load, so on any host).
 */
static void snapshot_object_is_the_tracers_iterators(void **state)
{
	struct sockscope_bpf *full = sockscope_bpf__open();
	struct snap_bpf *snap = snap_bpf__open();
	struct bpf_program *p, *q;
	int n = 0;

	(void)state;
	assert_non_null(full);
	assert_non_null(snap);
	bpf_object__for_each_program(p, snap->obj) {
		q = bpf_object__find_program_by_name(full->obj, bpf_program__name(p));
		if (!q)
			fail_msg("%s is not in the tracer's object", bpf_program__name(p));
		assert_string_equal(bpf_program__section_name(p), bpf_program__section_name(q));
		assert_int_equal(bpf_program__insn_cnt(p), bpf_program__insn_cnt(q));
		if (memcmp(bpf_program__insns(p), bpf_program__insns(q),
			   bpf_program__insn_cnt(p) * sizeof(struct bpf_insn)))
			fail_msg("%s: the two objects' instructions differ", bpf_program__name(p));
		n++;
	}
	assert_int_equal(n, 4); /* tcp, udp, unix, files */
	snap_bpf__destroy(snap);
	sockscope_bpf__destroy(full);
}

int run_hooks_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_table_program_exists),
		cmocka_unit_test(fentry_programs),
		cmocka_unit_test(kprobe_programs),
		cmocka_unit_test(tracepoint_programs),
		cmocka_unit_test(twins_are_the_state_programs),
		cmocka_unit_test(snapshot_object_is_the_tracers_iterators),
	};

	return cmocka_run_group_tests_name("hooks", tests, NULL, NULL);
}
