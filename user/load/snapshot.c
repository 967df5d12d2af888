// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "backends.h"
#include "iter_read.h"
#include "netns_walk.h"
#include "snapshot.h"
#include "unix_diag.h"
#include "source.h"
#include "sockscope.skel.h"
#include "util.h"

bool snapshot_kernel_has_iter(const char *name)
{
	char func[64];

	snprintf(func, sizeof(func), "bpf_iter_%s", name);
	return kernel_has_btf_func(func);
}

bool snapshot_wants_unix_iter(void)
{
	return !unix_diag_available() && snapshot_kernel_has_iter("unix");
}

uint32_t current_netns_inode(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (uint32_t)st.st_ino;
}

static int attach(struct bpf_program *prog, struct bpf_link **link)
{
	if (!*link) {
		*link = bpf_program__attach_iter(prog, NULL);
		if (!*link)
			return -errno;
	}
	return 0;
}

/* A new reading of the iterator (each bpf_iter_create() walks the kernel's objects anew). */
static int open_iter(struct bpf_program *prog, struct bpf_link **link)
{
	int err = attach(prog, link), fd;

	if (err)
		return err;
	fd = bpf_iter_create(bpf_link__fd(*link));
	return fd < 0 ? -errno : fd;
}

int snapshot_iter_run(struct bpf_program *prog, struct bpf_link **link, snapshot_fn fn, void *ctx,
		      struct snapshot_stats *st)
{
	int fd = open_iter(prog, link), err;

	if (fd < 0)
		return fd;
	err = iter_read(fd, fn, ctx, st);
	close(fd);
	return err;
}

/* The records of iter/tcp and iter/udp, on to fn with the network namespace they were walked
 * in: the programs leave it to us (bpf/snap.bpf.c, fill_inet). */
struct netns_stamp {
	snapshot_fn fn;
	void *ctx;
	uint32_t netns;
};

static void stamp_netns(void *arg, const struct ss_hdr *rec)
{
	const struct netns_stamp *ns = arg;
	struct ss_snap_inet r;

	if (rec->type != SS_SNAP_INET || rec->size != sizeof(r)) { /* iter_read validated it */
		ns->fn(ns->ctx, rec);
		return;
	}
	memcpy(&r, rec, sizeof(r));
	r.netns = ns->netns;
	ns->fn(ns->ctx, &r.hdr);
}

/*
 * The TCP walk's records, on to ns. `beside`: a thread of its own reads the walk while this
 * one applies what it read, so the kernel's walk (~0.75 us a socket) and the table's work
 * (~0.3 us) overlap.
 */
static int snapshot_tcp(const struct snap_iters *it, struct netns_stamp *ns, bool beside,
			struct snapshot_stats *st)
{
	struct iter_reader reader;
	int fd;

	if (!beside)
		return snapshot_iter_run(it->tcp, it->tcp_link, stamp_netns, ns, st);
	if ((fd = open_iter(it->tcp, it->tcp_link)) < 0)
		return fd;
	if (iter_reader_start(&reader, fd, NULL, NULL)) {
		close(fd);
		return snapshot_iter_run(it->tcp, it->tcp_link, stamp_netns, ns, st);
	}
	return iter_reader_finish(&reader, stamp_netns, ns, st);
}

/* The TCP sockets of namespace netns, this thread's (for `ports`, the listeners only: the
 * program ends the walk after them, and the read that follows fails with EAGAIN;
 * bpf/snap.bpf.c), then the UDP sockets. */
static int snapshot_inet(const struct snap_iters *it, uint32_t netns, snapshot_fn fn, void *ctx,
			 bool beside, struct snapshot_stats *st)
{
	struct netns_stamp ns = { fn, ctx, netns };
	int err = snapshot_tcp(it, &ns, beside, st);

	if (err == -EAGAIN && it->ports_only)
		err = 0;
	return err ? err : snapshot_iter_run(it->udp, it->udp_link, stamp_netns, &ns, st);
}

/* The unix sockets' sock_diag dump, run by the reader thread while this one walks TCP. */
static int unix_diag_first(void *arg, snapshot_fn emit, void *emit_ctx, uint64_t *count)
{
	return unix_diag_snapshot(*(const uint32_t *)arg, emit, emit_ctx, count);
}

static void no_records(void *ctx, const struct ss_hdr *rec)
{
	(void)ctx;
	(void)rec;
}

int snapshot_seed_tcp(struct sockscope_bpf *s)
{
	struct snapshot_stats st = { 0 };
	int err;

	if (!bpf_program__autoload(s->progs.ss_seed_tcp))
		return 0;
	/* in this order: the listening ports first, then the connections on them */
	err = snapshot_iter_run(s->progs.ss_seed_tcp, &s->links.ss_seed_tcp, no_records, NULL, &st);
	if (!err && bpf_program__autoload(s->progs.ss_seed_tcp_files))
		err = snapshot_iter_run(s->progs.ss_seed_listen_ports, &s->links.ss_seed_listen_ports,
					no_records, NULL, &st);
	if (!err && bpf_program__autoload(s->progs.ss_seed_tcp_files))
		err = snapshot_iter_run(s->progs.ss_seed_tcp_files, &s->links.ss_seed_tcp_files,
					no_records, NULL, &st);
	return err;
}

int snapshot_tcp_bytes(struct sockscope_bpf *s, snapshot_fn fn, void *ctx)
{
	struct snapshot_stats st = { 0 };

	if (!bpf_program__autoload(s->progs.ss_tcp_bytes))
		return -ENOENT;
	return snapshot_iter_run(s->progs.ss_tcp_bytes, &s->links.ss_tcp_bytes, fn, ctx, &st);
}

