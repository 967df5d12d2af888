// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cli.h"
#include "log.h"
#include "preflight.h"

int preflight_permissions(void)
{
	if (cap_effective(CAP_SYS_ADMIN) || (cap_effective(CAP_BPF) && cap_effective(CAP_PERFMON)))
		return 0;
	elog("not permitted to load BPF programs: run as root (sudo sockscope ...) or grant "
	     "CAP_BPF and CAP_PERFMON (each command's list: man sockscope, PRIVILEGES)");
	return EXIT_NOPERM;
}

const char *tracefs_problem(int err)
{
	static char buf[256];

	if (err == -EACCES)
		return "tracefs at " TRACEFS " is root's and not readable: grant CAP_DAC_READ_SEARCH";
	if (err == -EPERM)
		return "tracefs is not mounted at " TRACEFS " and mounting it takes CAP_SYS_ADMIN: "
		       "mount it (systemd does; `ip netns exec` hides it, `nsenter --net` does not)";
	snprintf(buf, sizeof(buf), "tracefs is not mounted at " TRACEFS " and mounting it "
		 "failed: %s", strerror(-err));
	return buf;
}

int preflight_btf(void)
{
	if (!features_check_btf())
		return 0;
	elog("this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): sockscope needs a "
	     "kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu, Fedora kernels >= 5.8 have it)");
	return EXIT_UNAVAILABLE;
}

int preflight_backends(enum backend forced, bool probe, unsigned protos, bool protos_explicit,
		       struct hook_choice choice[HOOK_COUNT])
{
	enum hook failed;
	int err, tracefs_err;

	if (!probe) {
		for (int h = 0; h < HOOK_COUNT; h++) {
			choice[h].backend = forced;
			choice[h].off = !(hook_protos(h) & protos);
			choice[h].why[0] = '\0';
			/* a udp/unix hook the kernel lacks is left out, as trace would */
			if (!choice[h].off && hook_protos(h) != PROTO_TCP && !protos_explicit &&
			    backend_loadable(forced, h, choice[h].why, sizeof(choice[h].why)))
				choice[h].off = true;
		}
		return 0;
	}
	tracefs_err = tracefs_ensure();
	if (tracefs_err)
		vlog("%s: syscall tracepoints unavailable", tracefs_problem(tracefs_err));
	err = cgroup2_ensure();
	if (err)
		vlog("no cgroup v2 hierarchy is mounted and mounting one failed (%s): no cgroup hooks",
		     strerror(-err));
	if (forced == BACKEND_AUTO) {
		const struct preempt_source *pm = backends_preempt_model();

		vlog("preemption model: %s (from %s)%s", preempt_model_name(pm->model), pm->from,
		     preempt_model_preemptible(pm->model) ?
			     ": auto tries tracepoints and kprobes before fentry" : "");
	}
	if (!backends_choose(forced, protos, protos_explicit, choice, &failed))
		return 0;
	if (tracefs_err)
		elog("%s", tracefs_problem(tracefs_err));
	if (forced == BACKEND_AUTO)
		elog("no backend is available for hook %s: %s", hook_name(failed), choice[failed].why);
	else
		elog("backend %s is not available for hook %s: %s (try --backend auto)",
		     backend_name(forced), hook_name(failed), choice[failed].why);
	return EXIT_UNAVAILABLE;
}
