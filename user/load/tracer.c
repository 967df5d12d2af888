// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "accept_waiters.h"
#include "log.h"
#include "preempt_model.h"
#include "snapshot.h"
#include "sockscope.skel.h"
#include "tracer.h"

__u32 tracer_ring_bytes_per_cpu(__u32 total, int ncpus)
{
	__u32 per_cpu = total / (ncpus > 0 ? ncpus : 1), size = 4096;

	while (size * 2 <= per_cpu)
		size *= 2;
	return size;
}

/*
 * Each CPU's own ring (include/sockscope.h, struct ss_cpu_ring) takes the records; the kernel's
 * ring beside it what that cannot (a program that nested in or preempted another, a full CPU
 * ring) and the wake-ups. A CPU ring is at most 1 MiB: a record's cost is mostly the first
 * touch of the ring's cache line at head, and that line is nearer when the ring comes round
 * sooner (docs/design.md has 2 MiB, 1 MiB and 512 KiB side by side). Kernels before
 * ~6.1 refuse an array element above 4 MiB anyway (E2BIG on 5.10). The kernel's ring gets the
 * rest of a CPU's share (a power of two), at least an eighth of it, and absorbs bursts. The
 * programs publish a record by a plain store after its bytes, which orders them on x86-64
 * only: elsewhere the kernel's rings take everything, as before.
 */
#define CPU_RING_MAX (1u << 20)

static __u32 cpu_ring_bytes_for(__u32 ring_bytes)
{
#if defined(__x86_64__)
	return ring_bytes < CPU_RING_MAX ? ring_bytes : CPU_RING_MAX;
#else
	(void)ring_bytes;
	return 0;
#endif
}

static __u32 kernel_ring_bytes(__u32 ring_bytes, __u32 cpu_ring_bytes)
{
	__u32 rest = ring_bytes - cpu_ring_bytes, size = 4096;

	if (!cpu_ring_bytes)
		return ring_bytes;
	if (rest < ring_bytes / 8)
		rest = ring_bytes / 8;
	while (size * 2 <= rest)
		size *= 2;
	return size;
}

/* fexit/kretprobe accept hooks get the syscall-exit net (see bpf/tcp.bpf.c). */
static bool accept_net_wanted(const struct hook_choice choice[HOOK_COUNT])
{
	return !choice[HOOK_ACCEPT].off && choice[HOOK_ACCEPT].backend != BACKEND_TRACEPOINT;
}

/*
 * On a preemptible kernel a fexit program preempted half-way makes the kernel skip it for the
 * CPU's other tasks (docs/design.md, "Preemption"): an accept it missed would go unreported and
 * its close ownerless. There the net takes every accept for the whole run: on_accept() ignores
 * one the fexit reported (or found no room for), and an accept is lost only if both were
 * skipped. (kretprobes run with preemption off: their net still goes once the threads from
 * start have returned.)
 */
static bool accept_net_for_all(const struct hook_choice choice[HOOK_COUNT])
{
	return accept_net_wanted(choice) && choice[HOOK_ACCEPT].backend == BACKEND_FENTRY &&
	       preempt_model_preemptible(backends_preempt_model()->model);
}

/* Both accept hooks on the syscall exits: one program per exit serves both (bpf/tcp.bpf.c). */
static bool unix_accept_in_tcp(const struct hook_choice choice[HOOK_COUNT])
{
	return !choice[HOOK_ACCEPT].off && !choice[HOOK_UNIX_ACCEPT].off &&
	       choice[HOOK_ACCEPT].backend == BACKEND_TRACEPOINT &&
	       choice[HOOK_UNIX_ACCEPT].backend == BACKEND_TRACEPOINT;
}

/* libbpf does not attach cgroup programs by itself: tracer_attach() does, on the v2 root. */
static bool is_cgroup_prog(const struct bpf_program *p)
{
	switch (bpf_program__type(p)) {
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_CGROUP_SOCK:
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
	case BPF_PROG_TYPE_CGROUP_SOCKOPT:
		return true;
	default:
		return false;
	}
}

