// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <string.h>
#include <sys/socket.h>
#include "escape.h"
#include "event_fmt.h"
#include "netns_walk.h"
#include "owner_fmt.h"
#include "table_fmt.h"
#include "user_names.h"

/*
 * The longest assoc JSON row, which must fit one linebuf (a row that does not is dropped): the
 * fixed keys, two unix names and FMT_MAX_OWNERS owners a side, every byte of every string
 * escaped to six ("\u001b"), every number at its widest.
 */
#define JSON_STR_MAX(n) (2 + 6 * (n))
#define OWNER_JSON_MAX (sizeof("{\"pid\":,\"comm\":,\"uid\":,\"user\":},") + 2 * 10 + \
			JSON_STR_MAX(PROC_COMM_LEN) + JSON_STR_MAX(USER_NAME_MAX) + CGROUP_JSON_MAX)
#define ASSOC_JSON_MAX (512 + 2 * JSON_STR_MAX(SS_UNIX_PATH_LEN) + \
			2 * FMT_MAX_OWNERS * OWNER_JSON_MAX)
_Static_assert(ASSOC_JSON_MAX <= sizeof(((struct linebuf *)0)->buf),
	       "an assoc row with hostile names would not fit a line buffer");

const char *proto_name(unsigned proto)
{
	switch (proto) {
	case SOCK_PROTO_TCP: return "tcp";
	case SOCK_PROTO_UDP: return "udp";
	case SOCK_PROTO_UNIX: return "unix";
	}
	return "unknown";
}

const char *sk_state_name(unsigned state)
{
	static const char *const names[] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV", [4] = "FIN_WAIT1",
		[5] = "FIN_WAIT2", [6] = "TIME_WAIT", [7] = "CLOSE", [8] = "CLOSE_WAIT",
		[9] = "LAST_ACK", [10] = "LISTEN", [11] = "CLOSING", [12] = "NEW_SYN_RECV",
	};

	return state < sizeof(names) / sizeof(names[0]) && names[state] ? names[state] : "UNKNOWN";
}

const char *unix_type_name(unsigned sock_type)
{
	switch (sock_type) {
	case SOCK_STREAM: return "stream";
	case SOCK_DGRAM: return "dgram";
	case SOCK_SEQPACKET: return "seqpacket";
	}
	return "unknown";
}

void fmt_comm_text(struct linebuf *b, const uint8_t comm[PROC_COMM_LEN])
{
	char esc[4 * PROC_COMM_LEN + 1];

	lb_mem(b, esc, escape_text(esc, sizeof(esc), comm, bounded_strlen(comm, PROC_COMM_LEN)));
}

/* A unix name as ss prints it: "@" then the rest for an abstract name. */
static void name_json(struct linebuf *b, const struct half_assoc *h)
{
	uint16_t len;
	const uint8_t *name = half_name(h, &len);

	if (!name) {
		lb_str(b, "null");
		return;
	}
	if (name[0] == 0) {
		char tmp[1 + SS_UNIX_PATH_LEN];

		tmp[0] = '@';
		memcpy(tmp + 1, name + 1, len - 1);
		lb_json_string(b, tmp, len);
	} else {
		/* a path is NUL-terminated inside sun_path; bytes after it are not the name */
		lb_json_string(b, name, bounded_strlen(name, len));
	}
}

static void name_text(struct linebuf *b, const struct half_assoc *h)
{
	char esc[4 * SS_UNIX_PATH_LEN + 2];
	uint16_t len;
	const uint8_t *name = half_name(h, &len);

	if (!name) {
		lb_str(b, "*");
		return;
	}
	if (name[0] == 0) {
		lb_mem(b, "@", 1);
		lb_mem(b, esc, escape_text(esc, sizeof(esc), name + 1, len - 1));
	} else {
		lb_mem(b, esc, escape_text(esc, sizeof(esc), name, bounded_strlen(name, len)));
	}
}

static void where_text(struct linebuf *b, uint64_t cgroup)
{
	char label[CGROUP_PATH_MAX + 32], esc[4 * sizeof(label)];
	const char *l = cgroup_label(cgroup_lookup(cgroup), label, sizeof(label));

	lb_mem(b, "(", 1);
	if (l)
		lb_mem(b, esc, escape_text(esc, sizeof(esc), l, strlen(l)));
	else
		lb_mem(b, "-", 1);
	lb_mem(b, ")", 1);
}

