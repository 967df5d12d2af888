// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cgroup_names.h"
#include "proc_owners.h"

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

bool proc_fd_socket_inode(const char *link, uint64_t *inode)
{
	return sscanf(link, "socket:[%" SCNu64 "]", inode) == 1;
}

/* The cgroup v2 line of /proc/PID/cgroup ("0::/path") as an id; 0 when there is none. */
static uint64_t proc_cgroup(int pid_dir)
{
	char buf[CGROUP_PATH_MAX + 64], *line;
	uint64_t id = 0;
	ssize_t n;
	int fd = openat(pid_dir, "cgroup", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "0::/", 4))
			continue;
		line[3 + strcspn(line + 3, "\n")] = '\0';
		return cgroup_id_of(line + 3, &id) ? 0 : id;
	}
	return 0;
}

/* The process's name, uid and cgroup, as the iterator would have given them. */
static void proc_identity(int pid_dir, uint8_t comm[PROC_COMM_LEN], uint32_t *uid,
			  uint64_t *cgroup)
{
	struct stat st;
	ssize_t n;
	int fd;

	memset(comm, 0, PROC_COMM_LEN);
	fd = openat(pid_dir, "comm", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, comm, PROC_COMM_LEN - 1);
		if (n > 0 && comm[n - 1] == '\n')
			comm[n - 1] = 0;
		close(fd);
	}
	*uid = fstat(pid_dir, &st) ? 0 : st.st_uid;
	*cgroup = proc_cgroup(pid_dir);
}

static int scan_pid(struct assoc_table *t, int proc_fd, const char *pid_name,
		    const uint64_t *inodes, size_t n)
{
	int pid_dir = openat(proc_fd, pid_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd_dir, added = 0;
	uint8_t comm[PROC_COMM_LEN];
	bool known = false;
	uint32_t uid = 0;
	uint64_t cgroup = 0;
	struct dirent *de;
	DIR *d;

	if (pid_dir < 0)
		return 0; /* gone, or not ours to read */
	fd_dir = openat(pid_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd_dir >= 0 ? fdopendir(fd_dir) : NULL;
	if (!d) {
		if (fd_dir >= 0)
			close(fd_dir);
		close(pid_dir);
		return 0;
	}
	while ((de = readdir(d))) {
		char link[64];
		uint64_t key;
		ssize_t len = readlinkat(fd_dir, de->d_name, link, sizeof(link) - 1);

		if (len <= 0)
			continue;
		link[len] = 0;
		if (!proc_fd_socket_inode(link, &key))
			continue;
		if (!bsearch(&key, inodes, n, sizeof(*inodes), u64_cmp))
			continue;
		if (!known) {
			proc_identity(pid_dir, comm, &uid, &cgroup);
			known = true;
		}
		added += assoc_table_add_owner_by_inode(t, key, strtoul(pid_name, NULL, 10), uid,
							 comm, cgroup) > 0;
	}
	closedir(d);
	close(pid_dir);
	return added;
}

int proc_owners_fill(struct assoc_table *t, uint32_t *orphans)
{
	uint64_t *inodes;
	size_t n = 0;
	int added = 0, proc_fd;
	struct dirent *de;
	DIR *d;

	*orphans = 0;
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(t, i);

		n += h && h->inode && !h->owner;
	}
	if (!n)
		return 0;
	inodes = malloc(n * sizeof(*inodes));
	if (!inodes)
		return -ENOMEM;
	n = 0;
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct half_assoc *h = assoc_table_get(t, i);

		if (h && h->inode && !h->owner)
			inodes[n++] = h->inode;
	}
	*orphans = n;
	qsort(inodes, n, sizeof(*inodes), u64_cmp);
	d = opendir("/proc");
	if (!d) {
		free(inodes);
		return -errno;
	}
	proc_fd = dirfd(d);
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]))
			added += scan_pid(t, proc_fd, de->d_name, inodes, n);
	closedir(d);
	free(inodes);
	return added;
}
