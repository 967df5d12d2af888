// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `sockscope doctor`: can sockscope trace on this host, and what would it miss? One line per
 * check -- OK, WARN or FAIL, what was checked, what was found, the remedy -- ending with
 * loading every program it would use through the verifier and attaching it (and detaching).
 * Exit: 0 everything works, 2 it works with less coverage (a WARN), 1 it cannot trace (a
 * FAIL), 77 not permitted.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "commands.h"
#include "kernel_mounts.h"
#include "linebuf.h"
#include "log.h"
#include "preflight.h"
#include "snapshot.h"
#include "tracing.h"
#include "util.h"

#define EXIT_DEGRADED 2

enum status { ST_OK, ST_WARN, ST_FAIL };

struct doctor_opts {
	bool json;
	int verbose;
};

struct report {
	bool json;
	enum status worst;
	bool not_permitted;
};

/* One check's line; found and remedy are this program's words or kernel strings (escaped). */
static void check(struct report *r, enum status st, const char *what, const char *found,
		  const char *remedy)
{
	static const char *const word[] = { "OK", "WARN", "FAIL" };
	struct linebuf b;

	if (st > r->worst)
		r->worst = st;
	lb_reset(&b);
	if (r->json) {
		lb_str(&b, "{\"check\":");
		lb_json_string(&b, what, strlen(what));
		lb_str(&b, ",\"status\":\"");
		lb_str(&b, st == ST_OK ? "ok" : st == ST_WARN ? "warn" : "fail");
		lb_str(&b, "\",\"found\":");
		lb_json_string(&b, found, strlen(found));
		if (remedy) {
			lb_str(&b, ",\"remedy\":");
			lb_json_string(&b, remedy, strlen(remedy));
		}
		lb_str(&b, "}\n");
	} else {
		lb_str(&b, word[st]);
		lb_mem(&b, "     ", 6 - strlen(word[st]));
		lb_str(&b, what);
		lb_str(&b, ": ");
		lb_str(&b, found);
		if (remedy) {
			lb_str(&b, " -> ");
			lb_str(&b, remedy);
		}
		lb_mem(&b, "\n", 1);
	}
	lb_flush(&b, stdout);
}

static void check_privileges(struct report *r)
{
	bool bpf = cap_effective(CAP_BPF), perfmon = cap_effective(CAP_PERFMON);
	bool net_admin = cap_effective(CAP_NET_ADMIN), sys_admin = cap_effective(CAP_SYS_ADMIN);
	bool ptrace = cap_effective(CAP_SYS_PTRACE), read_search = cap_effective(CAP_DAC_READ_SEARCH);
	char found[256];

	snprintf(found, sizeof(found), "uid %u; CAP_BPF %s, CAP_PERFMON %s, CAP_NET_ADMIN %s, "
		 "CAP_DAC_READ_SEARCH %s, CAP_SYS_PTRACE %s, CAP_SYS_ADMIN %s", (unsigned)geteuid(),
		 bpf ? "yes" : "no", perfmon ? "yes" : "no", net_admin ? "yes" : "no",
		 read_search ? "yes" : "no", ptrace ? "yes" : "no", sys_admin ? "yes" : "no");
	if (!sys_admin && !(bpf && perfmon)) {
		check(r, ST_FAIL, "privileges", found,
		      "run as root (sudo sockscope doctor), or with CAP_BPF, CAP_PERFMON and "
		      "CAP_NET_ADMIN");
		r->not_permitted = true;
	} else if (perf_events_restricted()) {
		check(r, ST_WARN, "privileges", found,
		      "sysctl kernel.perf_event_paranoid=2 (Debian and Ubuntu set 3, which keeps "
		      "tracepoints and kprobes for CAP_SYS_ADMIN), or run as root");
	} else if (!net_admin && !sys_admin) {
		check(r, ST_WARN, "privileges", found,
		      "grant CAP_NET_ADMIN: the cgroup socket programs need it");
	} else if (!ptrace || (!read_search && geteuid())) {
		check(r, ST_WARN, "privileges", found,
		      "grant CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH: other users' /proc entries "
		      "(threads blocked in accept() at start, owners only /proc shows) and, when "
		      "not root, root's tracefs");
	} else {
		check(r, ST_OK, "privileges", found, NULL);
	}
}

/* Is the running kernel older than major.minor? */
static bool kernel_before(unsigned major, unsigned minor)
{
	struct utsname u;
	unsigned ma = 0, mi = 0;

	uname(&u);
	sscanf(u.release, "%u.%u", &ma, &mi);
	return ma < major || (ma == major && mi < minor);
}

