/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Unix sockets without a BPF iterator: sock_diag netlink (exact, with peers), else
 * /proc/net/unix. Both hand the snapshot's unix records to a snapshot_fn.
 */
#ifndef SS_UNIX_DIAG_H
#define SS_UNIX_DIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "snapshot.h"

/* Does the kernel answer UNIX_DIAG dumps (the unix_diag module, loaded on demand)? */
bool unix_diag_available(void);

/* The unix sockets of this network namespace through sock_diag. */
int unix_diag_snapshot(uint32_t netns, snapshot_fn fn, void *ctx, uint64_t *count);
/* The records in one recv() of its dump's answer (buf, len), to fn (for the fuzz targets):
 * 1 when more is to be read, else the end's status (0 after NLMSG_DONE, NLMSG_ERROR's). */
int unix_diag_reply(const void *buf, size_t len, uint32_t netns, snapshot_fn fn, void *ctx,
		    uint64_t *count);

/* The same from /proc/net/unix (what ss falls back to): no peer inodes, so no pairs. */
int unix_proc_snapshot(uint32_t netns, snapshot_fn fn, void *ctx, uint64_t *count);
/* The same from an open file in /proc/net/unix's format (the tests feed it their own). */
int unix_proc_read(FILE *f, uint32_t netns, snapshot_fn fn, void *ctx, uint64_t *count);

#endif
