// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "backends.h"
#include "snapshot.h"
#include "source.h"
#include "sockscope.skel.h"

#define READ_CHUNK (256 * 1024)

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

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Read one iterator to its end. A read() may end inside a record, so what is left over is
 * carried to the front of the buffer; the buffer is 8-byte aligned, and records are multiples
 * of 8 bytes, so every record handed on is aligned.
 */
static int read_iter(struct bpf_link *link, snapshot_fn fn, void *ctx, struct snapshot_stats *st)
{
	size_t have = 0;
	uint64_t *buf;
	int fd, err = 0;

	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0)
		return -errno;
	buf = malloc(READ_CHUNK);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		unsigned char *bytes = (unsigned char *)buf;
		ssize_t n = read(fd, bytes + have, READ_CHUNK - have);
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		have += n;
		while (have - off >= sizeof(struct ss_hdr)) {
			const struct ss_hdr *h = (const void *)(bytes + off);

			if (h->size < sizeof(*h) || h->size > 1024 || h->size % 8) {
				err = -EPROTO; /* the stream lost its framing: stop reading it */
				goto out;
			}
			if (have - off < h->size)
				break;
			if (record_validate(h, h->size)) {
				st->invalid++;
			} else {
				st->inet += h->type == SS_SNAP_INET;
				st->unix_socks += h->type == SS_SNAP_UNIX;
				st->files += h->type == SS_SNAP_FILE;
				fn(ctx, h);
			}
			off += h->size;
		}
		memmove(bytes, bytes + off, have - off);
		have -= off;
	}
out:
	free(buf);
	close(fd);
	return err;
}

static int run_one(struct bpf_program *prog, struct bpf_link **link, snapshot_fn fn, void *ctx,
		   struct snapshot_stats *st)
{
	if (!*link) {
		*link = bpf_program__attach_iter(prog, NULL);
		if (!*link)
			return -errno;
	}
	return read_iter(*link, fn, ctx, st);
}

int snapshot_run(struct sockscope_bpf *s, bool unix_iter, snapshot_fn fn, void *ctx,
		 struct snapshot_stats *st)
{
	uint64_t start = mono_ns();
	int err;

	memset(st, 0, sizeof(*st));
	/* live views: give every TCP socket alive now a kernel-side entry, so its close is
	 * reported (bpf/tcp.bpf.c); it writes no records */
	if (bpf_program__autoload(s->progs.ss_seed_tcp) &&
	    (err = run_one(s->progs.ss_seed_tcp, &s->links.ss_seed_tcp, fn, ctx, st)))
		return err;
	if ((err = run_one(s->progs.ss_snap_tcp, &s->links.ss_snap_tcp, fn, ctx, st)) ||
	    (err = run_one(s->progs.ss_snap_udp, &s->links.ss_snap_udp, fn, ctx, st)))
		return err;
	/*
	 * Unix sockets: sock_diag first. iter/unix (6.18 here) loses sockets when a read() ends
	 * inside its batch (10,000 sockets: ~1,100 missing with 256 KiB reads, ~3,300 with 4 KiB;
	 * the TCP and UDP iterators lose none), while sock_diag's dump is exact. Without the
	 * unix_diag module (a kernel without modules), iter/unix, else /proc/net/unix (no peers).
	 */
	st->unix_source = "sock_diag";
	err = unix_diag_snapshot(current_netns_inode(), fn, ctx, &st->unix_socks);
	if (err && !st->unix_socks && unix_iter) {
		st->unix_source = "iter/unix";
		err = run_one(s->progs.ss_snap_unix, &s->links.ss_snap_unix, fn, ctx, st);
	} else if (err && !st->unix_socks) {
		st->unix_source = "/proc/net/unix";
		err = unix_proc_snapshot(current_netns_inode(), fn, ctx, &st->unix_socks);
	}
	/* owners last: a descriptor's socket is then already in the table */
	err = run_one(s->progs.ss_snap_files, &s->links.ss_snap_files, fn, ctx, st);
	st->elapsed_ns = mono_ns() - start;
	return err;
}
