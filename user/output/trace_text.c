// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* `trace` for people: one aligned line per event; untrusted names are \xNN-escaped. */
#include <string.h>
#include "cgroup_names.h"
#include "escape.h"
#include "event_fmt.h"
#include "sink.h"

#define ENDPOINT_COL 24
#define WHERE_COL 20
#define WHERE_TEXT_LEN (4 * CGROUP_PATH_MAX + 1)

static void text_begin(struct sink *s)
{
	fprintf(s->out, "%-12s %-7s %-16s ", "TIME", "PID", "COMM");
	if (s->wide)
		fprintf(s->out, "%-*s ", WHERE_COL, "WHERE");
	fprintf(s->out, "%-5s %-14s %-*s %-*s %s\n", "PROTO", "EVENT", ENDPOINT_COL, "LOCAL",
		ENDPOINT_COL, "REMOTE", "DETAILS");
}

/* --wide: the owner's container, unit or cgroup path ("-": not known), escaped, then a blank. */
static void text_where(char buf[WHERE_TEXT_LEN + 2], const struct sink *s, const struct ss_owner *o)
{
	char label[CGROUP_PATH_MAX + 32];
	const char *l = o->pid ? cgroup_label(cgroup_lookup(o->cgroup), label, sizeof(label)) : NULL;
	size_t n;

	buf[0] = '\0';
	if (!s->wide)
		return;
	n = l ? escape_text(buf, WHERE_TEXT_LEN, l, strlen(l)) : (strcpy(buf, "-"), 1);
	for (; n < WHERE_COL; n++)
		buf[n] = ' ';
	buf[n++] = ' ';
	buf[n] = '\0';
}

/* "sent=100 recv=37 dur=0.209ms rtt=0.045ms": only the fields this event type has (and the
 * quality a close knows). */
static void text_details(char *buf, size_t len, const struct ss_tcp_event *e)
{
	char errbuf[16];
	size_t n = 0;

	buf[0] = '\0';
	if (e->hdr.type == SS_EV_TCP_CLOSE)
		n += snprintf(buf + n, len - n, " sent=%llu recv=%llu", (unsigned long long)e->bytes_sent,
			      (unsigned long long)e->bytes_received);
	if (e->hdr.type == SS_EV_TCP_CONNECT_FAILED && n < len)
		n += snprintf(buf + n, len - n, " error=%s", errno_name(e->error, errbuf));
	if (event_has_duration(e->hdr.type) && n < len)
		n += snprintf(buf + n, len - n, " dur=%.3fms", e->duration_ns / 1e6);
	if (e->hdr.type == SS_EV_TCP_CLOSE && e->srtt_us && n < len)
		n += snprintf(buf + n, len - n, " rtt=%.3fms", e->srtt_us / 1e3);
	if (e->hdr.type == SS_EV_TCP_CLOSE && e->handshake_us && n < len)
		n += snprintf(buf + n, len - n, " handshake=%.3fms", e->handshake_us / 1e3);
	if (e->hdr.type == SS_EV_TCP_CLOSE && e->retrans && n < len)
		n += snprintf(buf + n, len - n, " retrans=%u", e->retrans);
	if ((e->flags & SS_F_PARTIAL) && n < len)
		n += snprintf(buf + n, len - n, " partial");
	if ((e->flags & SS_F_ALREADY_CLOSED) && n < len)
		n += snprintf(buf + n, len - n, " already-closed");
	if ((e->flags & SS_F_CLOSE_MISSED) && n < len)
		snprintf(buf + n, len - n, " close-missed");
}

static void text_line(FILE *out, char *line)
{
	size_t n;

	/* padding of the last column would leave trailing blanks */
	for (n = strlen(line); n && line[n - 1] == ' '; n--)
		line[n - 1] = '\0';
	fprintf(out, "%s\n", line);
}

static void text_owner(char pid[12], char comm[4 * SS_COMM_LEN + 1], const struct ss_owner *o)
{
	escape_text(comm, 4 * SS_COMM_LEN + 1, o->comm, bounded_strlen(o->comm, SS_COMM_LEN));
	snprintf(pid, 12, o->pid ? "%u" : "-", o->pid);
	if (!o->pid)
		strcpy(comm, "-");
}

/* " peer=PID/comm" */
static size_t text_peer(char *buf, size_t len, const struct ss_owner *peer)
{
	char comm[4 * SS_COMM_LEN + 1];

	escape_text(comm, sizeof(comm), peer->comm, bounded_strlen(peer->comm, SS_COMM_LEN));
	return snprintf(buf, len, " peer=%u/%s", peer->pid, comm);
}