static void procs_json(struct linebuf *b, const struct assoc_table *t, const struct half_assoc *h)
{
	uint32_t pids[FMT_MAX_OWNERS + 1];
	size_t n = half_owners(t, h, pids, FMT_MAX_OWNERS + 1);

	lb_str(b, "\"processes\":[");
	for (size_t i = 0; i < n && i < FMT_MAX_OWNERS; i++) {
		const struct proc_info *p = proc_table_find(&t->procs, pids[i]);
		const char *user;

		lb_str(b, i ? ",{\"pid\":" : "{\"pid\":");
		lb_u64(b, pids[i]);
		if (p) {
			lb_str(b, ",\"comm\":");
			lb_json_string(b, p->comm, bounded_strlen(p->comm, PROC_COMM_LEN));
			lb_str(b, ",\"uid\":");
			lb_u64(b, p->uid);
			if ((user = user_name(p->uid))) {
				lb_str(b, ",\"user\":");
				lb_json_string(b, user, strlen(user));
			}
			fmt_cgroup_json(b, p->cgroup);
		}
		lb_mem(b, "}", 1);
	}
	lb_mem(b, "]", 1);
	if (n > FMT_MAX_OWNERS)
		lb_str(b, ",\"processes_omitted\":true");
}

/* wide: "(nginx.service)" after the name, the process's container, unit or cgroup */
static void procs_text(struct linebuf *b, const struct assoc_table *t, const struct half_assoc *h,
		       bool wide)
{
	uint32_t pids[FMT_MAX_OWNERS + 1];
	size_t n = half_owners(t, h, pids, FMT_MAX_OWNERS + 1);

	if (!n)
		lb_mem(b, "-", 1);
	for (size_t i = 0; i < n && i < FMT_MAX_OWNERS; i++) {
		const struct proc_info *p = proc_table_find(&t->procs, pids[i]);

		if (i)
			lb_mem(b, ",", 1);
		lb_u64(b, pids[i]);
		if (p) {
			lb_mem(b, "/", 1);
			fmt_comm_text(b, p->comm);
		}
		if (p && wide)
			where_text(b, p->cgroup);
	}
	if (n > FMT_MAX_OWNERS)
		lb_str(b, ",...");
}

static void endpoint_text(struct linebuf *b, const struct half_assoc *h, bool local)
{
	uint8_t addr[16];

	half_addr(h, local, addr);
	if (h->family == AF_INET6)
		lb_mem(b, "[", 1);
	lb_addr(b, h->family, addr);
	if (h->family == AF_INET6)
		lb_mem(b, "]", 1);
	lb_mem(b, ":", 1);
	lb_u64(b, local ? h->lport : h->rport);
}

/* Blanks up to width columns after start (at least one); columns are wider than `spaces`. */
static void pad_to(struct linebuf *b, size_t start, size_t width)
{
	static const char spaces[] = "                                        ";
	size_t used = b->len - start, n = used < width ? width - used : 1;

	while (n) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		lb_mem(b, spaces, k);
		n -= k;
	}
}

/* "addr":...,"port":... or "path":...,"abstract":... of one end */
static void where_json(struct linebuf *b, const struct half_assoc *h, bool local)
{
	uint8_t addr[16];

	if (h->proto == SOCK_PROTO_UNIX) {
		lb_str(b, "\"path\":");
		name_json(b, h);
		return;
	}
	half_addr(h, local, addr);
	lb_str(b, "\"addr\":\"");
	lb_addr(b, h->family, addr);
	lb_str(b, "\",\"port\":");
	lb_u64(b, local ? h->lport : h->rport);
}

static void ids_json(struct linebuf *b, const struct half_assoc *h)
{
	lb_str(b, ",\"inode\":");
	lb_u64(b, h->inode);
	lb_str(b, ",\"cookie\":");
	lb_u64(b, h->cookie);
}

static void kind_json(struct linebuf *b, const struct half_assoc *h)
{
	lb_str(b, "{\"proto\":\"");
	lb_str(b, proto_name(h->proto));
	if (h->proto == SOCK_PROTO_UNIX) {
		lb_str(b, "\",\"type\":\"");
		lb_str(b, unix_type_name(h->type));
	} else {
		lb_str(b, "\",\"family\":\"");
		lb_str(b, family_name(h->family));
	}
	lb_str(b, "\",\"state\":\"");
	lb_str(b, h->proto == SOCK_PROTO_UNIX && h->state == SK_CLOSE ? "UNCONN"
		  : h->proto == SOCK_PROTO_UDP && h->state == SK_CLOSE ? "UNCONN"
		  : sk_state_name(h->state));
	lb_str(b, "\",\"netns\":");
	lb_u64(b, h->netns);
}

void fmt_port_json(struct linebuf *b, const struct assoc_table *t, const struct half_assoc *h)
{
	lb_reset(b);
	kind_json(b, h);
	lb_mem(b, ",", 1);
	where_json(b, h, true);
	ids_json(b, h);
	lb_mem(b, ",", 1);
	procs_json(b, t, h);
	lb_str(b, "}\n");
}

