// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "log.h"
#include "netns_walk.h"

struct ns_seen {
	uint32_t inode;
	char *name; /* /run/netns name, or NULL */
};

static struct ns_seen *seen;
static size_t n_seen, cap_seen;
static int named_loaded;

static struct ns_seen *find(uint32_t inode)
{
	for (size_t i = 0; i < n_seen; i++)
		if (seen[i].inode == inode)
			return &seen[i];
	return NULL;
}

static struct ns_seen *add(uint32_t inode)
{
	struct ns_seen *s = find(inode), *bigger;

	if (s)
		return s;
	if (n_seen == cap_seen) {
		size_t cap = cap_seen ? cap_seen * 2 : 64;

		if (!(bigger = realloc(seen, cap * sizeof(*seen))))
			return NULL;
		seen = bigger;
		cap_seen = cap;
	}
	seen[n_seen] = (struct ns_seen){ .inode = inode };
	return &seen[n_seen++];
}

/* Learn the /run/netns names (once). */
static void load_named(void)
{
	DIR *d = opendir("/run/netns");
	struct dirent *de;
	struct stat st;
	char path[300];

	named_loaded = 1;
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct ns_seen *s;

		if (de->d_name[0] == '.' ||
		    (size_t)snprintf(path, sizeof(path), "/run/netns/%s", de->d_name) >= sizeof(path) ||
		    stat(path, &st) || st.st_ino > UINT32_MAX)
			continue;
		if ((s = add(st.st_ino)) && !s->name)
			s->name = strdup(de->d_name);
	}
	closedir(d);
}

const char *netns_name(uint32_t inode)
{
	struct ns_seen *s;

	if (!named_loaded)
		load_named();
	s = find(inode);
	return s ? s->name : NULL;
}

/* Enter the namespace at path unless it is own or visited: 1 entered, 0 skipped, -errno. */
static int enter(const char *path, uint32_t own, uint32_t **visited, size_t *n, size_t *cap,
		 uint32_t *inode)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return 0; /* gone, or not ours to open */
	if (fstat(fd, &st) || st.st_ino == own || st.st_ino > UINT32_MAX)
		goto skip;
	for (size_t i = 0; i < *n; i++)
		if ((*visited)[i] == st.st_ino)
			goto skip;
	if (*n == *cap) {
		size_t bigger = *cap ? *cap * 2 : 64;
		uint32_t *v = realloc(*visited, bigger * sizeof(**visited));

		if (!v) {
			err = -ENOMEM;
			goto skip;
		}
		*visited = v;
		*cap = bigger;
	}
	(*visited)[(*n)++] = st.st_ino;
	if (setns(fd, CLONE_NEWNET)) {
		err = -errno;
		goto skip;
	}
	close(fd);
	*inode = st.st_ino;
	return 1;
skip:
	close(fd);
	return err;
}

int netns_for_each_other(int (*fn)(void *ctx, uint32_t inode), void *ctx, unsigned *count)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), err = 0;
	uint32_t *visited = NULL, own, inode = 0;
	size_t n = 0, cap = 0;
	struct stat st;
	char path[300];
	DIR *dirs[2];

	*count = 0;
	if (home < 0 || fstat(home, &st)) {
		err = -errno;
		if (home >= 0)
			close(home);
		return err;
	}
	own = st.st_ino;
	if (!named_loaded)
		load_named();
	dirs[0] = opendir("/run/netns");
	dirs[1] = opendir("/proc");
	for (int d = 0; d < 2 && !err; d++) {
		struct dirent *de;

		if (!dirs[d])
			continue;
		while (!err && (de = readdir(dirs[d]))) {
			int r;

			if (d == 0 ? de->d_name[0] == '.' : !isdigit((unsigned char)de->d_name[0]))
				continue;
			if ((size_t)snprintf(path, sizeof(path), d == 0 ? "/run/netns/%s" : "/proc/%s/ns/net",
					     de->d_name) >= sizeof(path))
				continue;
			r = enter(path, own, &visited, &n, &cap, &inode);
			if (r <= 0) {
				err = r; /* 0: gone, own or seen */
				continue;
			}
			(*count)++;
			err = fn(ctx, inode);
			if (setns(home, CLONE_NEWNET)) {
				elog("cannot return to sockscope's own network namespace: %s", strerror(errno));
				exit(1);
			}
		}
	}
	for (int d = 0; d < 2; d++)
		if (dirs[d])
			closedir(dirs[d]);
	close(home);
	free(visited);
	return err;
}