static void text_flow(struct sink *s, const struct ss_flow_event *e)
{
	unsigned type = e->hdr.type;
	bool unix_flow = type == SS_EV_UNIX_FLOW || type == SS_EV_UNIX_FLOW_END;
	bool end = type == SS_EV_UDP_FLOW_END || type == SS_EV_UNIX_FLOW_END;
	char when[16], comm[4 * SS_COMM_LEN + 1], pid[12];
	char local[UNIX_PATH_TEXT_LEN], remote[UNIX_PATH_TEXT_LEN], details[256], line[4096];
	char where[WHERE_TEXT_LEN + 2];
	size_t n = 0;

	fmt_clock(when, mono_to_realtime_ns(e->hdr.ts_ns));
	text_owner(pid, comm, &e->owner);
	text_where(where, s, &e->owner);
	if (unix_flow) {
		fmt_unix_path(local, e->path, e->path_len);
		fmt_unix_path(remote, e->peer_path, e->peer_path_len);
	} else {
		fmt_endpoint(local, e->tuple.family, e->tuple.saddr, e->tuple.sport);
		fmt_endpoint(remote, e->tuple.family, e->tuple.daddr, e->tuple.dport);
	}
	n += snprintf(details, sizeof(details), " %s %s", sock_type_name(e->type),
		      e->flags & SS_FF_RECV ? "recv" : "send");
	if (unix_flow && n < sizeof(details))
		n += snprintf(details + n, sizeof(details) - n, " ino=%llu peer_ino=%llu",
			      (unsigned long long)e->inode, (unsigned long long)e->peer_inode);
	if (end && n < sizeof(details))
		n += snprintf(details + n, sizeof(details) - n, " pkts=%llu bytes=%llu dur=%.3fms %s",
			      (unsigned long long)e->packets, (unsigned long long)e->bytes,
			      e->duration_ns / 1e6, flow_end_reason(e->flags));
	if ((e->flags & SS_FF_RESTART) && n < sizeof(details))
		n += snprintf(details + n, sizeof(details) - n, " restart");
	if ((e->flags & SS_FF_PEER) && n < sizeof(details))
		text_peer(details + n, sizeof(details) - n, &e->peer);
	snprintf(line, sizeof(line), "%-12s %-7s %-16s %s%-5s %-14s %-*s %-*s%s", when, pid, comm,
		 where, unix_flow ? "unix" : "udp", event_name(type), ENDPOINT_COL, local,
		 ENDPOINT_COL, remote, details);
	text_line(s->out, line);
}

static void text_unix(struct sink *s, const struct ss_unix_event *e)
{
	char when[16], comm[4 * SS_COMM_LEN + 1], pid[12];
	char local[UNIX_PATH_TEXT_LEN], remote[UNIX_PATH_TEXT_LEN], details[256], line[4096];
	char where[WHERE_TEXT_LEN + 2];
	size_t n;

	fmt_clock(when, mono_to_realtime_ns(e->hdr.ts_ns));
	text_owner(pid, comm, &e->owner);
	text_where(where, s, &e->owner);
	fmt_unix_path(local, e->path, e->path_len);
	fmt_unix_path(remote, e->peer_path, e->peer_path_len);
	n = snprintf(details, sizeof(details), " %s ino=%llu peer_ino=%llu", sock_type_name(e->type),
		     (unsigned long long)e->inode, (unsigned long long)e->peer_inode);
	if (e->peer.pid && n < sizeof(details))
		text_peer(details + n, sizeof(details) - n, &e->peer);
	snprintf(line, sizeof(line), "%-12s %-7s %-16s %s%-5s %-14s %-*s %-*s%s", when, pid, comm,
		 where, "unix", event_name(e->hdr.type), ENDPOINT_COL, local, ENDPOINT_COL, remote,
		 details);
	text_line(s->out, line);
}

static void text_event(struct sink *s, const struct ss_hdr *rec)
{
	const struct ss_tcp_event *e = (const void *)rec;
	const struct ss_inet_tuple *t = &e->tuple;

	switch (rec->type) {
	case SS_EV_UDP_FLOW:
	case SS_EV_UDP_FLOW_END:
	case SS_EV_UNIX_FLOW:
	case SS_EV_UNIX_FLOW_END:
		text_flow(s, (const struct ss_flow_event *)rec);
		return;
	case SS_EV_UNIX_CONNECT:
	case SS_EV_UNIX_ACCEPT:
		text_unix(s, (const struct ss_unix_event *)rec);
		return;
	}
	char when[16], comm[4 * SS_COMM_LEN + 1], pid[12], local[ENDPOINT_STR_LEN];
	char remote[ENDPOINT_STR_LEN], details[128], line[2560], where[WHERE_TEXT_LEN + 2];

	fmt_clock(when, mono_to_realtime_ns(rec->ts_ns));
	escape_text(comm, sizeof(comm), e->owner.comm, bounded_strlen(e->owner.comm, SS_COMM_LEN));
	/* pid 0: a connection that closed before any process accepted it */
	snprintf(pid, sizeof(pid), e->owner.pid ? "%u" : "-", e->owner.pid);
	fmt_endpoint(local, t->family, t->saddr, t->sport);
	fmt_endpoint(remote, t->family, t->daddr, t->dport);
	text_details(details, sizeof(details), e);
	text_where(where, s, &e->owner);
	snprintf(line, sizeof(line), "%-12s %-7s %-16s %s%-5s %-14s %-*s %-*s%s", when, pid,
		 e->owner.pid ? comm : "-", where, "tcp", event_name(rec->type), ENDPOINT_COL, local,
		 ENDPOINT_COL, remote, details);
	text_line(s->out, line);
}

static void text_lost(struct sink *s, uint64_t mono_ns, uint64_t count)
{
	char when[16];

	fmt_clock(when, mono_to_realtime_ns(mono_ns));
	fprintf(s->out, "%-12s LOST %llu events (ring buffer full)\n", when, (unsigned long long)count);
}

const struct sink_ops trace_text_ops = {
	.begin = text_begin,
	.on_event = text_event,
	.on_lost = text_lost,
};