/* Load the programs of the variant hook_table gives backend b for hook h. */
static void enable_hook(struct sockscope_bpf *s, enum hook h, enum backend b)
{
	const struct hook_impl *impl = hook_impl(h, b);

	for (int i = 0; impl && i < HOOK_MAX_PROGS && impl->progs[i].name; i++) {
		struct bpf_program *prog = bpf_object__find_program_by_name(s->obj, impl->progs[i].name);

		if (!prog) { /* the unit tests keep the table and bpf/ in step */
			wlog("hook %s: no BPF program %s", hook_name(h), impl->progs[i].name);
			continue;
		}
		bpf_program__set_autoload(prog, true);
		if ((impl->progs[i].flags & HP_MANUAL) || is_cgroup_prog(prog))
			bpf_program__set_autoattach(prog, false);
	}
}

/* The iterators run on demand (user/load/snapshot.c), so they are never auto-attached. */
static void enable_snapshot(struct sockscope_bpf *s, bool unix_iter)
{
	struct bpf_program *iters[] = { s->progs.ss_snap_tcp, s->progs.ss_snap_udp,
					s->progs.ss_snap_files, s->progs.ss_snap_unix };
	size_t n = sizeof(iters) / sizeof(iters[0]) - !unix_iter;

	for (size_t i = 0; i < n; i++) {
		bpf_program__set_autoload(iters[i], true);
		bpf_program__set_autoattach(iters[i], false);
	}
}

