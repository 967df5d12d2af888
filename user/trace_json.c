// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* `trace -j`: one JSON object per line; the format is documented in docs/output.md. */
#include <sys/socket.h>
#include "escape.h"
#include "event_fmt.h"
#include "sink.h"

static void json_ts(FILE *f, uint64_t mono_ns)
{
	char ts[32];

	fmt_rfc3339(ts, mono_to_realtime_ns(mono_ns));
	fprintf(f, "{\"ts\":\"%s\"", ts);
}

static void json_tcp(FILE *f, const struct ss_tcp_event *e)
{
	const struct ss_inet_tuple *t = &e->tuple;
	char saddr[ADDR_STR_LEN], daddr[ADDR_STR_LEN], errbuf[16];
	unsigned type = e->hdr.type;

	fmt_addr(saddr, t->family, t->saddr);
	fmt_addr(daddr, t->family, t->daddr);
	json_ts(f, e->hdr.ts_ns);
	fprintf(f, ",\"event\":\"%s\",\"proto\":\"tcp\",\"family\":\"%s\",\"pid\":%u,\"tid\":%u,\"uid\":%u,\"comm\":",
		event_name(type), family_name(t->family), e->owner.pid, e->owner.tid, e->owner.uid);
	json_write_string(f, e->owner.comm, bounded_strlen(e->owner.comm, SS_COMM_LEN));
	fprintf(f, ",\"netns\":%u,\"cookie\":%llu,\"role\":\"%s\",\"saddr\":\"%s\",\"sport\":%u,\"daddr\":\"%s\",\"dport\":%u",
		e->netns, (unsigned long long)e->cookie, tcp_role_name(e), saddr, t->sport, daddr, t->dport);
	if (type == SS_EV_TCP_CLOSE)
		fprintf(f, ",\"bytes_sent\":%llu,\"bytes_received\":%llu",
			(unsigned long long)e->bytes_sent, (unsigned long long)e->bytes_received);
	if (event_has_duration(type))
		fprintf(f, ",\"duration_ms\":%.3f", e->duration_ns / 1e6);
	if (type == SS_EV_TCP_CONNECT_FAILED)
		fprintf(f, ",\"error\":\"%s\",\"errno\":%d", errno_name(e->error, errbuf), e->error);
	if (e->flags & SS_F_PARTIAL)
		fputs(",\"partial\":true", f);
	fputs("}\n", f);
}

static void json_event(struct sink *s, const struct ss_hdr *rec)
{
	json_tcp(s->out, (const struct ss_tcp_event *)rec);
}

static void json_lost(struct sink *s, uint64_t mono_ns, uint64_t count)
{
	json_ts(s->out, mono_ns);
	fprintf(s->out, ",\"event\":\"lost\",\"count\":%llu}\n", (unsigned long long)count);
}

const struct sink_ops trace_json_ops = {
	.on_event = json_event,
	.on_lost = json_lost,
};
