/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Facts the table tests build again and again: a TCP socket, its owner. */
#ifndef SS_TABLE_HELPERS_H
#define SS_TABLE_HELPERS_H

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include "assoc_table.h"

static inline struct sock_fact tcp_fact(uint64_t cookie, const char *l, int lport, const char *r, int rport)
{
	struct sock_fact f = { .proto = SOCK_PROTO_TCP, .family = AF_INET, .state = SK_ESTABLISHED,
			       .netns = 7, .cookie = cookie };

	inet_pton(AF_INET, l, f.laddr);
	inet_pton(AF_INET, r, f.raddr);
	f.lport = lport;
	f.rport = rport;
	return f;
}

static inline void owned(struct sock_fact *f, uint32_t pid, const char *comm)
{
	static uint8_t names[8][16];
	static int n;
	uint8_t *c = names[n++ % 8];

	memset(c, 0, 16);
	strncpy((char *)c, comm, 15);
	f->has_owner = true;
	f->pid = pid;
	f->comm = c;
}

#endif
