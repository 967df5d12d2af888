// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <string.h>
#include "owner_fmt.h"

static void json_key_str(struct linebuf *b, const char *key_colon, const char *s)
{
	lb_str(b, key_colon);
	lb_json_string(b, s, strlen(s));
}

void fmt_cgroup_json(struct linebuf *b, uint64_t cgroup)
{
	const struct cgroup_info *c = cgroup_lookup(cgroup);

	if (!c || !c->named) {
		lb_str(b, ",\"cgroup\":null");
		return;
	}
	json_key_str(b, ",\"cgroup\":", c->path);
	if (c->container[0]) {
		lb_str(b, ",\"container\":");
		lb_json_string(b, c->container, strnlen(c->container, CONTAINER_ID_SHORT));
		if (c->runtime)
			json_key_str(b, ",\"runtime\":", c->runtime);
	}
	if (c->pod[0])
		json_key_str(b, ",\"pod\":", c->pod);
	if (c->unit[0])
		json_key_str(b, ",\"unit\":", c->unit);
}
