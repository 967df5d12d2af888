/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one-shot commands' BPF object (ports, assoc, export --once, record's table): the
 * snapshot iterators of bpf/snap.bpf.c alone, built into their own skeleton. Opening and
 * relocating them spares the tracer's ~70 programs and its maps, which a one-shot run never
 * loads (docs/design.md, "One object, one skeleton").
 */
#ifndef SS_SNAP_OBJECT_H
#define SS_SNAP_OBJECT_H

#include <stdbool.h>
#include "snapshot.h"

struct snap_bpf;

struct snap_object {
	struct snap_bpf *skel;
	struct snap_iters iters; /* for snapshot_run() once loaded */
};

/*
 * Open and load (verify) the iterators; ports_only: the TCP walk stops after the listeners.
 * 0 or negative errno; snap_object_destroy() either way.
 */
int snap_object_load(struct snap_object *o, bool ports_only);
void snap_object_destroy(struct snap_object *o); /* detaches what snapshot_run() attached */

#endif
