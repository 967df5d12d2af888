// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cgroup_names.h"
#include "escape.h"
#include "kernel_mounts.h"
#include "owner_filter.h"
#include "proc_table.h"
#include "tracer.h"
#include "user_names.h"

bool owner_filter_on_owner(const struct owner_filter *f)
{
	return f->comm || f->by_uid || f->cgroup || f->container || f->unit;
}

bool owner_filter_on(const struct owner_filter *f)
{
	return owner_filter_on_owner(f) || f->netns;
}

static bool cgroup_passes(const struct owner_filter *f, uint64_t cgroup)
{
	const struct cgroup_info *c;

	if (!f->cgroup && !f->container && !f->unit)
		return true;
	c = cgroup_lookup(cgroup);
	if (!c || !c->named)
		return false;
	if (f->cgroup && !cgroup_path_within(c->path, f->cgroup))
		return false;
	if (f->container && strncmp(c->container, f->container, strlen(f->container)))
		return false;
	return !f->unit || !strcmp(c->unit, f->unit);
}

bool owner_filter_owner(const struct owner_filter *f, uint32_t pid, uint32_t uid,
			const uint8_t comm[SS_COMM_LEN], uint64_t cgroup)
{
	if (!owner_filter_on_owner(f))
		return true;
	if (!pid)
		return false;
	if (f->by_uid && uid != f->uid)
		return false;
	if (f->comm && (!comm || bounded_strlen(comm, SS_COMM_LEN) != strlen(f->comm) ||
			memcmp(comm, f->comm, strlen(f->comm))))
		return false;
	return cgroup_passes(f, cgroup);
}

static bool ss_owner_passes(const struct owner_filter *f, const struct ss_owner *o)
{
	return owner_filter_owner(f, o->pid, o->uid, o->comm, o->cgroup);
}

bool record_owners(const struct ss_hdr *rec, const struct ss_owner **owner,
		   const struct ss_owner **peer, uint32_t *netns)
{
	*peer = NULL;
	switch (rec->type) {
	case SS_EV_TCP_CONNECT ... SS_EV_TCP_LISTEN_CLOSE: {
		const struct ss_tcp_event *e = (const void *)rec;

		*owner = &e->owner;
		*netns = e->netns;
		return true;
	}
	case SS_EV_UDP_FLOW:
	case SS_EV_UDP_FLOW_END:
	case SS_EV_UNIX_FLOW:
	case SS_EV_UNIX_FLOW_END: {
		const struct ss_flow_event *e = (const void *)rec;

		*owner = &e->owner;
		*peer = e->flags & SS_FF_PEER ? &e->peer : NULL;
		*netns = e->netns;
		return true;
	}
	case SS_EV_UNIX_CONNECT:
	case SS_EV_UNIX_ACCEPT: {
		const struct ss_unix_event *e = (const void *)rec;

		*owner = &e->owner;
		*peer = e->peer.pid ? &e->peer : NULL;
		*netns = e->netns;
		return true;
	}
	}
	return false;
}

bool owner_filter_record(const struct owner_filter *f, const struct ss_hdr *rec)
{
	const struct ss_owner *owner, *peer;
	uint32_t netns;

	if (!record_owners(rec, &owner, &peer, &netns))
		return true; /* no owner: process exits, releases, capture-only records */
	if (f->netns && netns != f->netns)
		return false;
	return ss_owner_passes(f, owner) || (peer && owner_filter_on_owner(f) && ss_owner_passes(f, peer));
}

bool owner_filter_half(const struct owner_filter *f, const struct assoc_table *t,
		       const struct half_assoc *h)
{
	uint32_t pids[64];
	size_t n;

	if (f->netns && h->netns != f->netns)
		return false;
	if (!owner_filter_on_owner(f))
		return true;
	n = half_owners(t, h, pids, sizeof(pids) / sizeof(pids[0]));
	for (size_t i = 0; i < n && i < sizeof(pids) / sizeof(pids[0]); i++) {
		const struct proc_info *p = proc_table_find(&t->procs, pids[i]);

		if (p && owner_filter_owner(f, p->pid, p->uid, p->comm, p->cgroup))
			return true;
	}
	return false;
}