static void check_kernel(struct report *r)
{
	struct utsname u;
	char found[128];

	uname(&u);
	snprintf(found, sizeof(found), "%.100s", u.release);
	if (kernel_before(5, 8))
		check(r, ST_FAIL, "kernel", found,
		      "sockscope needs Linux >= 5.8 (BPF ring buffers, BTF iterators)");
	else
		check(r, ST_OK, "kernel", found, NULL);
	if (features_check_btf())
		check(r, ST_FAIL, "btf", "/sys/kernel/btf/vmlinux missing",
		      "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian's are)");
	else
		check(r, ST_OK, "btf", "/sys/kernel/btf/vmlinux", NULL);
}

static void check_lockdown(struct report *r)
{
	char line[128], found[256];

	read_first_line("/sys/kernel/security/lockdown", line, sizeof(line));
	if (!line[0]) {
		check(r, ST_OK, "lockdown", "no lockdown LSM", NULL);
		return;
	}
	snprintf(found, sizeof(found), "%s", line);
	if (strstr(line, "[confidentiality]"))
		check(r, ST_FAIL, "lockdown", found,
		      "confidentiality lockdown forbids BPF reads of kernel memory: boot with "
		      "lockdown=integrity or none");
	else
		check(r, ST_OK, "lockdown", found, NULL);
	read_first_line("/proc/sys/kernel/unprivileged_bpf_disabled", line, sizeof(line));
	snprintf(found, sizeof(found), "unprivileged_bpf_disabled=%s (sockscope needs privileges "
		 "either way)", line[0] ? line : "?");
	check(r, ST_OK, "unprivileged bpf", found, NULL);
}

static void check_memlock(struct report *r)
{
	struct rlimit rl;
	char found[128];

	if (!kernel_before(5, 11)) {
		check(r, ST_OK, "memlock", "BPF memory is charged to the memory cgroup (5.11+)", NULL);
		return;
	}
	getrlimit(RLIMIT_MEMLOCK, &rl);
	if (rl.rlim_cur == RLIM_INFINITY) {
		check(r, ST_OK, "memlock", "RLIMIT_MEMLOCK unlimited", NULL);
		return;
	}
	snprintf(found, sizeof(found), "RLIMIT_MEMLOCK %llu KiB (before 5.11 BPF maps count there)",
		 (unsigned long long)rl.rlim_cur / 1024);
	check(r, rl.rlim_cur >= (64ull << 20) ? ST_OK : ST_WARN, "memlock", found,
	      rl.rlim_cur >= (64ull << 20) ? NULL
					   : "ulimit -l unlimited (or LimitMEMLOCK=infinity)");
}

static void check_mounts(struct report *r)
{
	char root[256], found[320];
	int err = tracefs_ensure();

	if (err == -EACCES)
		check(r, ST_WARN, "tracefs", "mounted, root's, not readable",
		      "grant CAP_DAC_READ_SEARCH: the tracepoint backend's syscall hooks read "
		      "their ids there");
	else if (err)
		check(r, ST_WARN, "tracefs", strerror(-err),
		      "mount tracefs at " TRACEFS " (or grant CAP_SYS_ADMIN to let sockscope mount "
		      "its own): the tracepoint backend's syscall hooks need it");
	else
		check(r, ST_OK, "tracefs", TRACEFS " (mounted, or mounted privately)", NULL);
	err = cgroup2_ensure();
	if (!err && !cgroup2_root(root, sizeof(root))) {
		snprintf(found, sizeof(found), "cgroup v2 root at %s%s", root,
			 strcmp(root, "/sys/fs/cgroup") ? " (hybrid hierarchy)" : "");
		check(r, ST_OK, "cgroup2", found, NULL);
	} else {
		check(r, ST_WARN, "cgroup2", "no cgroup v2 hierarchy",
		      "mount cgroup2: the cgroup socket programs (UDP destinations, unix connect "
		      "on 6.7+, socket release) attach to its root");
	}
}

static void check_iterators(struct report *r)
{
	static const char *const iters[] = { "tcp", "udp", "task_file", "unix" };

	for (size_t i = 0; i < sizeof(iters) / sizeof(iters[0]); i++) {
		char what[32], found[64];
		bool ok = snapshot_kernel_has_iter(iters[i]);

		snprintf(what, sizeof(what), "iterator %s", iters[i]);
		snprintf(found, sizeof(found), "bpf_iter_%s %s", iters[i], ok ? "present" : "missing");
		if (ok)
			check(r, ST_OK, what, found, NULL);
		else if (!strcmp(iters[i], "unix"))
			check(r, ST_OK, what, "missing: unix sockets come from sock_diag or /proc", NULL);
		else
			check(r, ST_FAIL, what, found, "a kernel >= 5.9 has it");
	}
}

