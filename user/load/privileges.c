// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "log.h"
#include "privileges.h"
#include "util.h"

static int caps_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };

	memset(data, 0, 2 * sizeof(*data));
	return syscall(SYS_capget, &hdr, data) ? -errno : 0;
}

bool cap_effective(int cap)
{
	struct __user_cap_data_struct data[2];

	return !caps_get(data) && (data[cap / 32].effective & (1u << (cap % 32)));
}

int perf_event_paranoid(void)
{
	char line[32];
	char *end;
	long v;

	read_first_line("/proc/sys/kernel/perf_event_paranoid", line, sizeof(line));
	v = strtol(line, &end, 10);
	return end == line || v < -1 || v > 100 ? -1 : (int)v;
}

bool perf_events_restricted(void)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_SOFTWARE, .size = sizeof(attr),
					.config = PERF_COUNT_SW_DUMMY, .exclude_kernel = 1,
					.exclude_hv = 1 };
	static int restricted = -1;
	int fd;

	if (restricted < 0) {
		/* upstream treats 3 as 2: only a kernel with the patch refuses a process
		 * watching itself in user space */
		restricted = 0;
		if (perf_event_paranoid() > 2 && !cap_effective(CAP_SYS_ADMIN)) {
			fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
			restricted = fd < 0 && errno == EACCES;
			if (fd >= 0)
				close(fd);
		}
	}
	return restricted;
}

static int threads_of_self(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * capset() changes only the calling thread, so it must be the only one. A thread already
 * joined (the snapshot's reader) can stay listed in /proc/self/task for a moment: the kernel
 * clears its tid, which wakes pthread_join(), before it unlists the task. Seen on a slow
 * (emulated) guest; wait up to 200 ms for it to go.
 */
static int wait_single_threaded(void)
{
	int threads = threads_of_self();

	for (int i = 0; threads > 1 && i < 40; i++) {
		usleep(5000);
		threads = threads_of_self();
	}
	return threads == 1 ? 0 : threads < 0 ? threads : -EBUSY;
}

int privs_keep_only(uint64_t keep)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	int err;

	if ((err = wait_single_threaded()))
		return err;
	if ((err = caps_get(data)))
		return err;
	/* the bounding set first: dropping from it takes CAP_SETPCAP, which goes next */
	if (data[CAP_SETPCAP / 32].effective & (1u << (CAP_SETPCAP % 32)))
		for (int cap = 0; cap < 64; cap++)
			if (!(keep & CAP_MASK(cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) &&
			    errno == EINVAL)
				break; /* past the last capability this kernel knows */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno; /* EINVAL: a kernel before ambient capabilities (4.3) */
	for (int i = 0; i < 2; i++) {
		data[i].permitted &= (uint32_t)(keep >> (32 * i));
		data[i].effective = data[i].permitted;
		data[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0;
}

int privs_drop_after_attach(bool run_resnapshots)
{
	/*
	 * CAP_BPF: older kernels check it in every bpf() call (reading the maps, the iterators
	 * of a re-snapshot) where unprivileged BPF is off. Attaching cgroup/sendmsg on demand
	 * (tracer_tick()) takes no capability once the program is loaded. A re-snapshot reads
	 * /proc/PID/fd of other users' processes for owners the iterator did not name
	 * (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH), which also names cgroups by handle.
	 */
	uint64_t keep = CAP_MASK(CAP_BPF);
	int err;

	if (run_resnapshots)
		keep |= CAP_MASK(CAP_SYS_PTRACE) | CAP_MASK(CAP_DAC_READ_SEARCH);
	err = privs_keep_only(keep);
	if (err)
		wlog("cannot drop the capabilities the run no longer needs: %s", strerror(-err));
	else
		vlog("dropped every capability but CAP_BPF%s", run_resnapshots ?
		     ", CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (for re-snapshots)" : "");
	return err;
}