int owner_filter_set_comm(struct owner_filter *f, const char *arg)
{
	size_t n = strlen(arg);

	if (!n || n >= SS_COMM_LEN)
		return -EINVAL;
	f->comm = arg;
	return 0;
}

/* arg is a whole decimal number in [min, max] (no sign, no blanks)? */
static bool whole_number(const char *arg, unsigned long min, unsigned long max,
			 unsigned long *v)
{
	char *end;

	if (*arg < '0' || *arg > '9')
		return false;
	errno = 0;
	*v = strtoul(arg, &end, 10);
	return !*end && !errno && *v >= min && *v <= max;
}

int owner_filter_set_uid(struct owner_filter *f, const char *arg)
{
	unsigned long v;

	if (!*arg)
		return -EINVAL;
	if (whole_number(arg, 0, UINT32_MAX - 1, &v)) { /* (uid_t)-1 is no user */
		f->uid = v;
	} else if (user_uid(arg, &f->uid)) {
		return -EINVAL;
	}
	f->by_uid = true;
	return 0;
}

/* Root-relative: the mount point stripped from an absolute path under it, one leading "/",
 * no trailing one. One --cgroup per run (the last one given): the path lives here. */
int owner_filter_set_cgroup(struct owner_filter *f, const char *arg)
{
	static char path[CGROUP_PATH_MAX];
	char root[4096];
	size_t r, n;

	if (*arg != '/' && *arg)
		return -EINVAL;
	if (!cgroup2_root(root, sizeof(root)) && (r = strlen(root)) > 1 && !strncmp(arg, root, r) &&
	    (arg[r] == '/' || !arg[r]))
		arg += r;
	while (*arg == '/')
		arg++;
	n = strlen(arg);
	if (n >= sizeof(path) - 1)
		return -EINVAL;
	path[0] = '/';
	memcpy(path + 1, arg, n + 1);
	while (n && path[n] == '/')
		path[n--] = '\0';
	f->cgroup = path;
	return 0;
}

int owner_filter_set_container(struct owner_filter *f, const char *arg)
{
	size_t n = strlen(arg);

	if (!n || n > CONTAINER_ID_MAX || strspn(arg, "0123456789abcdef") != n)
		return -EINVAL;
	f->container = arg;
	return 0;
}

int owner_filter_set_unit(struct owner_filter *f, const char *arg)
{
	if (!*arg || strchr(arg, '/') || strlen(arg) >= UNIT_NAME_MAX)
		return -EINVAL;
	f->unit = arg;
	return 0;
}

int owner_filter_set_netns(struct owner_filter *f, const char *arg)
{
	char path[300];
	struct stat st;
	unsigned long v;

	if (!*arg)
		return -EINVAL;
	if (whole_number(arg, 1, UINT32_MAX, &v)) {
		f->netns = v;
		return 0;
	}
	/* a name `ip netns add` made: its bind mount's inode is the namespace's */
	if (strchr(arg, '/') || !strcmp(arg, ".") || !strcmp(arg, "..") ||
	    (size_t)snprintf(path, sizeof(path), "/run/netns/%s", arg) >= sizeof(path) ||
	    stat(path, &st))
		return -EINVAL;
	f->netns = st.st_ino;
	return 0;
}

int owner_filter_kernel(const struct owner_filter *f, struct tracer_config *cfg)
{
	uint64_t id;
	int err;

	cfg->by_uid = f->by_uid;
	cfg->uid = f->uid;
	cfg->netns = f->netns;
	if (!f->cgroup)
		return 0;
	cgroup2_ensure();
	if ((err = cgroup_id_of(f->cgroup, &id)))
		return err;
	cfg->cgroup_id = id;
	cfg->cgroup_level = 0; /* the root is level 0; each component below it one more */
	for (const char *p = f->cgroup; *p; p++)
		if (*p == '/' && p[1])
			cfg->cgroup_level++;
	return 0;
}
