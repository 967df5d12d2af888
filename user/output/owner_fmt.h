/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Where a process runs (cgroup, container, pod, unit), as every JSON writer prints it. */
#ifndef SS_OWNER_FMT_H
#define SS_OWNER_FMT_H

#include <stdint.h>
#include "cgroup_names.h"
#include "linebuf.h"

/*
 * The most fmt_cgroup_json() writes: four keys, every byte of each string escaped to six.
 * (A unit name is one component of the path, so at most 255 bytes.)
 */
#define CGROUP_JSON_MAX (64 + 6 * (CGROUP_PATH_MAX + 255 + CONTAINER_ID_SHORT + POD_UID_LEN + 16))

/*
 * ,"cgroup":"/path" (null when not known), then ,"container":"<short id>",
 * "runtime":"docker", "pod":"<uid>", "unit":"x.service" for those the path names.
 */
void fmt_cgroup_json(struct linebuf *b, uint64_t cgroup);

#endif
