// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "sockscope.skel.h"
#include "tracer.h"

#define MAX_HOOK_PROGS 2

/* The programs that implement one hook with one backend. */
static int hook_programs(struct sockscope_bpf *s, enum hook h, enum backend b,
			 struct bpf_program *out[MAX_HOOK_PROGS])
{
	struct bpf_program *const table[HOOK_COUNT][BACKEND_COUNT][MAX_HOOK_PROGS] = {
		[HOOK_STATE] = {
			[BACKEND_FENTRY] = { s->progs.ss_fe_state, s->progs.ss_fe_state_nested },
			[BACKEND_KPROBE] = { s->progs.ss_kp_state },
			[BACKEND_TRACEPOINT] = { s->progs.ss_tp_state, s->progs.ss_tp_state_nested },
		},
		[HOOK_CONNECT] = {
			[BACKEND_FENTRY] = { s->progs.ss_fe_connect },
			[BACKEND_KPROBE] = { s->progs.ss_kp_connect },
			[BACKEND_TRACEPOINT] = { s->progs.ss_tp_connect },
		},
		[HOOK_ACCEPT] = {
			[BACKEND_FENTRY] = { s->progs.ss_fx_accept },
			[BACKEND_KPROBE] = { s->progs.ss_kr_accept },
			[BACKEND_TRACEPOINT] = { s->progs.ss_tp_accept, s->progs.ss_tp_accept4 },
		},
		[HOOK_LISTEN] = {
			[BACKEND_FENTRY] = { s->progs.ss_fx_listen },
			[BACKEND_KPROBE] = { s->progs.ss_kp_listen, s->progs.ss_kr_listen },
			/* listen() runs in task context: the state hook's task-context program */
			[BACKEND_TRACEPOINT] = { s->progs.ss_tp_state },
		},
	};
	int n = 0;

	for (int i = 0; i < MAX_HOOK_PROGS; i++)
		if (table[h][b][i])
			out[n++] = table[h][b][i];
	return n;
}

static void configure(struct sockscope_bpf *s, const struct tracer_config *cfg,
		      const struct hook_choice choice[HOOK_COUNT])
{
	struct bpf_program *prog, *progs[MAX_HOOK_PROGS];
	int ncpus = libbpf_num_possible_cpus();

	s->rodata->cfg_filter_tgid = cfg->pid;
	s->rodata->cfg_n_ports = cfg->n_ports;
	memcpy((void *)s->rodata->cfg_filter_ports, cfg->ports, sizeof(cfg->ports));
	s->rodata->cfg_filter_family = cfg->family;
	/* wake the reader when ~1/16 of the ring is pending (counted per CPU); the poll timer
	 * covers the rest */
	s->rodata->cfg_wakeup_bytes = cfg->ring_bytes / 16 / (ncpus > 0 ? ncpus : 1);
	s->rodata->cfg_state_via_tp = choice[HOOK_STATE].backend == BACKEND_TRACEPOINT;
	s->rodata->cfg_connect_via_tp = choice[HOOK_CONNECT].backend == BACKEND_TRACEPOINT;
	s->rodata->cfg_listen_via_tp = choice[HOOK_LISTEN].backend == BACKEND_TRACEPOINT;
	bpf_map__set_max_entries(s->maps.events, cfg->ring_bytes);

	bpf_object__for_each_program(prog, s->obj)
		bpf_program__set_autoload(prog, false);
	for (int h = 0; h < HOOK_COUNT; h++) {
		int n = hook_programs(s, h, choice[h].backend, progs);

		for (int i = 0; i < n; i++)
			bpf_program__set_autoload(progs[i], true);
	}
}

int tracer_load(struct tracer *t, const struct tracer_config *cfg,
		const struct hook_choice choice[HOOK_COUNT])
{
	int err;

	memset(t, 0, sizeof(*t));
	memcpy(t->choice, choice, sizeof(t->choice));
	t->skel = sockscope_bpf__open();
	if (!t->skel)
		return -errno;
	configure(t->skel, cfg, choice);
	err = sockscope_bpf__load(t->skel);
	if (err) {
		sockscope_bpf__destroy(t->skel);
		t->skel = NULL;
	}
	return err;
}

int tracer_attach(struct tracer *t)
{
	return sockscope_bpf__attach(t->skel);
}

void tracer_detach(struct tracer *t)
{
	if (t->skel)
		sockscope_bpf__detach(t->skel);
}

void tracer_destroy(struct tracer *t)
{
	sockscope_bpf__destroy(t->skel);
	t->skel = NULL;
}

int tracer_ringbuf_fd(const struct tracer *t)
{
	return bpf_map__fd(t->skel->maps.events);
}

int tracer_counters_fd(const struct tracer *t)
{
	return bpf_map__fd(t->skel->maps.counters);
}

int tracer_prog_count(const struct tracer *t)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, t->skel->obj)
		n += bpf_program__autoload(prog);
	return n;
}

static bool has_twin(const struct sockscope_bpf *s, const struct bpf_program *prog)
{
	return prog == s->progs.ss_tp_state || prog == s->progs.ss_tp_state_nested ||
	       prog == s->progs.ss_fe_state || prog == s->progs.ss_fe_state_nested;
}

uint64_t tracer_skipped_runs(const struct tracer *t)
{
	struct bpf_program *prog;
	uint64_t sum = 0;

	bpf_object__for_each_program(prog, t->skel->obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (!bpf_program__autoload(prog) || has_twin(t->skel, prog))
			continue;
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			sum += info.recursion_misses;
	}
	return sum;
}

void tracer_describe(const struct tracer *t, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int h = 0; h < HOOK_COUNT && used < len; h++)
		used += snprintf(buf + used, len - used, "%s%s=%s", h ? " " : "", hook_name(h),
				 backend_name(t->choice[h].backend));
}
