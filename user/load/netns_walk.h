/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Every network namespace of the host (ports/assoc --all-netns): those `ip netns` named in
 * /run/netns and those some process is in (/proc/PID/ns/net), each once. The socket
 * iterators and sock_diag see the namespace of the thread that opens them, so the walk enters
 * each namespace in turn (setns) and comes back.
 */
#ifndef SS_NETNS_WALK_H
#define SS_NETNS_WALK_H

#include <stdint.h>

/*
 * fn(ctx, inode) in every namespace but the caller's, this thread inside it. Stops at fn's
 * first error. 0 or negative errno (the thread is always back in its own namespace; if it
 * cannot be, the process exits: it would report the wrong sockets from then on).
 */
int netns_for_each_other(int (*fn)(void *ctx, uint32_t inode), void *ctx, unsigned *count);

/* The /run/netns name of a namespace, or NULL. Valid until exit. */
const char *netns_name(uint32_t inode);

#endif
