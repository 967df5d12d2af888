// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cli.h"
#include "log.h"
#include "preflight.h"

bool cap_effective(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	return !syscall(SYS_capget, &hdr, data) && (data[cap / 32].effective & (1u << (cap % 32)));
}

int preflight_permissions(void)
{
	if (cap_effective(CAP_SYS_ADMIN) || (cap_effective(CAP_BPF) && cap_effective(CAP_PERFMON)))
		return 0;
	elog("not permitted to load BPF programs: run as root (sudo sockscope ...) or grant "
	     "CAP_BPF, CAP_PERFMON (and CAP_SYS_ADMIN to mount tracefs)");
	return EXIT_NOPERM;
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
	int err;

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
	err = tracefs_ensure();
	if (err)
		vlog("tracefs is not mounted and mounting it failed (%s): syscall tracepoints unavailable",
		     strerror(-err));
	err = cgroup2_ensure();
	if (err)
		vlog("no cgroup v2 hierarchy is mounted and mounting one failed (%s): no cgroup hooks",
		     strerror(-err));
	if (!backends_choose(forced, protos, protos_explicit, choice, &failed))
		return 0;
	if (forced == BACKEND_AUTO)
		elog("no backend is available for hook %s: %s", hook_name(failed), choice[failed].why);
	else
		elog("backend %s is not available for hook %s: %s (try --backend auto)",
		     backend_name(forced), hook_name(failed), choice[failed].why);
	return EXIT_UNAVAILABLE;
}
