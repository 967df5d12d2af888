/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The file systems the hooks need: tracefs (libbpf reads tracepoint ids there) and the
 * cgroup v2 hierarchy (the cgroup hooks attach to its root). What is missing is mounted in a
 * mount namespace of sockscope's own, so nothing is left to unmount at exit.
 */
#ifndef SS_KERNEL_MOUNTS_H
#define SS_KERNEL_MOUNTS_H

#include <stddef.h>

#define TRACEFS "/sys/kernel/tracing"
#define TRACEFS_IN_DEBUGFS "/sys/kernel/debug/tracing"

/* Where tracefs is mounted: TRACEFS, else the old place under debugfs where libbpf looks too,
 * else TRACEFS (not mounted: tracefs_ensure() mounts it there). */
const char *tracefs_dir(void);

/* Mount point of the cgroup v2 hierarchy (from /proc/self/mountinfo): 0 or -ENOENT. */
int cgroup2_root(char *buf, size_t len);
/* The same from one line of mountinfo: 0 (its mount point, unescaped, in buf) or -ENOENT
 * (not a cgroup2 mount, or a mount point len cannot hold). */
int mountinfo_cgroup2(const char *line, char *buf, size_t len);

/*
 * Make tracefs available for tracepoint attachment (libbpf reads event ids there): when it is
 * not mounted, mount it in a private mount namespace (so it needs no unmounting). 0 or -errno:
 * -EACCES when it is mounted but not readable (root's, without CAP_DAC_READ_SEARCH), -EPERM
 * when mounting takes CAP_SYS_ADMIN.
 */
int tracefs_ensure(void);

/*
 * Make the cgroup v2 hierarchy visible for the cgroup hooks: when no mount of it is (e.g.
 * under `ip netns exec`, whose own sysfs hides it), mount it in the private mount namespace.
 * 0 or -errno.
 */
int cgroup2_ensure(void);

#endif
