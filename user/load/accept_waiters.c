// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include "accept_waiters.h"

/* The file starts with the syscall number a blocked thread sits in ("running" or -1 when
 * none); the kernel's text, but checked like any input. */
bool syscall_line_is_accept(const char *line)
{
	char *end;
	long nr;

	if (!isdigit((unsigned char)line[0]))
		return false;
	errno = 0;
	nr = strtol(line, &end, 10);
	if (errno || (*end != ' ' && *end != '\n' && *end != '\0'))
		return false;
#ifdef __NR_accept
	if (nr == __NR_accept)
		return true;
#endif
	return nr == __NR_accept4;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* A thread whose syscall file this process may not read (another user's, without
 * CAP_SYS_PTRACE) may be blocked in accept: the caller cannot trust the list. */
static bool denied(void)
{
	return errno == EACCES || errno == EPERM;
}

static int scan_task(int map_fd, const char *pid, bool *unreadable)
{
	char path[320], line[128]; /* d_name is at most 255 bytes */
	struct dirent *t;
	DIR *tasks;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%s/task", pid);
	tasks = opendir(path);
	if (!tasks)
		return 0; /* exited meanwhile */
	while ((t = readdir(tasks))) {
		FILE *f;
		__u32 tid;
		__u8 one = 1;

		if (!all_digits(t->d_name) || snprintf(path, sizeof(path), "/proc/%s/task/%s/syscall",
						       pid, t->d_name) >= (int)sizeof(path))
			continue;
		f = fopen(path, "re");
		if (!f) {
			*unreadable |= denied();
			continue;
		}
		errno = 0;
		if (!fgets(line, sizeof(line), f)) {
			*unreadable |= denied(); /* the kernel checks ptrace access at read */
		} else if (syscall_line_is_accept(line)) {
			tid = (__u32)strtoul(t->d_name, NULL, 10);
			if (!bpf_map_update_elem(map_fd, &tid, &one, BPF_ANY))
				n++;
		}
		fclose(f);
	}
	closedir(tasks);
	return n;
}

int accept_waiters_scan(int map_fd)
{
	struct dirent *p;
	DIR *proc = opendir("/proc");
	bool unreadable = false;
	int n = 0;

	if (!proc)
		return -errno;
	while ((p = readdir(proc)))
		if (all_digits(p->d_name))
			n += scan_task(map_fd, p->d_name, &unreadable);
	closedir(proc);
	return unreadable ? -EACCES : n;
}
