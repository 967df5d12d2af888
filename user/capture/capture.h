/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Capture files (`sockscope record`, `sockscope replay`; docs/capture.md): a header, then the
 * records exactly as `trace`'s sink received them -- kernel events, the flow ends user space
 * made, and lost counts -- so that a replay through the same formatting code prints what
 * `trace` would have printed live, byte for byte.
 */
#ifndef SS_CAPTURE_H
#define SS_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "sink.h"
#include "sockscope.h"

#define CAPTURE_MAGIC "SSCAPTUR"
#define CAPTURE_MAJOR 1 /* a reader refuses a newer major version; minor additions it skips */
#define CAPTURE_MINOR 0

/*
 * The file: CAPTURE_MAGIC (8 bytes), then frames: a struct capture_frame and `size` bytes,
 * whose CRC-32 (zlib's) it holds. The first frame is the header, then one per record, and
 * last an SS_CAP_END record, written when the recorder stops: a capture without it was cut.
 */
struct capture_frame {
	__u32 size;
	__u32 crc;
};

struct capture_header {
	char magic[8];
	__u16 major, minor;
	__u32 header_size;      /* this struct's size when written: a reader skips what it lacks */
	__u64 start_real_ns;    /* CLOCK_REALTIME at start */
	__u64 start_mono_ns;    /* CLOCK_MONOTONIC at the same moment */
	__s64 mono_to_real_ns;  /* what trace adds to a record's ts_ns to print it */
	__u8 abi_version;       /* SS_ABI_VERSION of the records */
	__u8 reserved[7];
	char boot_id[40];       /* /proc/sys/kernel/random/boot_id: monotonic times are per boot */
	char hostname[72];
	char release[72];       /* uname -r */
};

/* Capture-only records: the kernel lost count events at mono ts (hdr.ts_ns); the end. */
#define SS_CAP_LOST 60
#define SS_CAP_END 61

struct ss_cap_lost {
	struct ss_hdr hdr;
	__u64 count;
};

_Static_assert(sizeof(struct capture_header) == 232, "capture_header is a file format");
_Static_assert(sizeof(struct ss_cap_lost) == 24, "ss_cap_lost is a file format");

/* A sink writing a capture: flushed after every batch of records (sink_flush), so a SIGKILL
 * loses at most the last one. */
struct capture_sink {
	struct sink sink; /* .out: the capture file */
	int err;          /* the first failed write's negative errno: nothing is written after it */
	bool said;        /* ...and it was said on stderr */
};

/* Both a sink and a capture (trace --capture): what trace prints and what a replay prints come
 * from the same records. */
struct tee_sink {
	struct sink sink;
	struct sink *first, *second;
};

void tee_sink_init(struct tee_sink *t, struct sink *first, struct sink *second);

/* Create path (0600) and write its header: 0 or negative errno. */
int capture_sink_open(struct capture_sink *c, const char *path);
/* Flush, sync and close: 0 or negative errno (a write failed: said on stderr). */
int capture_sink_close(struct capture_sink *c);

/* Replay a capture into sink: 0, or -EBADMSG/-EPROTO with *offset the first byte that could
 * not be read (truncated, corrupt, or a newer major version: *why says which). */
int capture_replay(FILE *f, struct sink *sink, uint64_t *offset, const char **why,
		   struct capture_header *h);

#endif
