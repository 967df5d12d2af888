// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* `trace -j`: one JSON object per line; the format is documented in docs/output.md. */
#include <string.h>
#include <sys/socket.h>
#include "escape.h"
#include "event_fmt.h"
#include "linebuf.h"
#include "owner_fmt.h"
#include "sink.h"

static void json_begin_record(struct linebuf *b, uint64_t mono_ns, const char *event)
{
	int64_t real_ns = mono_to_realtime_ns(mono_ns);

	lb_reset(b);
	lb_str(b, "{\"ts\":\"");
	lb_str(b, rfc3339_second(real_ns));
	lb_mem(b, ".", 1);
	lb_u64_width(b, real_ns % 1000000000 / 1000, 6);
	lb_str(b, "Z\",\"event\":\"");
	lb_str(b, event);
	lb_str(b, "\"");
}

static void json_u64(struct linebuf *b, const char *key_colon, uint64_t v)
{
	lb_str(b, key_colon);
	lb_u64(b, v);
}

static void json_str(struct linebuf *b, const char *key_colon, const char *v)
{
	lb_str(b, key_colon);
	lb_json_string(b, v, strlen(v));
}

static void json_owner(struct linebuf *b, const struct ss_owner *o)
{
	json_u64(b, ",\"pid\":", o->pid);
	json_u64(b, ",\"tid\":", o->tid);
	json_u64(b, ",\"uid\":", o->uid);
	lb_str(b, ",\"comm\":");
	lb_json_string(b, o->comm, bounded_strlen(o->comm, SS_COMM_LEN));
	if (o->pid)
		fmt_cgroup_json(b, o->cgroup);
}

static void json_tcp(struct linebuf *b, const struct ss_tcp_event *e)
{
	const struct ss_inet_tuple *t = &e->tuple;
	unsigned type = e->hdr.type;
	char errbuf[16];

	json_begin_record(b, e->hdr.ts_ns, event_name(type));
	json_str(b, ",\"proto\":", "tcp");
	json_str(b, ",\"family\":", family_name(t->family));
	json_owner(b, &e->owner);
	json_u64(b, ",\"netns\":", e->netns);
	json_u64(b, ",\"cookie\":", e->cookie);
	json_str(b, ",\"role\":", tcp_role_name(e));
	lb_str(b, ",\"saddr\":\"");
	lb_addr(b, t->family, t->saddr);
	json_u64(b, "\",\"sport\":", t->sport);
	lb_str(b, ",\"daddr\":\"");
	lb_addr(b, t->family, t->daddr);
	lb_mem(b, "\"", 1);
	json_u64(b, ",\"dport\":", t->dport);
	if (type == SS_EV_TCP_CLOSE) {
		json_u64(b, ",\"bytes_sent\":", e->bytes_sent);
		json_u64(b, ",\"bytes_received\":", e->bytes_received);
	}
	if (event_has_duration(type)) {
		lb_str(b, ",\"duration_ms\":");
		lb_ms3(b, e->duration_ns);
	}
	if (type == SS_EV_TCP_CLOSE) { /* the quality the socket knew; 0 ms: not measured */
		lb_str(b, ",\"rtt_ms\":");
		lb_ms3(b, (uint64_t)e->srtt_us * 1000);
		lb_str(b, ",\"handshake_ms\":");
		lb_ms3(b, (uint64_t)e->handshake_us * 1000);
		json_u64(b, ",\"retrans\":", e->retrans);
	}
	if (type == SS_EV_TCP_CONNECT_FAILED) {
		json_str(b, ",\"error\":", errno_name(e->error, errbuf));
		lb_str(b, ",\"errno\":");
		lb_i64(b, e->error);
	}
	if (e->flags & SS_F_PARTIAL)
		lb_str(b, ",\"partial\":true");
	if (e->flags & SS_F_ALREADY_CLOSED)
		lb_str(b, ",\"already_closed\":true");
	if (e->flags & SS_F_CLOSE_MISSED)
		lb_str(b, ",\"close_missed\":true");
}

static void json_peer(struct linebuf *b, const struct ss_owner *peer)
{
	json_u64(b, ",\"peer_pid\":", peer->pid);
	lb_str(b, ",\"peer_comm\":");
	lb_json_string(b, peer->comm, bounded_strlen(peer->comm, SS_COMM_LEN));
}

/* "path":"/run/x.sock" | "@abstract" | null (unnamed) */
static void json_unix_path(struct linebuf *b, const char *key_colon, const __u8 *path, unsigned len)
{
	const __u8 *p;
	bool abstract;
	size_t n;

	lb_str(b, key_colon);
	if (!unix_path_view(path, len, &p, &n, &abstract)) {
		lb_str(b, "null");
		return;
	}
	if (!abstract) {
		lb_json_string(b, p, n);
		return;
	}
	unsigned char at[1 + SS_UNIX_PATH_LEN];

	at[0] = '@';
	memcpy(at + 1, p, n);
	lb_json_string(b, at, n + 1);
}