/* Can every kind of program that runs in process context ask for current's ancestors? */
static bool ancestor_cgroup_helper(void)
{
	static const enum bpf_prog_type types[] = {
		BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT,
		BPF_PROG_TYPE_CGROUP_SOCK, BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (libbpf_probe_bpf_helper(types[i], BPF_FUNC_get_current_ancestor_cgroup_id,
					    NULL) != 1)
			return false;
	return true;
}

/*
 * Hash maps whose elements the kernel allocates on insert instead of at creation, where that
 * is safe for tracing programs (kernel_allocates_map_elements_anywhere()). Preallocating is
 * what made creating the maps most of trace's start-up: flows alone is 65,536 x ~400 bytes.
 * Only maps written once per flow or once at start: the per-connection maps (tcp_socks, the
 * unix ones) stay preallocated, because allocating on insert and freeing through RCU made
 * the TCP state program ~120 ns a run dearer (bench/RESULTS.md, "Start-up on an idle host").
 * LRU maps and arrays are always preallocated.
 */
static void allocate_on_insert(struct sockscope_bpf *s)
{
	struct bpf_map *maps[] = { s->maps.flows, s->maps.flow_socks, s->maps.accept_waiters,
				   s->maps.seed_listen_ports };

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		bpf_map__set_map_flags(maps[i], bpf_map__map_flags(maps[i]) | BPF_F_NO_PREALLOC);
}

static void configure(struct sockscope_bpf *s, const struct tracer_config *cfg,
		      const struct hook_choice choice[HOOK_COUNT], int ncpus, bool unix_iter)
{
	__u32 ring_bytes = tracer_ring_bytes_per_cpu(cfg->ring_bytes, ncpus);
	__u32 cpu_ring_bytes = cpu_ring_bytes_for(ring_bytes);
	struct bpf_program *prog;

	s->rodata->cfg_filter_tgid = cfg->pid;
	s->rodata->cfg_n_ports = cfg->n_ports;
	memcpy((void *)s->rodata->cfg_filter_ports, cfg->ports, sizeof(cfg->ports));
	s->rodata->cfg_filter_family = cfg->family;
	s->rodata->cfg_filter_by_uid = cfg->by_uid;
	s->rodata->cfg_filter_uid = cfg->uid;
	s->rodata->cfg_filter_netns = cfg->netns;
	if (cfg->cgroup_id && ancestor_cgroup_helper()) {
		s->rodata->cfg_filter_cgroup = cfg->cgroup_id;
		s->rodata->cfg_filter_cgroup_level = cfg->cgroup_level;
	} else if (cfg->cgroup_id) {
		vlog("--cgroup: this kernel's programs cannot ask for a cgroup's ancestors; "
		     "filtered in user space only");
	}
	/* wake the reader when a CPU's ring is 1/8 full; the poll timer covers the rest */
	s->rodata->cfg_wakeup_bytes = (cpu_ring_bytes ? cpu_ring_bytes : ring_bytes) / 8;
	s->rodata->cfg_state_via_tp = choice[HOOK_STATE].backend == BACKEND_TRACEPOINT ||
				      choice[HOOK_STATE].backend == BACKEND_KPROBE;
	s->rodata->cfg_connect_via_tp = choice[HOOK_CONNECT].backend == BACKEND_TRACEPOINT;
	s->rodata->cfg_listen_via_tp = choice[HOOK_LISTEN].backend == BACKEND_TRACEPOINT;
	s->rodata->cfg_accept_via_tp = choice[HOOK_ACCEPT].backend == BACKEND_TRACEPOINT;
	s->rodata->cfg_unix_accept_in_tcp = unix_accept_in_tcp(choice);
	s->rodata->cfg_flow_idle_ns = cfg->flow_idle_ns;
	s->rodata->cfg_want_udp = !choice[HOOK_UDP_SEND].off || !choice[HOOK_UDP_RECV].off;
	s->rodata->cfg_udp_send_via_tp = !choice[HOOK_UDP_SEND].off &&
					 choice[HOOK_UDP_SEND].backend == BACKEND_TRACEPOINT;
	s->rodata->cfg_want_unix = !choice[HOOK_UNIX_SEND].off || !choice[HOOK_UNIX_CONNECT].off ||
				   !choice[HOOK_UNIX_ACCEPT].off;
	/* The inner ring's size in the BPF object is only the prototype's: the kernel does not
	 * compare ring sizes when a ring is put in the array, so create_rings() sizes them.
	 * (libbpf 1.1 crashes on bpf_map__set_max_entries() of an inner map.) */
	bpf_map__set_max_entries(s->maps.rings, ncpus);
	s->rodata->cfg_cpu_ring_bytes = cpu_ring_bytes;
	if (cpu_ring_bytes) {
		bpf_map__set_max_entries(s->maps.cpu_rings, ncpus);
		bpf_map__set_value_size(s->maps.cpu_rings, SS_CPU_RING_SIZE(cpu_ring_bytes));
	}
	if (kernel_allocates_map_elements_anywhere())
		allocate_on_insert(s);

	bpf_object__for_each_program(prog, s->obj)
		bpf_program__set_autoload(prog, false);
	if (cfg->snapshot)
		enable_snapshot(s, unix_iter);
	bpf_program__set_autoload(s->progs.ss_seed_tcp, true);
	bpf_program__set_autoattach(s->progs.ss_seed_tcp, false);
	if (cfg->tcp_bytes) {
		bpf_program__set_autoload(s->progs.ss_tcp_bytes, true);
		bpf_program__set_autoattach(s->progs.ss_tcp_bytes, false);
	}
	if (!cfg->snapshot) {
		/* trace follows every namespace; the live views show their own */
		bpf_program__set_autoload(s->progs.ss_seed_listen_ports, true);
		bpf_program__set_autoattach(s->progs.ss_seed_listen_ports, false);
		bpf_program__set_autoload(s->progs.ss_seed_tcp_files, true);
		bpf_program__set_autoattach(s->progs.ss_seed_tcp_files, false);
	}
	/* nothing will write these: do not pay for preallocating them (the flow table alone is
	 * 23 MB) */
	if (!s->rodata->cfg_want_udp && !s->rodata->cfg_want_unix) {
		bpf_map__set_max_entries(s->maps.flows, 1);
		bpf_map__set_max_entries(s->maps.flow_socks, 1);
		bpf_map__set_max_entries(s->maps.thread_slots, 1);
	} else if (cfg->max_flows) {
		/* a socket has at least one flow: its marker fits when its flow did */
		bpf_map__set_max_entries(s->maps.flows, cfg->max_flows);
		bpf_map__set_max_entries(s->maps.flow_socks, cfg->max_flows);
	}
	if (!s->rodata->cfg_want_unix) {
		bpf_map__set_max_entries(s->maps.unix_listeners, 1);
		bpf_map__set_max_entries(s->maps.unix_connectors, 1);
		bpf_map__set_max_entries(s->maps.unix_inflight, 1);
		bpf_map__set_max_entries(s->maps.unix_send_inflight, 1);
	}
	if (cfg->max_sockets)
		bpf_map__set_max_entries(s->maps.tcp_socks, cfg->max_sockets);
	for (int h = 0; h < HOOK_COUNT; h++)
		if (!choice[h].off)
			enable_hook(s, h, choice[h].backend);
	if (s->rodata->cfg_unix_accept_in_tcp) { /* the TCP accept programs take unix too */
		bpf_program__set_autoload(s->progs.ss_tp_unix_accept, false);
		bpf_program__set_autoload(s->progs.ss_tp_unix_accept4, false);
	}
	if (!kernel_sweep_supported()) {
		if (bpf_program__autoload(s->progs.ss_sweep_tcp))
			vlog("no TCP sweep (bpf_for_each_map_elem, 5.13+): a close no hook saw is "
			     "reported when a new socket takes its address");
		if (bpf_program__autoload(s->progs.ss_sweep_flows))
			vlog("no flow sweep (bpf_for_each_map_elem, 5.13+): the flows of a socket "
			     "whose close no hook saw end idle or at stop");
		bpf_program__set_autoload(s->progs.ss_sweep_tcp, false);
		bpf_program__set_autoload(s->progs.ss_sweep_flows, false);
	}
	if (bpf_program__autoload(s->progs.ss_cg_unix_connect)) {
		bpf_program__set_expected_attach_type(s->progs.ss_cg_unix_connect,
						      unix_connect_cgroup_attach_type());
		vlog("unix_connect: cgroup/connect_unix + sk_data_ready (no connect() tracepoints)");
	}
	if (cfg->proc_exits)
		bpf_program__set_autoload(s->progs.ss_tp_proc_exit, true);
}

struct sockscope_bpf *tracer_open_configured(const struct tracer_config *cfg,
					     const struct hook_choice choice[HOOK_COUNT])
{
	struct sockscope_bpf *s = backends_take_object();
	int ncpus = libbpf_num_possible_cpus();

	if (s)
		configure(s, cfg, choice, ncpus > 0 ? ncpus : 1, cfg->snapshot);
	return s;
}

/* The per-CPU rings go into the array the programs index by CPU. */
static int create_rings(struct tracer *t, __u32 ring_bytes)
{
	int outer = bpf_map__fd(t->skel->maps.rings);

	for (int i = 0; i < t->n_rings; i++) {
		int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "ss_ring", 0, 0, ring_bytes, NULL);

		if (fd < 0)
			return -errno;
		t->ring_fds[i] = fd;
		if (bpf_map_update_elem(outer, &i, &fd, BPF_ANY))
			return -errno;
	}
	return 0;
}

