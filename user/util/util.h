/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Small helpers every part of the user side needs: clocks, container_of, array sizes. */
#ifndef SS_UTIL_H
#define SS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The structure of type `type` whose member `member` is at ptr. */
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* Nanoseconds on one clock; CLOCK_MONOTONIC is the clock of bpf_ktime_get_ns(). */
static inline int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline uint64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* The first line of a small file (/proc, /sys), without its newline; "" when unreadable. */
void read_first_line(const char *path, char *buf, size_t len);

/*
 * Does path exist? With the effective ids and capabilities, unlike access(), which checks
 * as the real uid with no capabilities: a non-root user holding CAP_DAC_READ_SEARCH sees
 * into root's 0700 tracefs.
 */
bool path_exists(const char *path);

/* Monotonic seconds, for deadlines and intervals. */
static inline double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
