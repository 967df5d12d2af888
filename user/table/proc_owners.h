/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The owners iter/task_file did not name. A socket with an inode is held through some file, so
 * one found without an owner means the iterator missed it (seen on 5.10: one of two
 * SO_REUSEPORT listeners, each in its own process, came back without its process) or it is
 * only in flight in an SCM_RIGHTS message. For those inodes only -- usually none -- the
 * /proc/PID/fd links are read, as `ss -p` does for every socket.
 */
#ifndef SS_PROC_OWNERS_H
#define SS_PROC_OWNERS_H

#include <stdbool.h>
#include <stdint.h>
#include "assoc_table.h"

/* A /proc/PID/fd link's text, "socket:[INODE]": true and *inode, or false (another file). */
bool proc_fd_socket_inode(const char *link, uint64_t *inode);
/* Owners added (>= 0) or a negative errno; *orphans: sockets that had none before. */
int proc_owners_fill(struct assoc_table *t, uint32_t *orphans);

#endif