int tracer_load(struct tracer *t, const struct tracer_config *cfg,
		const struct hook_choice choice[HOOK_COUNT])
{
	int ncpus = libbpf_num_possible_cpus(), err;
	__u32 ring_bytes;

	memset(t, 0, sizeof(*t));
	t->cgroup_fd = -1;
	memcpy(t->choice, choice, sizeof(t->choice));
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	t->ring_fds = malloc(ncpus * sizeof(*t->ring_fds));
	if (!t->ring_fds)
		return -ENOMEM;
	for (int i = 0; i < ncpus; i++)
		t->ring_fds[i] = -1;
	t->n_rings = ncpus;
	t->skel = backends_take_object();
	if (!t->skel) {
		err = -errno;
		tracer_destroy(t);
		return err;
	}
	t->unix_iter = cfg->snapshot && snapshot_wants_unix_iter();
	/* the live views seed with their snapshot; trace as soon as attached */
	t->seed_at_attach = !cfg->snapshot;
	configure(t->skel, cfg, choice, ncpus, t->unix_iter);
	backends_release_btf(); /* libbpf parses its own: let it reuse the pages */
	err = sockscope_bpf__load(t->skel);
	ring_bytes = tracer_ring_bytes_per_cpu(cfg->ring_bytes, ncpus);
	t->cpu_ring_bytes = cpu_ring_bytes_for(ring_bytes); /* as configure() set it */
	if (!err)
		err = create_rings(t, kernel_ring_bytes(ring_bytes, t->cpu_ring_bytes));
	if (err)
		tracer_destroy(t);
	return err;
}

void tracer_snap_iters(struct tracer *t, struct snap_iters *it)
{
	struct sockscope_bpf *s = t->skel;

	*it = (struct snap_iters){
		.tcp = s->progs.ss_snap_tcp, .tcp_link = &s->links.ss_snap_tcp,
		.udp = s->progs.ss_snap_udp, .udp_link = &s->links.ss_snap_udp,
		.files = s->progs.ss_snap_files, .files_link = &s->links.ss_snap_files,
		.unix_sk = t->unix_iter ? s->progs.ss_snap_unix : NULL,
		.unix_link = &s->links.ss_snap_unix,
	};
}

static int attach_one(struct bpf_program *prog, struct bpf_link **link)
{
	*link = bpf_program__attach(prog);
	return *link ? 0 : -errno;
}

