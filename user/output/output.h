/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * How the live commands (trace, top, assoc --watch) end when their output does: a reader that
 * went away (`sockscope trace | head -1`) is a normal end, found without waiting for the next
 * line to write; a write that failed for another reason (a full disk) is an error.
 */
#ifndef SS_OUTPUT_H
#define SS_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

enum output_state {
	OUTPUT_OK,
	OUTPUT_GONE,   /* the reader closed it (pipe, socket) or the terminal hung up */
	OUTPUT_FAILED, /* a write failed otherwise */
};

enum output_state output_check(FILE *out);

/* For a live command's loop: true when it should stop, after saying why; a failed write
 * sets *err to -EIO (exit 1), a reader that went away leaves it (exit 0). */
bool output_ended(FILE *out, int *err);

/* A one-shot command's whole table: out fully buffered in 1 MiB blocks instead of stdio's
 * 4 KiB (assoc's 8 MB for 20,000 connections was ~2,000 write() calls). Call before
 * anything is written to out, and after the live session's start (the block then comes from
 * the heap it faulted in). Without memory, out stays as it was. */
void output_buffer_whole(FILE *out);

#endif
