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

/*
 * One process's descriptors. Most processes read here own nothing (kernel threads, ~60 on an
 * idle host, read whenever one socket has no owner), so the fd directory is opened directly
 * and the process's own directory only once a socket is found: through "..", which is the
 * same process's even if its pid was reused meanwhile.
 */
static int scan_pid(struct assoc_table *t, int proc_fd, const char *name, uint32_t pid,
		    const uint64_t *inodes, size_t n)
{
	int fd_dir, pid_dir = -1, added = 0;
	uint8_t comm[PROC_COMM_LEN];
	char path[32];
	uint32_t uid = 0;
	uint64_t cgroup = 0;
	struct dirent *de;
	DIR *d;

	if ((size_t)snprintf(path, sizeof(path), "%s/fd", name) >= sizeof(path))
		return 0;
	fd_dir = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd_dir < 0)
		return 0; /* gone, or not ours to read */
	d = fdopendir(fd_dir);
	if (!d) {
		close(fd_dir);
		return 0;
	}
	while ((de = readdir(d))) {
		char link[64];
		uint64_t key;
		ssize_t len;

		if (de->d_name[0] == '.') /* "." and "..": descriptors are numbers */
			continue;
		len = readlinkat(fd_dir, de->d_name, link, sizeof(link) - 1);
		/* the permission is the process's (ptrace_may_access), not a descriptor's: one
		 * refusal stands for all (this host's init: ~290 refused readlinks a run) */
		if (len < 0 && (errno == EACCES || errno == EPERM))
			break;
		if (len <= 0)
			continue;
		link[len] = 0;
		if (!proc_fd_socket_inode(link, &key))
			continue;
		if (!bsearch(&key, inodes, n, sizeof(*inodes), u64_cmp))
			continue;
		if (pid_dir < 0) {
			pid_dir = openat(fd_dir, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (pid_dir < 0)
				break; /* gone */
			proc_identity(pid_dir, comm, &uid, &cgroup);
		}
		added += assoc_table_add_owner_by_inode(t, key, pid, uid,
							 comm, cgroup) > 0;
	}
	closedir(d);
	if (pid_dir >= 0)
		close(pid_dir);
	return added;
}

/*
 * Since 6.2 the size of a /proc/PID/fd directory is its number of descriptors, so a process
 * with none (every kernel thread: ~60 on an idle host) costs one fstatat() instead of an open,
 * two reads and a close. Before, every such size is 0: our own directory, which holds at
 * least the /proc one we read, tells which kind of kernel this is.
 */
static bool fd_counts_known(int proc_fd)
{
	struct stat st;

	return !fstatat(proc_fd, "self/fd", &st, 0) && st.st_size > 0;
}

static bool holds_no_descriptor(int proc_fd, const char *name)
{
	struct stat st;
	char path[32];

	return (size_t)snprintf(path, sizeof(path), "%s/fd", name) < sizeof(path) &&
	       !fstatat(proc_fd, path, &st, 0) && st.st_size == 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void push_pid(struct walked_procs *w, uint32_t **pids, uint32_t *n, uint32_t *cap,
		     uint32_t pid)
{
	if (*n == *cap) {
		uint32_t want = *cap ? 2 * *cap : 256;
		uint32_t *grown = want > *cap ? realloc(*pids, want * sizeof(**pids)) : NULL;

		if (!grown) {
			w->failed = true;
			return;
		}
		*pids = grown;
		*cap = want;
	}
	(*pids)[(*n)++] = pid;
}

void walked_procs_note(struct walked_procs *w, const struct ss_hdr *rec)
{
	if (rec->type == SS_SNAP_FILE) {
		uint32_t pid = ((const struct ss_snap_file *)rec)->pid;

		if (pid != w->cur_pid)
			w->cur_files = 0;
		w->cur_pid = pid;
		w->cur_files++;
	} else if (rec->type == SS_SNAP_FD_COUNT) {
		const struct ss_snap_fd_count *c = (const void *)rec;
		uint32_t seen = c->pid == w->cur_pid ? w->cur_files : 0;

		if (seen == c->sockets)
			push_pid(w, &w->whole, &w->n_whole, &w->cap_whole, c->pid);
		else
			push_pid(w, &w->unsure, &w->n_unsure, &w->cap_unsure, c->pid);
		w->cur_pid = w->cur_files = 0;
	}
}

void walked_procs_seal(struct walked_procs *w)
{
	if (w->whole)
		qsort(w->whole, w->n_whole, sizeof(*w->whole), u32_cmp);
	if (w->unsure)
		qsort(w->unsure, w->n_unsure, sizeof(*w->unsure), u32_cmp);
}

bool walked_procs_whole(const struct walked_procs *w, uint32_t pid)
{
	return !w->failed && w->n_whole &&
	       bsearch(&pid, w->whole, w->n_whole, sizeof(pid), u32_cmp) &&
	       !(w->n_unsure && bsearch(&pid, w->unsure, w->n_unsure, sizeof(pid), u32_cmp));
}

void walked_procs_free(struct walked_procs *w)
{
	free(w->whole);
	free(w->unsure);
	memset(w, 0, sizeof(*w));
}

/* "1234" -> 1234; false for anything but a pid directory's name */
static bool pid_name(const char *name, uint32_t *pid)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)name[0]))
		return false;
	errno = 0;
	v = strtoul(name, &end, 10);
	if (*end || errno || !v || v > UINT32_MAX)
		return false;
	*pid = (uint32_t)v;
	return true;
}

int proc_owners_fill(struct assoc_table *t, const struct walked_procs *walked,
		     const char *proc_root, struct proc_owners_stats *st)
{
	uint64_t *inodes;
	size_t n = 0;
	int added = 0, proc_fd;
	bool counts;
	struct dirent *de;
	uint32_t pid;
	DIR *d;

	memset(st, 0, sizeof(*st));
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
	st->orphans = n;
	qsort(inodes, n, sizeof(*inodes), u64_cmp);
	d = opendir(proc_root);
	if (!d) {
		free(inodes);
		return -errno;
	}
	proc_fd = dirfd(d);
	counts = fd_counts_known(proc_fd);
	while ((de = readdir(d))) {
		if (!pid_name(de->d_name, &pid))
			continue;
		if (walked && walked_procs_whole(walked, pid)) {
			st->skipped++;
			continue;
		}
		if (counts && holds_no_descriptor(proc_fd, de->d_name)) {
			st->empty++;
			continue;
		}
		st->scanned++;
		added += scan_pid(t, proc_fd, de->d_name, pid, inodes, n);
	}
	closedir(d);
	free(inodes);
	return added;
}