/* A loaded cgroup program, on the cgroup v2 root (it applies to every descendant). */
static int attach_cgroup_prog(struct tracer *t, struct bpf_program *prog, struct bpf_link **link)
{
	char root[4096];
	int err;

	if (!bpf_program__autoload(prog))
		return 0;
	if (t->cgroup_fd < 0) {
		if ((err = cgroup2_root(root, sizeof(root))))
			return err;
		t->cgroup_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (t->cgroup_fd < 0)
			return -errno;
		vlog("cgroup programs attach to %s", root);
	}
	*link = bpf_program__attach_cgroup(prog, t->cgroup_fd);
	return *link ? 0 : -errno;
}

/*
 * The tracepoint backend reads a UDP send's destination from the syscall's arguments
 * (bpf/send_dest.bpf.h, x86-64). The cgroup/sendmsg pair sees every destination but its
 * dispatch alone takes the socket lock on every datagram, so it is attached only when needed: from the
 * start on other architectures, else once a send came from where the arguments do not tell
 * (io_uring, a 32-bit process). Until then such sends count as "destination unknown".
 */
static int attach_udp_dest_cgroup(struct tracer *t)
{
	struct sockscope_bpf *s = t->skel;
	int err;

	if ((err = attach_cgroup_prog(t, s->progs.ss_cg_sendmsg4, &s->links.ss_cg_sendmsg4)) ||
	    (err = attach_cgroup_prog(t, s->progs.ss_cg_sendmsg6, &s->links.ss_cg_sendmsg6)))
		return err;
	s->bss->udp_dest_via_cgroup = true; /* only now: the hand-over exists from here on */
	return 0;
}

static bool udp_dest_from_args(void)
{
#if defined(__x86_64__)
	return true;
#else
	return false;
#endif
}

static void udp_dest_tick(struct tracer *t)
{
	struct sockscope_bpf *s = t->skel;
	int err;

	if (!s->bss->udp_dest_missed || s->bss->udp_dest_via_cgroup ||
	    !bpf_program__autoload(s->progs.ss_cg_sendmsg4) || t->udp_dest_failed)
		return;
	if ((err = attach_udp_dest_cgroup(t))) {
		wlog("UDP: cannot attach cgroup/sendmsg (%s): destinations of io_uring and "
		     "32-bit sends stay unknown", strerror(-err));
		t->udp_dest_failed = true;
		return;
	}
	ilog("UDP: a datagram's destination was not in its syscall's arguments (io_uring or a "
	     "32-bit process); attached cgroup/sendmsg4/6, which see every destination");
}

static int attach_cgroup_progs(struct tracer *t)
{
	struct sockscope_bpf *s = t->skel;
	int err;

	if ((err = attach_cgroup_prog(t, s->progs.ss_cg_sock_release, &s->links.ss_cg_sock_release)) ||
	    (err = attach_cgroup_prog(t, s->progs.ss_cg_unix_connect, &s->links.ss_cg_unix_connect)))
		return err;
	if (!udp_dest_from_args() && bpf_program__autoload(s->progs.ss_cg_sendmsg4))
		return attach_udp_dest_cgroup(t);
	return 0;
}

static void no_records(void *ctx, const struct ss_hdr *rec)
{
	(void)ctx;
	(void)rec;
}

/*
 * The owners of unix listeners made before start, for unix_connect's peer_pid: an iterator over
 * every process's descriptors fills the table the listen hook keeps (bpf/unix.bpf.c). Run after
 * the hook is attached, so no listen() falls between the two. It writes no records.
 */
static int seed_unix_listeners(struct tracer *t)
{
	struct sockscope_bpf *s = t->skel;
	struct snapshot_stats st = { 0 };

	if (!bpf_program__autoload(s->progs.ss_seed_unix_listeners))
		return 0;
	return snapshot_iter_run(s->progs.ss_seed_unix_listeners, &s->links.ss_seed_unix_listeners,
				 no_records, NULL, &st);
}

/*
 * The accept net goes first, taking every accept, so no call is missed between the fexit or
 * kretprobe attaching and the scan; after the scan it takes only the threads found blocked.
 */
