// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cgroup v2 id -> path, and what the path says. The kernel names a cgroup by the id of its
 * kernfs node; open_by_handle_at() on the cgroup2 mount turns that id into a directory whose
 * /proc/self/fd link is the path (what systemd and bpftool do). Without CAP_DAC_READ_SEARCH,
 * the tree is walked once per miss instead and each directory's inode compared (a kernfs
 * inode number is its id on 64-bit hosts).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroup_names.h"
#include "kernel_mounts.h"

#define FILEID_KERNFS 0xfe /* include/linux/exportfs.h: a kernfs node's 64-bit id */

static void *cache; /* tsearch() tree of struct cgroup_info * by id */
static char root[4096];
static int root_fd = -1;
static int root_state; /* 0: not looked for, 1: found, -1: no cgroup v2 mount */

static int by_id(const void *a, const void *b)
{
	uint64_t x = ((const struct cgroup_info *)a)->id, y = ((const struct cgroup_info *)b)->id;

	return x < y ? -1 : x > y;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* comp (n bytes) is PREFIX<hex id>SUFFIX: the id's start and length, else NULL. */
static const char *id_between(const char *comp, size_t n, const char *prefix, const char *suffix,
			      size_t *id_len)
{
	size_t p = strlen(prefix), s = strlen(suffix);

	if (n < p + s + CONTAINER_ID_SHORT || strncmp(comp, prefix, p) ||
	    strncmp(comp + n - s, suffix, s) || !is_hex(comp + p, n - p - s))
		return NULL;
	*id_len = n - p - s;
	return comp + p;
}

static void set_container(struct cgroup_info *c, const char *runtime, const char *id, size_t n)
{
	if (n > CONTAINER_ID_MAX)
		return;
	c->runtime = runtime;
	memcpy(c->container, id, n);
	c->container[n] = '\0';
}

/* "kubepods-besteffort-pod<uid>.slice" (systemd driver, '-' escaped as '_') or "pod<uid>". */
static void pod_of(const char *comp, size_t n, struct cgroup_info *c)
{
	const char *p = NULL;
	size_t len = 0;

	if (n > 6 && !strncmp(comp, "kubepods", 8) && !strncmp(comp + n - 6, ".slice", 6)) {
		const char *at = strstr(comp, "-pod");

		if (at && at < comp + n - 6) {
			p = at + 4;
			len = comp + n - 6 - p;
		}
	} else if (n > 3 && !strncmp(comp, "pod", 3)) {
		p = comp + 3;
		len = n - 3;
	}
	if (!p || len != POD_UID_LEN)
		return;
	for (size_t i = 0; i < len; i++) {
		char ch = p[i] == '_' ? '-' : p[i];

		if (!(ch == '-' || is_hex(&ch, 1)))
			return;
		c->pod[i] = ch;
	}
	c->pod[len] = '\0';
}

void cgroup_parse_path(const char *path, struct cgroup_info *c)
{
	const char *comp = path, *prev = NULL;
	size_t prev_len = 0;
	char scope[UNIT_NAME_MAX] = "";

	c->runtime = NULL;
	c->container[0] = c->pod[0] = c->unit[0] = '\0';
	while (*comp) {
		size_t n = strcspn(comp, "/"), id_len;
		const char *id;
		bool container = true; /* a container's scope is not shown as its unit too */

		if (n) {
			if ((id = id_between(comp, n, "docker-", ".scope", &id_len)))
				set_container(c, "docker", id, id_len);
			else if ((id = id_between(comp, n, "cri-containerd-", ".scope", &id_len)))
				set_container(c, "containerd", id, id_len);
			else if ((id = id_between(comp, n, "crio-", ".scope", &id_len)))
				set_container(c, "cri-o", id, id_len);
			else if ((id = id_between(comp, n, "libpod-", ".scope", &id_len)))
				set_container(c, "podman", id, id_len);
			else if (n == 64 && is_hex(comp, n) && prev) /* cgroupfs drivers: .../<id> */
				set_container(c, prev_len == 6 && !strncmp(prev, "docker", 6)
							 ? "docker" : NULL, comp, n);
			else
				container = false;
			pod_of(comp, n, c);
			if (n < UNIT_NAME_MAX && n > 8 && !strncmp(comp + n - 8, ".service", 8)) {
				memcpy(c->unit, comp, n);
				c->unit[n] = '\0';
			} else if (!container && n < UNIT_NAME_MAX && n > 6 &&
				   !strncmp(comp + n - 6, ".scope", 6)) {
				memcpy(scope, comp, n);
				scope[n] = '\0';
			}
			prev = comp;
			prev_len = n;
		}
		comp += n;
		if (*comp == '/')
			comp++;
	}
	if (!c->unit[0])
		strcpy(c->unit, scope);
}

static bool find_root(void)
{
	if (!root_state) {
		root_state = -1;
		/* `ip netns exec` hides the host's mount: made again privately (single-threaded
		 * callers do it first: cgroup_names_prepare()) */
		if (cgroup2_root(root, sizeof(root)))
			cgroup2_ensure();
		if (!cgroup2_root(root, sizeof(root)) &&
		    (root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
			root_state = 1;
	}
	return root_state > 0;
}

/* abs, a path under the mount, as a root-relative path into out ("/" for the root itself). */
static bool relative(const char *abs, char *out, size_t len)
{
	size_t r = strlen(root);

	if (strncmp(abs, root, r) || (abs[r] && abs[r] != '/'))
		return false;
	return (size_t)snprintf(out, len, "%s", abs[r] ? abs + r : "/") < len;
}

static uint64_t walk_want;
static char walk_found[CGROUP_PATH_MAX];

static int walk_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag != FTW_D || (uint64_t)st->st_ino != walk_want)
		return 0;
	return relative(p, walk_found, sizeof(walk_found)) ? 1 : 0;
}

/* The path of id into out: true when found. */
static bool resolve(uint64_t id, char *out, size_t len)
{
	union {
		struct file_handle fh;
		char space[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	char link[64], abs[4096];
	ssize_t n;
	int fd;

	if (!find_root())
		return false;
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(root_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS)
			return false; /* ESTALE: removed */
		walk_want = id;
		if (nftw(root, walk_one, 16, FTW_PHYS) != 1)
			return false;
		return (size_t)snprintf(out, len, "%s", walk_found) < len;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, abs, sizeof(abs) - 1);
	close(fd);
	if (n <= 0)
		return false;
	abs[n] = '\0';
	return relative(abs, out, len);
}

static struct cgroup_info *entry(uint64_t id)
{
	struct cgroup_info key = { .id = id }, *c, **found = tfind(&key, &cache, by_id);

	if (found)
		return *found;
	if (!(c = calloc(1, sizeof(*c))))
		return NULL;
	c->id = id;
	if (!tsearch(c, &cache, by_id)) {
		free(c);
		return NULL;
	}
	return c;
}

static void name(struct cgroup_info *c, const char *path)
{
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->named = true;
	cgroup_parse_path(c->path, c);
}

void cgroup_names_offline(void)
{
	root_state = -1;
}

void cgroup_names_prepare(void)
{
	find_root();
}

const struct cgroup_info *cgroup_lookup(uint64_t id)
{
	static struct cgroup_info no_memory;
	struct cgroup_info key = { .id = id }, **found, *c;
	char path[CGROUP_PATH_MAX];

	if (!id)
		return NULL;
	if ((found = tfind(&key, &cache, by_id)))
		return *found;
	if (!(c = entry(id)))
		return &no_memory;
	if (resolve(id, path, sizeof(path)))
		name(c, path);
	return c;
}

void cgroup_names_learn(uint64_t id, const char *path)
{
	struct cgroup_info *c = id ? entry(id) : NULL;

	if (c && *path == '/' && strlen(path) < CGROUP_PATH_MAX)
		name(c, path);
}

int cgroup_id_of(const char *path, uint64_t *id)
{
	union {
		struct file_handle fh;
		char space[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	char abs[4096];
	struct stat st;
	int mount_id;

	if (!find_root())
		return -ENOENT;
	if (!strncmp(path, root, strlen(root)) && (!path[strlen(root)] || path[strlen(root)] == '/'))
		snprintf(abs, sizeof(abs), "%s", path);
	else if ((size_t)snprintf(abs, sizeof(abs), "%s/%s", root, path) >= sizeof(abs))
		return -ENAMETOOLONG;
	if (stat(abs, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	h.fh.handle_bytes = sizeof(uint64_t);
	if (!name_to_handle_at(AT_FDCWD, abs, &h.fh, &mount_id, 0) &&
	    h.fh.handle_bytes == sizeof(uint64_t)) {
		memcpy(id, h.fh.f_handle, sizeof(*id));
		return 0;
	}
	*id = st.st_ino;
	return 0;
}

bool cgroup_path_within(const char *below, const char *top)
{
	size_t n = strlen(top);

	while (n > 1 && top[n - 1] == '/')
		n--;
	if (n == 1 && top[0] == '/')
		return below[0] == '/';
	return !strncmp(below, top, n) && (below[n] == '\0' || below[n] == '/');
}

const char *cgroup_label(const struct cgroup_info *c, char *buf, size_t len)
{
	if (!c || !c->named)
		return NULL;
	if (c->container[0])
		snprintf(buf, len, "%s:%.*s", c->runtime ? c->runtime : "container",
			 CONTAINER_ID_SHORT, c->container);
	else if (c->pod[0])
		snprintf(buf, len, "pod:%s", c->pod);
	else if (c->unit[0])
		snprintf(buf, len, "%s", c->unit);
	else
		snprintf(buf, len, "%s", c->path);
	return buf;
}