static void json_flow(struct linebuf *b, const struct ss_flow_event *e)
{
	unsigned type = e->hdr.type;
	bool unix_flow = type == SS_EV_UNIX_FLOW || type == SS_EV_UNIX_FLOW_END;
	bool end = type == SS_EV_UDP_FLOW_END || type == SS_EV_UNIX_FLOW_END;
	const struct ss_inet_tuple *t = &e->tuple;

	json_begin_record(b, e->hdr.ts_ns, event_name(type));
	json_str(b, ",\"proto\":", unix_flow ? "unix" : "udp");
	if (!unix_flow)
		json_str(b, ",\"family\":", family_name(t->family));
	json_str(b, ",\"type\":", sock_type_name(e->type));
	json_str(b, ",\"direction\":", e->flags & SS_FF_RECV ? "recv" : "send");
	json_owner(b, &e->owner);
	json_u64(b, ",\"netns\":", e->netns);
	json_u64(b, ",\"cookie\":", e->cookie);
	if (unix_flow) {
		json_unix_path(b, ",\"path\":", e->path, e->path_len);
		json_unix_path(b, ",\"peer_path\":", e->peer_path, e->peer_path_len);
		json_u64(b, ",\"inode\":", e->inode);
		json_u64(b, ",\"peer_inode\":", e->peer_inode);
	} else {
		lb_str(b, ",\"saddr\":\"");
		lb_addr(b, t->family, t->saddr);
		json_u64(b, "\",\"sport\":", t->sport);
		lb_str(b, ",\"daddr\":\"");
		lb_addr(b, t->family, t->daddr);
		lb_mem(b, "\"", 1);
		json_u64(b, ",\"dport\":", t->dport);
	}
	if (end) {
		json_u64(b, ",\"packets\":", e->packets);
		json_u64(b, ",\"bytes\":", e->bytes);
		lb_str(b, ",\"duration_ms\":");
		lb_ms3(b, e->duration_ns);
		json_str(b, ",\"reason\":", flow_end_reason(e->flags));
	}
	if (e->flags & SS_FF_RESTART)
		lb_str(b, ",\"restart\":true");
	if (e->flags & SS_FF_PEER)
		json_peer(b, &e->peer);
}

static void json_unix(struct linebuf *b, const struct ss_unix_event *e)
{
	json_begin_record(b, e->hdr.ts_ns, event_name(e->hdr.type));
	json_str(b, ",\"proto\":", "unix");
	json_str(b, ",\"type\":", sock_type_name(e->type));
	json_owner(b, &e->owner);
	json_u64(b, ",\"netns\":", e->netns);
	json_u64(b, ",\"cookie\":", e->cookie);
	json_unix_path(b, ",\"path\":", e->path, e->path_len);
	json_unix_path(b, ",\"peer_path\":", e->peer_path, e->peer_path_len);
	json_u64(b, ",\"inode\":", e->inode);
	json_u64(b, ",\"peer_inode\":", e->peer_inode);
	if (e->peer.pid)
		json_peer(b, &e->peer);
}

static void json_end_record(struct linebuf *b, FILE *out)
{
	lb_str(b, "}\n");
	/* a line that did not fit is dropped whole rather than written as broken JSON */
	if (!b->truncated)
		lb_flush(b, out);
}

static void json_event(struct sink *s, const struct ss_hdr *rec)
{
	struct linebuf b;

	switch (rec->type) {
	case SS_EV_UDP_FLOW:
	case SS_EV_UDP_FLOW_END:
	case SS_EV_UNIX_FLOW:
	case SS_EV_UNIX_FLOW_END:
		json_flow(&b, (const struct ss_flow_event *)rec);
		break;
	case SS_EV_UNIX_CONNECT:
	case SS_EV_UNIX_ACCEPT:
		json_unix(&b, (const struct ss_unix_event *)rec);
		break;
	default:
		json_tcp(&b, (const struct ss_tcp_event *)rec);
	}
	json_end_record(&b, s->out);
}

static void json_lost(struct sink *s, uint64_t mono_ns, uint64_t count)
{
	struct linebuf b;

	json_begin_record(&b, mono_ns, "lost");
	json_u64(&b, ",\"count\":", count);
	json_end_record(&b, s->out);
}

const struct sink_ops trace_json_ops = {
	.on_event = json_event,
	.on_lost = json_lost,
};
