// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "escape.h"
#include "event_fmt.h"
#include "util.h"

static const char *const event_names[SS_EV_TYPE_MAX] = {
	[SS_EV_TCP_CONNECT] = "connect",
	[SS_EV_TCP_ACCEPT] = "accept",
	[SS_EV_TCP_CLOSE] = "close",
	[SS_EV_TCP_CONNECT_FAILED] = "connect_failed",
	[SS_EV_TCP_LISTEN] = "listen",
	[SS_EV_TCP_LISTEN_CLOSE] = "listen_close",
	[SS_EV_UDP_FLOW] = "udp_flow",
	[SS_EV_UDP_FLOW_END] = "udp_flow_end",
	[SS_EV_UNIX_CONNECT] = "unix_connect",
	[SS_EV_UNIX_ACCEPT] = "unix_accept",
	[SS_EV_UNIX_FLOW] = "unix_flow",
	[SS_EV_UNIX_FLOW_END] = "unix_flow_end",
};

const char *event_name(unsigned type)
{
	return type < SS_EV_TYPE_MAX && event_names[type] ? event_names[type] : "unknown";
}

const char *family_name(unsigned family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : "unknown";
}

const char *tcp_role_name(const struct ss_tcp_event *e)
{
	if (e->hdr.type == SS_EV_TCP_LISTEN || e->hdr.type == SS_EV_TCP_LISTEN_CLOSE)
		return "listener";
	return e->flags & SS_F_PASSIVE ? "server" : "client";
}

bool event_has_duration(unsigned type)
{
	return type == SS_EV_TCP_CLOSE || type == SS_EV_TCP_CONNECT_FAILED ||
	       type == SS_EV_TCP_LISTEN_CLOSE;
}

const char *sock_type_name(unsigned type)
{
	switch (type) {
	case SOCK_STREAM: return "stream";
	case SOCK_DGRAM: return "dgram";
	case SOCK_SEQPACKET: return "seqpacket";
	default: return "unknown";
	}
}

const char *flow_end_reason(__u32 flags)
{
	if (flags & SS_FF_END_CLOSE)
		return "close";
	if (flags & SS_FF_END_IDLE)
		return "idle";
	if (flags & SS_FF_END_STOP)
		return "stop";
	return "";
}

bool unix_path_view(const __u8 *path, unsigned path_len, const __u8 **p, size_t *n, bool *abstract)
{
	path_len = ss_unix_path_len(path_len);
	*abstract = false;
	if (!path_len)
		return false;
	if (path[0] == '\0') { /* abstract: every byte counts, NULs included */
		*abstract = true;
		*p = path + 1;
		*n = path_len - 1;
		return true;
	}
	*p = path;
	*n = bounded_strlen(path, path_len);
	return true;
}

void fmt_unix_path(char buf[UNIX_PATH_TEXT_LEN], const __u8 *path, unsigned path_len)
{
	const __u8 *p;
	bool abstract;
	size_t n;

	if (!unix_path_view(path, path_len, &p, &n, &abstract)) {
		snprintf(buf, UNIX_PATH_TEXT_LEN, "(unnamed)");
		return;
	}
	buf[0] = '@';
	escape_text(buf + abstract, UNIX_PATH_TEXT_LEN - abstract, p, n);
}

void fmt_addr(char buf[ADDR_STR_LEN], unsigned family, const __u8 addr[16])
{
	if ((family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, addr, buf, ADDR_STR_LEN))
		snprintf(buf, ADDR_STR_LEN, "?");
}

void fmt_endpoint(char buf[ENDPOINT_STR_LEN], unsigned family, const __u8 addr[16], unsigned port)
{
	char a[ADDR_STR_LEN];

	fmt_addr(a, family, addr);
	snprintf(buf, ENDPOINT_STR_LEN, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
}

const char *errno_name(int err, char buf[16])
{
	const char *name = err > 0 ? strerrorname_np(err) : NULL;

	if (name)
		return name;
	snprintf(buf, 16, "E%d", err);
	return buf;
}

static int64_t mono_to_real_offset_ns;

void clock_sync(void)
{
	/* bracket the realtime read with two monotonic reads to halve the error */
	int64_t m1 = clock_ns(CLOCK_MONOTONIC), r = clock_ns(CLOCK_REALTIME);
	int64_t m2 = clock_ns(CLOCK_MONOTONIC);

	mono_to_real_offset_ns = r - (m1 + (m2 - m1) / 2);
}

void mono_to_realtime_set(int64_t offset_ns)
{
	mono_to_real_offset_ns = offset_ns;
}

int64_t mono_to_realtime_ns(uint64_t mono_ns)
{
	/* a capture's header sets the offset and its records the times: any values, so the
	 * sum wraps (unsigned) rather than overflow */
	return (int64_t)(mono_ns + (uint64_t)mono_to_real_offset_ns);
}

/*
 * Breaking a time down (gmtime_r, and localtime_r with its time zone lock) costs more than
 * the rest of an output line: do it once per second and keep the text.
 */
struct second_text {
	time_t sec;
	char text[24];
};

static const char *second_text(struct second_text *cache, time_t sec, bool utc)
{
	struct tm tm;

	if (cache->text[0] && cache->sec == sec)
		return cache->text;
	if (utc)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	if (utc)
		strftime(cache->text, sizeof(cache->text), "%Y-%m-%dT%H:%M:%S", &tm);
	else
		strftime(cache->text, sizeof(cache->text), "%H:%M:%S", &tm);
	cache->sec = sec;
	return cache->text;
}

const char *rfc3339_second(int64_t realtime_ns)
{
	static struct second_text utc;

	return second_text(&utc, realtime_ns / 1000000000, true);
}

void fmt_rfc3339(char buf[32], int64_t realtime_ns)
{
	snprintf(buf, 32, "%.19s.%06dZ", rfc3339_second(realtime_ns),
		 (int)(realtime_ns % 1000000000 / 1000));
}

void fmt_clock(char buf[16], int64_t realtime_ns)
{
	static struct second_text local;

	snprintf(buf, 16, "%.8s.%03d", second_text(&local, realtime_ns / 1000000000, false),
		 (int)(realtime_ns % 1000000000 / 1000000));
}
