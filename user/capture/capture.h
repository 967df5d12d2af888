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

struct capture_table;
struct unix_sweep;

#define CAPTURE_MAGIC "SSCAPTUR"
#define CAPTURE_MAJOR 2 /* a reader refuses a newer major version; minor additions it skips */
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

/*
 * Capture-only records: the kernel lost count events at mono ts (hdr.ts_ns); the end; the
 * table a replay --at starts from (an SS_CAP_SNAPSHOT, then its sockets as SS_CAP_SOCK).
 */
#define SS_CAP_LOST 60
#define SS_CAP_END 61
#define SS_CAP_SNAPSHOT 62
#define SS_CAP_SOCK 63
#define SS_CAP_UNIX_GONE 64

/* The recorder's unix sweep found this unix socket of netns closed (at hdr.ts_ns, within the
 * sweep's period after the close): no kernel event tells of it. */
struct ss_cap_unix_gone {
	struct ss_hdr hdr;
	__u64 inode;
	__u32 netns;
	__u32 reserved;
};

struct ss_cap_lost {
	struct ss_hdr hdr;
	__u64 count;
};

/* The live table of namespace netns as it was at hdr.ts_ns: `socks` SS_CAP_SOCK records follow
 * (an SS_CAP_SOCK of a socket with many owners may come more than once, owners appended). */
struct ss_cap_snapshot {
	struct ss_hdr hdr;
	__u32 netns;
	__u32 reserved;
	__u64 socks;
};

struct ss_cap_owner {
	__u32 pid, uid;
	__u8 comm[SS_COMM_LEN];
	__u64 cgroup; /* cgroup v2 id: its name is in an SS_CAP_CGROUP record before */
};

/*
 * The name a cgroup id had when it was recorded, written before the first record that carries
 * the id (flight: all of them after the header), so that a replay on another host, or after the
 * cgroup is gone, prints the names trace printed. path_len bytes of path follow, no NUL.
 */
#define SS_CAP_CGROUP 65

struct ss_cap_cgroup {
	struct ss_hdr hdr;
	__u64 id;
	__u16 path_len;
	__u8 reserved[6];
	__u8 path[];
};

#define SS_CAP_SOCK_OWNERS 32 /* owners one record holds at most */

/* One entry of the live table (user/table/assoc_table.h, struct half_assoc), exactly. */
struct ss_cap_sock {
	struct ss_hdr hdr;      /* size: sizeof(struct ss_cap_sock) + n_owners owners */
	__u64 cookie, inode, peer_inode;
	__u8 laddr[16], raddr[16]; /* the family's own form (AF_INET: the first 4 bytes) */
	__u32 netns;
	__u16 lport, rport;
	__u8 proto, family, type, state;
	__u8 passive, n_owners;
	__u16 name_len;         /* unix name bytes in name (abstract: leading NUL) */
	__u8 name[SS_UNIX_PATH_LEN];
	__u32 reserved;
	struct ss_cap_owner owners[]; /* in the table's order */
};

_Static_assert(sizeof(struct capture_header) == 232, "capture_header is a file format");
_Static_assert(sizeof(struct ss_cap_lost) == 24, "ss_cap_lost is a file format");
_Static_assert(sizeof(struct ss_cap_snapshot) == 32, "ss_cap_snapshot is a file format");
_Static_assert(sizeof(struct ss_cap_unix_gone) == 32, "ss_cap_unix_gone is a file format");
_Static_assert(sizeof(struct ss_cap_owner) == 32, "ss_cap_owner is a file format");
_Static_assert(sizeof(struct ss_cap_cgroup) == 32, "ss_cap_cgroup is a file format");
_Static_assert(sizeof(struct ss_cap_sock) == 200, "ss_cap_sock is a file format");

/* One capture file being written: flushed at least every second, so a SIGKILL loses at most
 * one; with max_bytes, a frame that would take the file (and its end record) past it is not
 * written and `full` says recording must stop. */
struct capture_out {
	FILE *f;
	uint64_t bytes, max_bytes;
	bool full;
	int err;          /* the first failed write's negative errno: nothing is written after it,
			   * so the file ends where the disk did */
	bool said;        /* ...and it was said on stderr, once */
};

/* The flight recorder's window: the records of the last window_ns, at most max_bytes of them,
 * in chunks; the records that leave it are applied to `base`, the table at the window's start. */
struct flight_chunk;
struct flight {
	struct flight_chunk *first, *last;
	uint64_t bytes, max_bytes, window_ns;
	struct capture_table *base;
	uint64_t start_ns;  /* the moment base is of: the latest record that left the window */
	uint64_t dropped;   /* records that left early, for max_bytes */
};

struct capture_opts {
	uint64_t max_bytes; /* the file's limit; with flight_ns, the window's (default below) */
	uint64_t flight_ns; /* 0: record to the file; else keep this much, write on demand */
	unsigned protos;    /* PROTO_*: what the snapshot and the unix sweep cover */
};

#define FLIGHT_DEFAULT_BYTES (64ull << 20)

/* A sink writing a capture, and the live table it keeps beside it (closed unix sockets are only
 * found by listing them: the sweep writes their closes as SS_CAP_UNIX_GONE). */
struct capture_sink {
	struct sink sink;   /* .out: the capture file (flight: NULL until a dump) */
	const char *path;
	struct capture_header h;
	struct capture_out out;
	struct capture_table *table;
	struct unix_sweep *sweep;
	bool sweep_unix;
	bool flight_mode;
	struct flight fl;
	uint64_t swept;     /* unix closes the sweep found */
	void *cgroups;      /* tsearch(3) set of the cgroup ids whose names were written */
};

/* Both a sink and a capture (trace --capture): what trace prints and what a replay prints come
 * from the same records. Only the records trace prints reach the first. */
struct tee_sink {
	struct sink sink;
	struct sink *first, *second;
};

void tee_sink_init(struct tee_sink *t, struct sink *first, struct sink *second);

/* Is this record one trace prints (not one kept for the table: releases, process exits)? */
bool capture_record_printed(unsigned type);

/* Create path (0600) and write its header (flight: only create it): 0 or negative errno. */
int capture_sink_open(struct capture_sink *c, const char *path, const struct capture_opts *o);
/* The start-up snapshot into the capture (flight: into the window's start); then the table
 * follows the records. A snapshot that cannot be taken is said and left out. */
void capture_sink_snapshot(struct capture_sink *c);
/* Once per poll: the unix sweep, the window's end. */
void capture_sink_tick(struct capture_sink *c, uint64_t now_ns);
/* Flight: write the window to path now (a new file renamed over it): 0 or negative errno. */
int capture_sink_dump(struct capture_sink *c);
/* Flush, sync and close (flight: dump): 0 or negative errno (a write failed). */
int capture_sink_close(struct capture_sink *c);

/* Called with every record of a capture, the end record included; validated. */
typedef void (*capture_record_fn)(void *ctx, const struct ss_hdr *rec);

/* Read a capture: 0, or -EBADMSG/-EPROTO with *offset the first byte that could not be read
 * (truncated, corrupt, or a newer major version: *why says which). */
int capture_read(FILE *f, capture_record_fn fn, void *ctx, uint64_t *offset, const char **why,
		 struct capture_header *h);

/* Replay a capture's printed records into sink: as capture_read(). */
int capture_replay(FILE *f, struct sink *sink, uint64_t *offset, const char **why,
		   struct capture_header *h);

#endif
