// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "backends.h"
#include "snap_object.h"
#include "util.h"
#include "snap.skel.h"

int snap_object_load(struct snap_object *o, bool ports_only)
{
	bool unix_iter = snapshot_wants_unix_iter();
	struct snap_bpf *s;
	int err;

	memset(o, 0, sizeof(*o));
	o->skel = s = snap_bpf__open();
	if (!s)
		return errno ? -errno : -ENOMEM;
	s->rodata->cfg_snap_ports_only = ports_only;
	/* iter/unix only where sock_diag cannot answer (and the kernel has it, 5.17+) */
	bpf_program__set_autoload(s->progs.ss_snap_unix, unix_iter);
	backends_release_btf(); /* libbpf parses its own: let it reuse the pages */
	if ((err = snap_bpf__load(s)))
		return err;
	o->iters = (struct snap_iters){
		.tcp = s->progs.ss_snap_tcp, .tcp_link = &s->links.ss_snap_tcp,
		.udp = s->progs.ss_snap_udp, .udp_link = &s->links.ss_snap_udp,
		.files = s->progs.ss_snap_files, .files_link = &s->links.ss_snap_files,
		.unix_sk = unix_iter ? s->progs.ss_snap_unix : NULL,
		.unix_link = &s->links.ss_snap_unix,
		.ports_only = ports_only,
		.port_bits = ports_only ? s->bss->snap_port_bits : NULL,
		.port_bits_words = ARRAY_SIZE(s->bss->snap_port_bits),
		.port_filter = &s->bss->snap_port_filter,
	};
	return 0;
}

void snap_object_destroy(struct snap_object *o)
{
	snap_bpf__destroy(o->skel); /* NULL-safe */
	o->skel = NULL;
}
