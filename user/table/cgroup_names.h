/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Who a process is beyond its pid: the cgroup v2 id the kernel side records (struct
 * ss_owner.cgroup) named as a path under the cgroup v2 root, and what that path says -- the
 * container (Docker, containerd/CRI, CRI-O, Podman), the Kubernetes pod and the systemd unit.
 * Ids are resolved on first sight and cached, so a cgroup made after start is still named; a
 * cgroup already removed when first seen stays unnamed (its id is still shown).
 */
#ifndef SS_CGROUP_NAMES_H
#define SS_CGROUP_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#define CGROUP_PATH_MAX 512   /* longer paths are not named */
#define CONTAINER_ID_SHORT 12 /* as `docker ps` shows an id */
#define CONTAINER_ID_MAX 64
#define POD_UID_LEN 36
#define UNIT_NAME_MAX 256

struct cgroup_info {
	uint64_t id;
	bool named;                        /* path below is known */
	char path[CGROUP_PATH_MAX];        /* "/" or "/system.slice/x.service": untrusted bytes */
	const char *runtime;               /* "docker", "containerd", "cri-o", "podman" or NULL */
	char container[CONTAINER_ID_MAX + 1]; /* the whole id (hex), "" if none */
	char pod[POD_UID_LEN + 1];         /* Kubernetes pod UID, "" if none */
	char unit[UNIT_NAME_MAX];          /* the deepest systemd .service, else the deepest
					    * .scope that is not a container's, else "" */
};

/*
 * Find (or privately mount) the cgroup v2 hierarchy now: a mount namespace of sockscope's
 * own can only be made while the process has one thread. Later lookups do it otherwise.
 */
void cgroup_names_prepare(void);

/* What a path (relative to the cgroup v2 root) says: container, pod, unit. Pure. */
void cgroup_parse_path(const char *path, struct cgroup_info *out);

/*
 * The info of cgroup id (0: NULL). Never NULL for another id: unnamed when the cgroup cannot
 * be found. Valid until exit.
 */
const struct cgroup_info *cgroup_lookup(uint64_t id);

/* Name id as path without asking the kernel (a capture carries the names it was made with). */
void cgroup_names_learn(uint64_t id, const char *path);
/* Never ask this host's kernel again: only learnt names count (a replay names what the
 * recording host named, not what this host's ids mean). */
void cgroup_names_offline(void);

/*
 * The id of the cgroup at path (absolute under the cgroup v2 mount, or relative to its root
 * such as "/system.slice"): 0 or -errno.
 */
int cgroup_id_of(const char *path, uint64_t *id);

/* Is path `below` (root-relative) the cgroup `top` or one under it? */
bool cgroup_path_within(const char *below, const char *top);

/* A short name for people: "docker:0123456789ab", "nginx.service", the path, or NULL. */
const char *cgroup_label(const struct cgroup_info *c, char *buf, size_t len);

#endif
