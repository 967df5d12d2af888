// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * table_rate: how many events per second the live table's assembler (table_apply: decode,
 * look up, insert/merge/remove) sustains on a synthetic loopback stream: listen, then for each
 * connection connect + accept, closed (both halves) once 20,000 newer ones are open. Also prints
 * the table's bytes per association at its fullest.
 *   table_rate [CONNECTIONS]   (default 1,000,000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include "assoc_table.h"
#include "table_feed.h"

#define LIVE 20000

static void event(struct ss_tcp_event *e, unsigned type, uint64_t cookie, uint16_t sport,
		  uint16_t dport, uint32_t pid)
{
	memset(e, 0, sizeof(*e));
	e->hdr.type = type;
	e->hdr.version = SS_ABI_VERSION;
	e->hdr.size = sizeof(*e);
	e->cookie = cookie;
	e->netns = 1;
	e->tuple.family = AF_INET;
	e->tuple.saddr[0] = e->tuple.daddr[0] = 127;
	e->tuple.saddr[3] = e->tuple.daddr[3] = 1;
	e->tuple.sport = sport;
	e->tuple.dport = dport;
	e->owner.pid = pid;
	memcpy(e->owner.comm, pid == 1 ? "server" : "client", 7);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	struct ss_tcp_event *evs = malloc(sizeof(*evs) * (4 * (size_t)n + 1)), *e = evs;
	struct assoc_table t;
	struct timespec a, b;
	size_t n_ev, peak_bytes = 0;
	uint32_t peak_assocs = 0;
	double s;

	if (!evs || assoc_table_init(&t, 1 << 20))
		return 1;
	event(e++, SS_EV_TCP_LISTEN, 1, 80, 0, 1);
	for (long i = 0; i < n; i++) {
		/* ephemeral ports cycle; a port is reused only after its connection closed */
		uint16_t port = 1024 + i % 60000;

		event(e++, SS_EV_TCP_CONNECT, 2 * i + 2, port, 80, 2);
		event(e++, SS_EV_TCP_ACCEPT, 2 * i + 3, 80, port, 1);
		if (i >= LIVE) {
			uint16_t old = 1024 + (i - LIVE) % 60000;

			event(e++, SS_EV_TCP_CLOSE, 2 * (i - LIVE) + 2, old, 80, 2);
			event(e++, SS_EV_TCP_CLOSE, 2 * (i - LIVE) + 3, 80, old, 1);
		}
	}
	n_ev = e - evs;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (size_t i = 0; i < n_ev; i++) {
		table_apply(&t, &evs[i].hdr, 0);
		if (i == 2 * LIVE + 1) { /* full: 20,000 local associations (40,000 halves) */
			peak_bytes = assoc_table_bytes(&t);
			peak_assocs = (t.n_used - 1) / 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("events %zu in %.3f s: %.2f M events/s; %u sockets left; at %u associations the "
	       "table held %zu bytes = %.0f bytes per association (two halves each)\n",
	       n_ev, s, n_ev / s / 1e6, t.n_used, peak_assocs, peak_bytes,
	       (double)peak_bytes / peak_assocs);
	assoc_table_free(&t);
	free(evs);
	return 0;
}
