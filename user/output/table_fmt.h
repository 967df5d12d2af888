/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Rows of the live-table views (ports, assoc) as text or JSON lines (docs/output.md). Every
 * string from the kernel (process names, unix paths) is escaped: JSON per RFC 8259, text as
 * \xNN, so no process can inject lines or terminal escapes.
 */
#ifndef SS_TABLE_FMT_H
#define SS_TABLE_FMT_H

#include <stdbool.h>
#include "assoc_table.h"
#include "linebuf.h"

#define FMT_MAX_OWNERS 16 /* owners printed per socket; the rest are counted */

const char *proto_name(unsigned proto);          /* "tcp" | "udp" | "unix" */
const char *sk_state_name(unsigned state);       /* "LISTEN", "ESTABLISHED", ... */
const char *unix_type_name(unsigned sock_type);  /* "stream" | "dgram" | "seqpacket" */

void fmt_port_json(struct linebuf *b, const struct assoc_table *t, const struct half_assoc *h);
/* Text rows: FMT_WIDE each process's container, unit or cgroup after its name; FMT_NETNS a
 * first column naming the row's network namespace (its /run/netns name, else its inode). */
#define FMT_WIDE 1u
#define FMT_NETNS 2u

void fmt_port_text(struct linebuf *b, const struct assoc_table *t, const struct half_assoc *h,
		   unsigned flags);
void fmt_ports_header(struct linebuf *b, unsigned flags);

/* change: NULL for a table row, "open"/"close" for a --watch line */
void fmt_assoc_json(struct linebuf *b, const struct assoc_table *t, const struct half_assoc *h,
		    const struct half_assoc *peer, const char *change);
void fmt_assoc_text(struct linebuf *b, const struct assoc_table *t, const struct half_assoc *h,
		    const struct half_assoc *peer, const char *change, unsigned flags);
void fmt_assoc_header(struct linebuf *b, bool watch, unsigned flags);

/* A process name, escaped for a terminal. */
void fmt_comm_text(struct linebuf *b, const uint8_t comm[PROC_COMM_LEN]);

#endif