#define NETNS_COL 13

/* FMT_NETNS: the namespace's name (escaped: any byte but '/' can name one) or inode. */
static void netns_text(struct linebuf *b, const struct half_assoc *h, unsigned flags)
{
	size_t start = b->len;
	const char *name;
	char esc[4 * 256];

	if (!(flags & FMT_NETNS))
		return;
	if ((name = netns_name(h->netns)))
		lb_mem(b, esc, escape_text(esc, sizeof(esc), name, strnlen(name, 255)));
	else
		lb_u64(b, h->netns);
	pad_to(b, start, NETNS_COL);
}

void fmt_ports_header(struct linebuf *b, unsigned flags)
{
	lb_reset(b);
	if (flags & FMT_NETNS)
		lb_str(b, "NETNS        ");
	lb_str(b, "PROTO LOCAL                                          PROCESSES\n");
}

void fmt_port_text(struct linebuf *b, const struct assoc_table *t, const struct half_assoc *h,
		   unsigned flags)
{
	size_t start;
	bool wide = flags & FMT_WIDE;

	lb_reset(b);
	netns_text(b, h, flags);
	start = b->len;
	lb_str(b, proto_name(h->proto));
	pad_to(b, start, 6);
	start = b->len;
	if (h->proto == SOCK_PROTO_UNIX)
		name_text(b, h);
	else
		endpoint_text(b, h, true);
	pad_to(b, start, 47);
	procs_text(b, t, h, wide);
	lb_mem(b, "\n", 1);
}

void fmt_assoc_json(struct linebuf *b, const struct assoc_table *t, const struct half_assoc *h,
		    const struct half_assoc *peer, const char *change)
{
	lb_reset(b);
	kind_json(b, h);
	if (change) {
		lb_str(b, ",\"change\":\"");
		lb_str(b, change);
		lb_mem(b, "\"", 1);
	}
	lb_str(b, ",\"local\":{");
	where_json(b, h, true);
	ids_json(b, h);
	lb_mem(b, ",", 1);
	procs_json(b, t, h);
	lb_str(b, "},\"remote\":{");
	if (h->proto == SOCK_PROTO_UNIX) {
		if (peer) {
			where_json(b, peer, true);
		} else {
			lb_str(b, "\"path\":null");
		}
		lb_str(b, ",\"inode\":");
		lb_u64(b, h->peer_inode);
	} else {
		where_json(b, h, false);
	}
	lb_str(b, peer ? ",\"on_host\":true" : ",\"on_host\":false");
	if (peer) {
		if (h->proto != SOCK_PROTO_UNIX)
			ids_json(b, peer);
		lb_mem(b, ",", 1);
		procs_json(b, t, peer);
	}
	lb_str(b, "}}\n");
}

void fmt_assoc_header(struct linebuf *b, bool watch, unsigned flags)
{
	lb_reset(b);
	if (watch)
		lb_str(b, "CHANGE ");
	if (flags & FMT_NETNS)
		lb_str(b, "NETNS        ");
	lb_str(b, "PROTO STATE       LOCAL                          REMOTE                         "
		  "PROCESSES (LOCAL <-> PEER)\n");
}

void fmt_assoc_text(struct linebuf *b, const struct assoc_table *t, const struct half_assoc *h,
		    const struct half_assoc *peer, const char *change, unsigned flags)
{
	size_t start;
	bool wide = flags & FMT_WIDE;

	lb_reset(b);
	if (change) {
		lb_str(b, change);
		pad_to(b, 0, 7);
	}
	netns_text(b, h, flags);
	start = b->len;
	lb_str(b, proto_name(h->proto));
	pad_to(b, start, 6);
	start = b->len;
	lb_str(b, h->state == SK_CLOSE ? "UNCONN" : sk_state_name(h->state));
	pad_to(b, start, 12);
	start = b->len;
	if (h->proto == SOCK_PROTO_UNIX) {
		name_text(b, h);
		pad_to(b, start, 31);
		start = b->len;
		if (peer)
			name_text(b, peer);
		else
			lb_mem(b, "?", 1);
		lb_mem(b, "[", 1);
		lb_u64(b, h->peer_inode);
		lb_mem(b, "]", 1);
	} else {
		endpoint_text(b, h, true);
		pad_to(b, start, 31);
		start = b->len;
		endpoint_text(b, h, false);
	}
	pad_to(b, start, 31);
	procs_text(b, t, h, wide);
	lb_str(b, " <-> ");
	if (peer)
		procs_text(b, t, peer, wide);
	else
		lb_str(b, "(not on this host)");
	lb_mem(b, "\n", 1);
}