/* Each hook's backend and why the better ones were refused; off udp/unix hooks lose coverage. */
static void check_hooks(struct report *r, struct hook_choice choice[HOOK_COUNT])
{
	const struct preempt_source *pm = backends_preempt_model();
	enum hook failed = HOOK_COUNT;
	int err = backends_choose(BACKEND_AUTO, PROTO_ALL, false, choice, &failed);
	char model[160];

	snprintf(model, sizeof(model), "%s (from %s)%s", preempt_model_name(pm->model), pm->from,
		 preempt_model_preemptible(pm->model) ? ": tracepoints and kprobes come first" : "");
	check(r, ST_OK, "preemption", model, NULL);

	for (int h = 0; h < HOOK_COUNT; h++) {
		char what[48], found[WHY_LEN + 96];

		snprintf(what, sizeof(what), "hook %s", hook_name(h));
		if (err && h == (int)failed) {
			snprintf(found, sizeof(found), "no backend: %s", choice[h].why);
			check(r, ST_FAIL, what, found,
			      "enable fentry (BTF trampolines), kprobes or tracefs on this kernel");
		} else if (choice[h].off) {
			snprintf(found, sizeof(found), "off, %s not traced: %s",
				 hook_protos(h) & PROTO_UDP ? "udp" : "unix", choice[h].why);
			check(r, ST_WARN, what, found,
			      "a kernel with the hook (docs/backends.md) traces it");
		} else {
			snprintf(found, sizeof(found), "%s%s%s", backend_name(choice[h].backend),
				 choice[h].why[0] ? "; better backends refused: " : "", choice[h].why);
			check(r, ST_OK, what, found, NULL);
		}
	}
	if (!err && !choice[HOOK_SOCK_CLOSE].off &&
	    choice[HOOK_SOCK_CLOSE].backend == BACKEND_TRACEPOINT)
		check(r, ST_WARN, "unix close", "the tracepoint backend's close hook "
		      "(cgroup/sock_release) fires for inet sockets only",
		      "unix datagram flows end when idle or at stop, not at close; the fentry or "
		      "kprobe backend reports their close");
}

/* What `trace` would run: load every program, attach, detach. */
static void check_load_attach(struct report *r, const struct hook_choice choice[HOOK_COUNT])
{
	struct tracer_config cfg = { .ring_bytes = DEFAULT_RING_BYTES, .protos = PROTO_ALL,
				     .flow_idle_ns = SS_FLOW_IDLE_DEFAULT_NS };
	struct tracing tr = { 0 };
	char found[128];

	if (tracing_load(&tr, &cfg, choice)) {
		check(r, ST_FAIL, "load", "a program failed the verifier (the error is above)",
		      "run `sockscope verify -vv` for the verifier's log and report it");
		tracing_close(&tr);
		return;
	}
	snprintf(found, sizeof(found), "%d programs passed the verifier",
		 tracer_prog_count(&tr.t));
	check(r, ST_OK, "load", found, NULL);
	if (tracing_attach(&tr, NULL))
		check(r, ST_FAIL, "attach", "attaching failed (the error is above)",
		      "run `sockscope trace -v` for each hook's attach error");
	else
		check(r, ST_OK, "attach", "every loaded program attached, and was detached", NULL);
	tracing_close(&tr);
}

static int cmd_doctor(void *opts)
{
	const struct doctor_opts *o = opts;
	struct report r = { .json = o->json };
	struct hook_choice choice[HOOK_COUNT] = { 0 };

	log_setup(o->verbose);
	check_privileges(&r);
	check_kernel(&r);
	check_lockdown(&r);
	check_memlock(&r);
	if (r.not_permitted)
		return EXIT_NOPERM; /* the rest needs privileges */
	check_mounts(&r);
	check_iterators(&r);
	check_hooks(&r, choice);
	if (r.worst < ST_FAIL)
		check_load_attach(&r, choice);
	return r.worst == ST_FAIL ? 1 : r.worst == ST_WARN ? EXIT_DEGRADED : 0;
}

static const struct cli_opt doctor_opts[] = {
	CLI_OPT_JSON(struct doctor_opts, json, "one JSON object per check"),
	CLI_OPT_VERBOSE(struct doctor_opts, verbose, "more on stderr"),
	{ NULL },
};

const struct cli_command doctor_command = {
	.name = "doctor",
	.summary = "check this host: can sockscope trace, and what would it miss",
	.description =
		"One line per check (OK, WARN or FAIL, what was found, the remedy): privileges,\n"
		"kernel and BTF, lockdown, memlock, tracefs, cgroup v2, iterators, each hook's\n"
		"backend, then every program loaded through the verifier and attached (and\n"
		"detached). Exit 0: everything works; 2: it works with less coverage (a WARN);\n"
		"1: it cannot trace (a FAIL); 77: not permitted.\n",
	.opts = doctor_opts,
	.opts_size = sizeof(struct doctor_opts),
	.run = cmd_doctor,
};
