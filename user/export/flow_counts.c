// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include "flow_counts.h"

struct flow_counted {
	struct ss_flow_key key;
	uint64_t packets, bytes; /* counted in the flow's current epoch */
};

static int key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct flow_counted *)a)->key,
		      &((const struct flow_counted *)b)->key, sizeof(struct ss_flow_key));
}

static uint64_t rest(uint64_t now, uint64_t counted)
{
	return now > counted ? now - counted : 0;
}

void flow_counts_seen(struct flow_counts *c, const struct ss_flow_event *e, uint64_t *packets,
		      uint64_t *bytes)
{
	struct flow_counted probe = { .key = e->key }, *fc, **slot;

	*packets = *bytes = 0;
	slot = tfind(&probe, &c->root, key_cmp);
	if (!slot) {
		fc = calloc(1, sizeof(*fc));
		if (!fc)
			return; /* not followed: its end counts it whole */
		fc->key = e->key;
		slot = tsearch(fc, &c->root, key_cmp);
		if (!slot) {
			free(fc);
			return;
		}
		c->n++;
	}
	fc = *slot;
	*packets = rest(e->packets, fc->packets);
	*bytes = rest(e->bytes, fc->bytes);
	if (e->packets > fc->packets)
		fc->packets = e->packets;
	if (e->bytes > fc->bytes)
		fc->bytes = e->bytes;
}

void flow_counts_ended(struct flow_counts *c, const struct ss_flow_event *e, uint64_t *packets,
		       uint64_t *bytes)
{
	struct flow_counted probe = { .key = e->key }, *fc;
	struct flow_counted **slot = tfind(&probe, &c->root, key_cmp);

	*packets = e->packets;
	*bytes = e->bytes;
	if (!slot)
		return;
	fc = *slot;
	*packets = rest(e->packets, fc->packets);
	*bytes = rest(e->bytes, fc->bytes);
	tdelete(fc, &c->root, key_cmp);
	free(fc);
	c->n--;
}

void flow_counts_free(struct flow_counts *c)
{
	if (c->root)
		tdestroy(c->root, free);
	memset(c, 0, sizeof(*c));
}
