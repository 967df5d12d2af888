// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unix sockets through sock_diag netlink (exact, unlike iter/unix: see snapshot.c): the same
 * records the iterator writes, built from the kernel's netlink answer (what `ss -x` reads).
 * Owners still come from iter/task_file, which exists from 5.8.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include "snapshot.h"
#include "unix_diag.h"
#include "util.h"

static void record_from_msg(const struct unix_diag_msg *m, size_t len, uint32_t netns,
			    struct ss_snap_unix *r)
{
	const struct rtattr *a = (const void *)(m + 1);
	/* signed: RTA_NEXT past an attribute whose length is not aligned goes below 0, and a
	 * size_t would wrap to a length that lets RTA_OK read on past the message */
	ssize_t left = (ssize_t)(len - NLMSG_ALIGN(sizeof(*m)));

	memset(r, 0, sizeof(*r));
	r->hdr.type = SS_SNAP_UNIX;
	r->hdr.version = SS_ABI_VERSION;
	r->hdr.size = sizeof(*r);
	r->hdr.ts_ns = mono_ns();
	r->cookie = (uint64_t)m->udiag_cookie[1] << 32 | m->udiag_cookie[0];
	r->inode = m->udiag_ino;
	r->netns = netns;
	r->sock_type = m->udiag_type;
	r->state = m->udiag_state;
	for (; RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		size_t plen = RTA_PAYLOAD(a);

		if (a->rta_type == UNIX_DIAG_NAME && plen) {
			if (plen > SS_UNIX_PATH_LEN)
				plen = SS_UNIX_PATH_LEN;
			memcpy(r->path, RTA_DATA(a), plen);
			r->path_len = plen;
		} else if (a->rta_type == UNIX_DIAG_PEER && plen >= 4) {
			uint32_t peer; /* the kernel's u32 */

			memcpy(&peer, RTA_DATA(a), 4);
			r->peer_inode = peer;
		} else if (a->rta_type == UNIX_DIAG_UID && plen >= 4) {
			memcpy(&r->uid, RTA_DATA(a), 4);
		}
	}
}

typedef void (*diag_msg_fn)(const struct unix_diag_msg *m, size_t len, void *arg);

/* The messages of one recv(). *end: the answer ended (NLMSG_DONE, or NLMSG_ERROR: then the
 * kernel's error is returned, -EPROTO for one cut short); else 0. */
static int reply_msgs(const void *buf, size_t n, diag_msg_fn msg_fn, void *arg, bool *end)
{
	const struct nlmsghdr *h = buf;
	ssize_t left = n; /* signed, as in record_from_msg() */

	*end = true;
	for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 0;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			return h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? e->error : -EPROTO;
		}
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
			continue;
		msg_fn(NLMSG_DATA(h), h->nlmsg_len - NLMSG_HDRLEN, arg);
	}
	*end = false;
	return 0;
}

/* One UNIX_DIAG dump of the sockets in `states`: every answer to msg_fn. 0 once the kernel said
 * NLMSG_DONE, else negative errno (-ENOENT: no unix_diag module). */
static int unix_diag_dump(uint32_t states, uint32_t show, diag_msg_fn msg_fn, void *arg)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} q = {
		.nlh = { .nlmsg_len = sizeof(q), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.req = { .sdiag_family = AF_UNIX, .udiag_states = states, .udiag_show = show },
	};
	static long buf[8192];
	int fd, err = 0;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (send(fd, &q, sizeof(q), 0) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		bool end;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		err = reply_msgs(buf, n, msg_fn, arg, &end);
		if (end)
			goto out;
		if (n == 0)
			break;
	}
out:
	close(fd);
	return err;
}

struct diag_snapshot {
	uint32_t netns;
	snapshot_fn fn;
	void *ctx;
	uint64_t *count;
};

static void snapshot_msg(const struct unix_diag_msg *m, size_t len, void *arg)
{
	struct diag_snapshot *d = arg;
	struct ss_snap_unix r;

	record_from_msg(m, len, d->netns, &r);
	(*d->count)++;
	d->fn(d->ctx, &r.hdr);
}

int unix_diag_snapshot(uint32_t netns, snapshot_fn fn, void *ctx, uint64_t *count)
{
	struct diag_snapshot d = { .netns = netns, .fn = fn, .ctx = ctx, .count = count };

	return unix_diag_dump(~0u, UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_UID,
			      snapshot_msg, &d);
}

