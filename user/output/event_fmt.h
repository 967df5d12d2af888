/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Turning ABI records into words and numbers, shared by every output format. */
#ifndef SS_EVENT_FMT_H
#define SS_EVENT_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "sockscope.h"

#define ADDR_STR_LEN 46     /* INET6_ADDRSTRLEN */
#define ENDPOINT_STR_LEN 56 /* "[" addr "]:" port */

const char *event_name(unsigned type);          /* "connect", ...; "unknown" */
const char *family_name(unsigned family);       /* "ipv4" | "ipv6" | "unknown" */
const char *tcp_role_name(const struct ss_tcp_event *e); /* "client" | "server" | "listener" */
bool event_has_duration(unsigned type);
const char *sock_type_name(unsigned type);      /* "stream" | "dgram" | "seqpacket" | "unknown" */
const char *flow_end_reason(__u32 flags);       /* "idle" | "close" | "stop" | "" */

/*
 * The bytes of a unix address worth showing: a filesystem path up to its first NUL, or an
 * abstract name without its leading NUL (*abstract set: print it after an '@', as ss does).
 * False for an unnamed socket (socketpair, never bound). Bytes stay untrusted: escape them.
 */
bool unix_path_view(const __u8 *path, unsigned path_len, const __u8 **p, size_t *n, bool *abstract);
/* The same as text: "/run/x.sock", "@name", "(unnamed)"; escaped with \xNN; NUL-terminated. */
#define UNIX_PATH_TEXT_LEN (4 * SS_UNIX_PATH_LEN + 2)
void fmt_unix_path(char buf[UNIX_PATH_TEXT_LEN], const __u8 *path, unsigned path_len);

/* Address and "addr:port" ("[v6]:port") of one end; an unknown family prints "?". */
void fmt_addr(char buf[ADDR_STR_LEN], unsigned family, const __u8 addr[16]);
void fmt_endpoint(char buf[ENDPOINT_STR_LEN], unsigned family, const __u8 addr[16], unsigned port);

/* "ECONNREFUSED"; an unknown number prints as "E<n>" into buf. */
const char *errno_name(int err, char buf[16]);

/* Kernel timestamps are CLOCK_MONOTONIC; output wants wall-clock time. */
void clock_sync(void);
int64_t mono_to_realtime_ns(uint64_t mono_ns);
/* Use a recorded offset instead (a replay prints the times the live run would have). */
void mono_to_realtime_set(int64_t offset_ns);
void fmt_rfc3339(char buf[32], int64_t realtime_ns);  /* 2026-11-25T01:58:07.123456Z */
const char *rfc3339_second(int64_t realtime_ns);      /* 2026-11-25T01:58:07 (cached) */
void fmt_clock(char buf[16], int64_t realtime_ns);    /* local 01:58:07.123 */

#endif
