// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* `trace` for people: one aligned line per event; untrusted names are \xNN-escaped. */
#include <string.h>
#include "escape.h"
#include "event_fmt.h"
#include "sink.h"

#define ENDPOINT_COL 24

static void text_begin(struct sink *s)
{
	fprintf(s->out, "%-12s %-7s %-16s %-5s %-14s %-*s %-*s %s\n", "TIME", "PID", "COMM", "PROTO",
		"EVENT", ENDPOINT_COL, "LOCAL", ENDPOINT_COL, "REMOTE", "DETAILS");
}

/* "sent=100 recv=37 dur=0.209ms": only the fields this event type has. */
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
	if ((e->flags & SS_F_PARTIAL) && n < len)
		snprintf(buf + n, len - n, " partial");
}

static void text_event(struct sink *s, const struct ss_hdr *rec)
{
	const struct ss_tcp_event *e = (const void *)rec;
	const struct ss_inet_tuple *t = &e->tuple;
	char when[16], comm[4 * SS_COMM_LEN + 1], pid[12], local[ENDPOINT_STR_LEN];
	char remote[ENDPOINT_STR_LEN], details[128], line[512];
	size_t n;

	fmt_clock(when, mono_to_realtime_ns(rec->ts_ns));
	escape_text(comm, sizeof(comm), e->owner.comm, bounded_strlen(e->owner.comm, SS_COMM_LEN));
	/* pid 0: a connection that closed before any process accepted it */
	snprintf(pid, sizeof(pid), e->owner.pid ? "%u" : "-", e->owner.pid);
	fmt_endpoint(local, t->family, t->saddr, t->sport);
	fmt_endpoint(remote, t->family, t->daddr, t->dport);
	text_details(details, sizeof(details), e);
	snprintf(line, sizeof(line), "%-12s %-7s %-16s %-5s %-14s %-*s %-*s%s", when, pid,
		 e->owner.pid ? comm : "-", "tcp", event_name(rec->type), ENDPOINT_COL, local,
		 ENDPOINT_COL, remote, details);
	/* padding of the last column would leave trailing blanks */
	for (n = strlen(line); n && line[n - 1] == ' '; n--)
		line[n - 1] = '\0';
	fprintf(s->out, "%s\n", line);
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