int unix_diag_reply(const void *buf, size_t len, uint32_t netns, snapshot_fn fn, void *ctx,
		    uint64_t *count)
{
	struct diag_snapshot d = { .netns = netns, .fn = fn, .ctx = ctx, .count = count };
	bool end;
	int err = reply_msgs(buf, len, snapshot_msg, &d, &end);

	return end ? err : 1;
}

static void ignore_msg(const struct unix_diag_msg *m, size_t len, void *arg)
{
	(void)m, (void)len, (void)arg;
}

/* A dump that asks for no state walks the sockets but answers none: only whether the kernel
 * (its unix_diag module, loaded on demand) serves UNIX_DIAG at all. */
bool unix_diag_available(void)
{
	return unix_diag_dump(0, 0, ignore_msg, NULL) == 0;
}

/*
 * /proc/net/unix: "Num RefCount Protocol Flags Type St Inode Path". Flags 0x10000 is
 * __SO_ACCEPTCON (listening); St 1 unconnected, 3 connected. The path is the rest of the line
 * after one space (abstract names start with '@', and their NULs read '@'). A path holding a
 * newline goes on over the next lines: a line that is not a record continues the path before
 * it (a newline followed by text shaped exactly like a record cannot be told apart; sock_diag,
 * tried first, has no such limit).
 */

/* One record's fields; the offset of its path in the line, or -1 when it has none. */
static bool proc_unix_record(const char *line, unsigned long *flags, unsigned long *type,
			     unsigned long *st, unsigned long *inode, int *path_at)
{
	size_t addr = strspn(line, "0123456789abcdefABCDEF");
	int end = 0;

	if ((addr != 8 && addr != 16) || line[addr] != ':' || line[addr + 1] != ' ')
		return false;
	line += addr + 2;
	if (sscanf(line, "%*8x %*8x %8lx %4lx %2lx %lu%n", flags, type, st, inode, &end) != 4 ||
	    !end)
		return false;
	*path_at = line[end] == ' ' ? (int)(addr + 2 + end + 1) : -1;
	return true;
}

/* Appends LEN bytes to the record's path, within its bound; abstract names keep their NUL. */
static void path_append(struct ss_snap_unix *r, const char *s, size_t len)
{
	size_t room = SS_UNIX_PATH_LEN - r->path_len;

	if (len > room)
		len = room;
	memcpy(r->path + r->path_len, s, len);
	if (!r->path_len && len && r->path[0] == '@')
		r->path[0] = 0;
	r->path_len += len;
}

static void emit(const struct ss_snap_unix *r, snapshot_fn fn, void *ctx, uint64_t *count)
{
	(*count)++;
	fn(ctx, &r->hdr);
}

int unix_proc_read(FILE *f, uint32_t netns, snapshot_fn fn, void *ctx, uint64_t *count)
{
	bool pending = false, in_path = false;
	struct ss_snap_unix r;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (getline(&line, &cap, f) < 0) { /* header */
		free(line);
		return -EIO;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		unsigned long flags, type, st, inode;
		int path_at;

		if (n && line[n - 1] == '\n')
			line[--n] = 0;
		if (!proc_unix_record(line, &flags, &type, &st, &inode, &path_at)) {
			if (in_path) { /* the path before held a newline */
				path_append(&r, "\n", 1);
				path_append(&r, line, n);
			}
			continue;
		}
		if (pending)
			emit(&r, fn, ctx, count);
		memset(&r, 0, sizeof(r));
		r.hdr.type = SS_SNAP_UNIX;
		r.hdr.version = SS_ABI_VERSION;
		r.hdr.size = sizeof(r);
		r.hdr.ts_ns = mono_ns();
		r.inode = inode;
		r.netns = netns;
		r.sock_type = type;
		r.state = flags & 0x10000 ? 10 /* TCP_LISTEN */ : st == 3 ? 1 : 7;
		in_path = path_at >= 0;
		if (in_path)
			path_append(&r, line + path_at, n - path_at);
		pending = true;
	}
	if (pending)
		emit(&r, fn, ctx, count);
	free(line);
	return 0;
}

int unix_proc_snapshot(uint32_t netns, snapshot_fn fn, void *ctx, uint64_t *count)
{
	FILE *f = fopen("/proc/net/unix", "re");
	int err;

	if (!f)
		return -errno;
	err = unix_proc_read(f, netns, fn, ctx, count);
	fclose(f);
	return err;
}
