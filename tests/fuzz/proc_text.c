// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The small readers of /proc text: a /proc/PID/fd link ("socket:[INODE]"), a mountinfo line
 * (the cgroup v2 mount, octal escapes), /proc/net/protocols, /proc/PID/task/TID/syscall, and
 * read_first_line() (boot_id, sysctls). Input: a selector byte, then the text.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "accept_waiters.h"
#include "fuzz.h"
#include "kernel_mounts.h"
#include "proc_owners.h"
#include "proto_counts.h"
#include "util.h"

/* the text as a file (read_first_line() takes a path) */
static void first_line(const uint8_t *data, size_t size, size_t len)
{
	int fd = memfd_create("fuzz-line", MFD_CLOEXEC);
	char path[64], *line = malloc(len);

	if (fd >= 0 && line && write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		read_first_line(path, line, len);
		FUZZ_CHECK(strlen(line) < len && !strchr(line, '\n'), "read_first_line: %s", line);
	}
	free(line);
	if (fd >= 0)
		close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t sel = fuzz_u8(&in);
	char *text = malloc(in.n + 1); /* the line parsers read C strings */
	struct proto_counts pc;
	char mnt[256];
	uint64_t inode;
	FILE *f;

	if (!text)
		return 0;
	memcpy(text, in.p, in.n);
	text[in.n] = '\0';
	switch (sel % 5) {
	case 0:
		proc_fd_socket_inode(text, &inode);
		break;
	case 1:
		/* the buffer as long as cgroup2_ensure()'s, and one a byte long */
		if (!mountinfo_cgroup2(text, mnt, sizeof(mnt)))
			FUZZ_CHECK(strlen(mnt) < sizeof(mnt), "mount point overflow");
		if (!mountinfo_cgroup2(text, mnt, 1))
			FUZZ_CHECK(!mnt[0], "a mount point in a 1-byte buffer");
		break;
	case 2:
		f = in.n ? fmemopen((void *)in.p, in.n, "r") : NULL;
		if (f) {
			proto_counts_parse(f, &pc);
			fclose(f);
		}
		break;
	case 3:
		syscall_line_is_accept(text);
		break;
	case 4:
		first_line(in.p, in.n, 1 + sel / 5 % 64);
		break;
	}
	free(text);
	return 0;
}
