// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The file systems the hooks need mounted (tracefs, cgroup v2), found or mounted privately. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include "kernel_mounts.h"
#include "log.h"
#include "util.h"

#define CGROUP_DIR "/sys/fs/cgroup"

/* mountinfo escapes blanks and backslashes in paths as \ooo */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

int mountinfo_cgroup2(const char *line, char *buf, size_t len)
{
	char mnt[4096];

	if (!strstr(line, " - cgroup2 ") || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
		return -ENOENT;
	unescape_octal(mnt);
	if (strlen(mnt) >= len)
		return -ENOENT;
	strcpy(buf, mnt);
	return 0;
}

int cgroup2_root(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096];
	int found = -ENOENT;

	if (!f)
		return -errno;
	while (found && fgets(line, sizeof(line), f))
		found = mountinfo_cgroup2(line, buf, len);
	fclose(f);
	return found;
}

/*
 * A mount namespace of our own, made once: host mounts still reach us (slave), ours never
 * reach the host, and nothing has to be unmounted at exit. Before any thread starts.
 */
static int own_mount_ns(void)
{
	static int made; /* 0: not yet, 1: made, < 0: -errno of the failure */

	if (!made) {
		made = 1;
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL))
			made = -errno;
	}
	return made < 0 ? made : 0;
}

const char *tracefs_dir(void)
{
	if (!path_exists(TRACEFS "/events") && errno != EACCES &&
	    path_exists(TRACEFS_IN_DEBUGFS "/events"))
		return TRACEFS_IN_DEBUGFS;
	return TRACEFS;
}

/*
 * libbpf reads tracepoint ids from tracefs. When nothing has mounted it, mount it in our own
 * mount namespace: two sockscopes starting together cannot pull it from under each other (one
 * unmounting it between the other's probe and attach broke that attach).
 */
int tracefs_ensure(void)
{
	int err;

	if (path_exists(TRACEFS "/events"))
		return 0;
	if (errno == EACCES) /* mounted, root's own (0700) */
		return -EACCES;
	if (path_exists(TRACEFS_IN_DEBUGFS "/events"))
		return 0;
	if ((err = own_mount_ns()))
		return err;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return -errno;
	vlog("mounted tracefs on %s in sockscope's own mount namespace", TRACEFS);
	return 0;
}

/*
 * The cgroup hooks attach to the cgroup v2 root. `ip netns exec` mounts a sysfs of its own on
 * /sys, which hides the host's cgroup2 mount (e.g. /sys/fs/cgroup/unified): mount the
 * hierarchy again in our own mount namespace. It is the same hierarchy, so the programs
 * attach to the same root cgroup.
 */
int cgroup2_ensure(void)
{
	const char *at = path_exists(CGROUP_DIR "/unified") ? CGROUP_DIR "/unified" : CGROUP_DIR;
	char root[256];
	int err;

	if (!cgroup2_root(root, sizeof(root)))
		return 0;
	if ((err = own_mount_ns()))
		return err;
	if (mount("cgroup2", at, "cgroup2", 0, NULL))
		return -errno;
	vlog("mounted the cgroup v2 hierarchy on %s in sockscope's own mount namespace", at);
	return 0;
}
