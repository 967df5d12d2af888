/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Threads blocked in accept()/accept4() right now, from /proc/PID/task/TID/syscall. fexit and
 * kretprobe programs never see the return of a call that began before they attached, so these
 * threads' next accepted connection is left to the syscall-exit net (bpf/tcp.bpf.c).
 */
#ifndef SS_ACCEPT_WAITERS_H
#define SS_ACCEPT_WAITERS_H

#include <stdbool.h>

/* Is this /proc/.../syscall text a thread blocked in accept or accept4? */
bool syscall_line_is_accept(const char *line);
/* Put every such thread id into the BPF hash map map_fd. Returns how many, or -errno:
 * -EACCES when a thread's file was not readable (without CAP_SYS_PTRACE). */
int accept_waiters_scan(int map_fd);

#endif