struct netns_walk {
	const struct snap_iters *it;
	snapshot_fn fn;
	void *ctx;
	struct snapshot_stats *st;
};

/* One namespace, this thread inside it: its sockets as snapshot_run() reads its own. */
static int walk_netns(void *arg, uint32_t netns)
{
	struct netns_walk *w = arg;
	uint64_t n = 0;
	int err;

	if ((err = snapshot_inet(w->it, netns, w->fn, w->ctx, false, w->st)))
		return err;
	err = unix_diag_snapshot(netns, w->fn, w->ctx, &n);
	w->st->unix_socks += n;
	if (err && !n && w->it->unix_sk)
		err = snapshot_iter_run(w->it->unix_sk, w->it->unix_link, w->fn, w->ctx, w->st);
	else if (err && !n)
		err = unix_proc_snapshot(netns, w->fn, w->ctx, &w->st->unix_socks);
	return err;
}

int snapshot_other_netns(const struct snap_iters *it, snapshot_fn fn, void *ctx,
			 struct snapshot_stats *st, unsigned *namespaces)
{
	struct netns_walk w = { it, fn, ctx, st };

	memset(st, 0, sizeof(*st));
	return netns_for_each_other(walk_netns, &w, namespaces);
}

/* `ports`: the sockets the socket walks gave, on their way to fn, marked for the descriptor
 * walk's filter */
struct port_marks {
	const struct snap_iters *it;
	snapshot_fn fn;
	void *ctx;
};

static void mark_port_inode(void *arg, const struct ss_hdr *rec)
{
	const struct port_marks *p = arg;
	__u64 *bits = p->it->port_bits;
	uint32_t mask = p->it->port_bits_words - 1;
	struct ss_snap_inet in;
	struct ss_snap_unix un;
	uint64_t inode = 0;

	/* iter_read() and the unix readers validated the size */
	if (rec->type == SS_SNAP_INET) {
		memcpy(&in, rec, sizeof(in));
		inode = in.inode;
	} else if (rec->type == SS_SNAP_UNIX) {
		memcpy(&un, rec, offsetof(struct ss_snap_unix, path));
		inode = un.peer_inode ? 0 : un.inode; /* a connected unix socket is no port */
	}
	if (inode)
		bits[(inode >> 6) & mask] |= 1ull << (inode & 63);
	p->fn(p->ctx, rec);
}

int snapshot_run(const struct snap_iters *it, snapshot_fn fn, void *ctx, struct snapshot_stats *st)
{
	uint64_t start = mono_ns(), n_diag = 0;
	uint32_t netns = current_netns_inode();
	struct port_marks marks = { it, fn, ctx };
	struct iter_reader files;
	bool threaded, filter = it->port_bits != NULL;
	int err, files_fd;

	memset(st, 0, sizeof(*st));
	/* `ports`: every socket walk's records are marked on their way */
	if (filter) {
		*it->port_filter = false;
		memset(it->port_bits, 0, it->port_bits_words * sizeof(*it->port_bits));
		fn = mark_port_inode;
		ctx = &marks;
	}
	/*
	 * Two reader threads: one walks TCP (the longest walk: every bucket of the established
	 * hash), the other dumps the unix sockets (sock_diag) and then walks every process's
	 * descriptors. This thread applies the TCP records as they come, walks UDP, then applies
	 * the unix sockets and the descriptors, in that order, so every owner finds its socket.
	 * Without the threads (or for `ports`, whose descriptor walk needs the sockets' marks
	 * first), the same in this order here.
	 */
	files_fd = open_iter(it->files, it->files_link);
	if (files_fd < 0)
		return files_fd;
	threaded = !filter && !iter_reader_start(&files, files_fd, unix_diag_first, &netns);
	if (!threaded)
		close(files_fd);
	if ((err = snapshot_inet(it, netns, fn, ctx, threaded, st))) {
		if (threaded)
			iter_reader_cancel(&files);
		return err;
	}
	/*
	 * Unix sockets: sock_diag first. iter/unix (6.18 here) loses sockets when a read() ends
	 * inside its batch (10,000 sockets: ~1,100 missing with 256 KiB reads, ~3,300 with 4 KiB;
	 * the TCP and UDP iterators lose none), while sock_diag's dump is exact. Without the
	 * unix_diag module (a kernel without modules), iter/unix, else /proc/net/unix (no peers).
	 */
	st->unix_source = "sock_diag";
	if (threaded) {
		err = iter_reader_first_done(&files, &n_diag); /* counted as they are applied */
	} else {
		err = unix_diag_snapshot(netns, fn, ctx, &n_diag);
		st->unix_socks += n_diag;
	}
	if (err && !n_diag && it->unix_sk) {
		st->unix_source = "iter/unix";
		err = snapshot_iter_run(it->unix_sk, it->unix_link, fn, ctx, st);
	} else if (err && !n_diag) {
		st->unix_source = "/proc/net/unix";
		err = unix_proc_snapshot(netns, fn, ctx, &st->unix_socks);
	}
	/* owners last: a descriptor's socket is then already in the table */
	if (filter) {
		*it->port_filter = true;
		fn = marks.fn;
		ctx = marks.ctx;
	}
	if (threaded)
		err = iter_reader_finish(&files, fn, ctx, st);
	else
		err = snapshot_iter_run(it->files, it->files_link, fn, ctx, st);
	st->elapsed_ns = mono_ns() - start;
	return err;
}
