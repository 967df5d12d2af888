// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <string.h>
#include "closed_unix.h"

void closed_unix_note(struct closed_unix *c, const struct half_assoc *h, uint64_t ts_ns)
{
	struct closed_unix_entry *e;
	uint16_t len;

	if (h->proto != SOCK_PROTO_UNIX || !h->inode)
		return;
	e = &c->e[c->next++ % CLOSED_UNIX_SLOTS];
	e->h = *h;
	e->h.more_owners = 0;
	e->h.name = NULL;
	if (h->name) {
		memcpy(&len, h->name, 2);
		len = ss_unix_path_len(len);
		memcpy(e->name, &len, 2);
		memcpy(e->name + 2, h->name + 2, len);
		e->h.name = e->name;
	}
	e->closed_ns = ts_ns;
}

const struct half_assoc *closed_unix_peer(const struct closed_unix *c, const struct half_assoc *h,
					  uint64_t ts_ns)
{
	if (h->proto != SOCK_PROTO_UNIX || !h->peer_inode)
		return NULL;
	for (unsigned i = 0; i < CLOSED_UNIX_SLOTS; i++) {
		const struct closed_unix_entry *e = &c->e[i];

		if (e->h.proto == SOCK_PROTO_UNIX && e->h.inode == h->peer_inode &&
		    e->h.netns == h->netns && (int64_t)(ts_ns - e->closed_ns) <= (int64_t)CLOSED_UNIX_KEEP_NS)
			return &e->h;
	}
	return NULL;
}
