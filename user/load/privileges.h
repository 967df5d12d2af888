/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Capabilities: the ones a command holds, and the drop once its programs are attached, so the
 * long run that reads events (and untrusted input: /proc, the network for --listen) holds
 * only what it still uses. Masks are CAP_MASK(CAP_*). docs/design.md, "Privileges".
 */
#ifndef SS_PRIVILEGES_H
#define SS_PRIVILEGES_H

#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>

#ifndef CAP_PERFMON /* headers older than 5.8 */
#define CAP_PERFMON 38
#define CAP_BPF 39
#endif

#define CAP_MASK(cap) (1ull << (cap))

/* Is this capability (CAP_*) in the process's effective set? */
bool cap_effective(int cap);

/*
 * kernel.perf_event_paranoid, or -1 when unreadable. Debian's and Ubuntu's kernels add a
 * level 3 (their default) that refuses every perf_event_open() without CAP_SYS_ADMIN, so
 * tracepoints and kprobes, which attach through perf events, take it there; fentry, BTF
 * tracepoints, iterators and cgroup programs do not.
 */
int perf_event_paranoid(void);
/* Are perf events refused to this process (level 3 or more with that patch, without
 * CAP_SYS_ADMIN)? Asked once. */
bool perf_events_restricted(void);
/* Why, as printf text taking the level (an int). */
#define PERF_RESTRICTED                                                                    \
	"kernel.perf_event_paranoid=%d refuses perf events without CAP_SYS_ADMIN "         \
	"(sysctl kernel.perf_event_paranoid=2 lets CAP_PERFMON do)"

/*
 * Keep only the capabilities in keep (of those held): the permitted, effective and
 * inheritable sets, the ambient set emptied, the bounding set too where CAP_SETPCAP allows,
 * and no_new_privs set, so nothing can be regained, not even through execve(). Capabilities
 * belong to threads: the caller must be the only thread (else -EBUSY, nothing changed).
 * 0 or -errno.
 */
int privs_keep_only(uint64_t keep);

/*
 * Once attached: drop what the rest of the run does not use (run_resnapshots: a live view,
 * which may take its snapshot again and read /proc for it). Says what it kept with -v, warns
 * when it could not drop. 0 or -errno.
 */
int privs_drop_after_attach(bool run_resnapshots);

#endif