int tracer_attach(struct tracer *t)
{
	struct sockscope_bpf *s = t->skel;
	int err, n;

	if (accept_net_wanted(t->choice)) {
		if ((err = attach_one(s->progs.ss_tp_accept, &s->links.ss_tp_accept)) ||
		    (err = attach_one(s->progs.ss_tp_accept4, &s->links.ss_tp_accept4)))
			return err;
	}
	err = sockscope_bpf__attach(s); /* autoattach is off for the net's programs */
	if (!err)
		err = attach_cgroup_progs(t);
	if (!err && t->seed_at_attach && (n = snapshot_seed_tcp(s)) < 0)
		wlog("cannot list the TCP sockets open before start (%s): their closes are not "
		     "reported", strerror(-n));
	if (!err && (n = seed_unix_listeners(t)) < 0) /* peer_pid only: not fatal */
		wlog("cannot list the unix listeners open before start (%s): connects to them "
		     "have no peer_pid", strerror(-n));
	if (err || !accept_net_wanted(t->choice))
		return err;
	n = accept_waiters_scan(bpf_map__fd(s->maps.accept_waiters));
	if (n < 0) {
		vlog("accept net: cannot list threads blocked in accept (%s%s): it takes every "
		     "accept", strerror(-n), n == -EACCES ? "; CAP_SYS_PTRACE reads them all" : "");
		return 0;
	}
	vlog("accept net: %d thread(s) were blocked in accept() at start", n);
	if (accept_net_for_all(t->choice)) {
		/* before accept_net_all goes: no accept between the two is left to the fexit alone */
		s->bss->accept_net_backs_fexit = true;
		vlog("accept net: kept for every accept (a preemptible kernel can skip fexit runs)");
	}
	s->data->accept_net_all = false;
	t->accept_net_armed = !s->bss->accept_net_backs_fexit;
	tracer_tick(t);
	return 0;
}

/*
 * Now and then: attach the UDP destination hook if a send needed it; run the kernel sweeps
 * when due; once every thread found blocked in accept() has returned, drop the accept net (dead
 * weight).
 */
void tracer_tick(struct tracer *t)
{
	struct sockscope_bpf *s = t->skel;
	__u32 key;

	udp_dest_tick(t);
	kernel_sweep_tick(&t->sweep, s, false);
	if (!t->accept_net_armed ||
	    !bpf_map_get_next_key(bpf_map__fd(s->maps.accept_waiters), NULL, &key))
		return;
	bpf_link__destroy(s->links.ss_tp_accept);
	bpf_link__destroy(s->links.ss_tp_accept4);
	s->links.ss_tp_accept = s->links.ss_tp_accept4 = NULL;
	t->accept_net_armed = false;
	vlog("accept net: detached (no thread left from start)");
}

void tracer_sweep_now(struct tracer *t)
{
	kernel_sweep_tick(&t->sweep, t->skel, true);
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
	if (t->cgroup_fd >= 0)
		close(t->cgroup_fd);
	t->cgroup_fd = -1;
	for (int i = 0; i < t->n_rings; i++)
		if (t->ring_fds[i] >= 0)
			close(t->ring_fds[i]);
	free(t->ring_fds);
	t->ring_fds = NULL;
	t->n_rings = 0;
}

int tracer_cpu_rings_fd(const struct tracer *t)
{
	return bpf_map__fd(t->skel->maps.cpu_rings);
}

int tracer_counters_fd(const struct tracer *t)
{
	return bpf_map__fd(t->skel->maps.counters);
}

int tracer_tally_fd(const struct tracer *t)
{
	return bpf_map__fd(t->skel->maps.wake_acc);
}

int tracer_flows_fd(const struct tracer *t)
{
	return bpf_map__fd(t->skel->maps.flows);
}

int tracer_flow_socks_fd(const struct tracer *t)
{
	return bpf_map__fd(t->skel->maps.flow_socks);
}

int tracer_prog_count(const struct tracer *t)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, t->skel->obj)
		n += bpf_program__autoload(prog);
	return n;
}

uint64_t tracer_closes_by_net(const struct tracer *t)
{
	return t->skel->bss->closes_by_net;
}

uint64_t tracer_skipped_runs(const struct tracer *t)
{
	struct bpf_program *prog;
	uint64_t sum = 0;

	bpf_object__for_each_program(prog, t->skel->obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		/* the state twins cover each other; the close net only acts on closes the state
		 * programs did not handle; a net for every accept makes up the fexit's skips */
		if (!bpf_program__autoload(prog) || (hook_prog_flags(bpf_program__name(prog)) & HP_TWIN) ||
		    (prog == t->skel->progs.ss_fx_accept && t->skel->bss->accept_net_backs_fexit))
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
				 t->choice[h].off ? "off" : backend_name(t->choice[h].backend));
}
