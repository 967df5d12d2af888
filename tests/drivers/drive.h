/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What every test traffic driver (tests/drivers/tcpdrive.c, udpdrive.c, udpcalls.c, unixdrive.c,
 * sockdrive.c) needs: one-line errors, strict numbers, a process name the test chose, IP
 * literals, addresses. Each driver defines DRIVE_NAME and its own
 * usage() before including this; it is one translation unit, so these are static inline.
 */
#ifndef SS_TEST_DRIVE_H
#define SS_TEST_DRIVE_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static void usage(void);

static inline void die(const char *what)
{
	fprintf(stderr, DRIVE_NAME ": %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A whole non-negative decimal, or the usage and exit 2. */
static inline long number(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < 0)
		usage();
	return v;
}

/* Names this process; "hex:4142" names it with arbitrary bytes (escaping tests). */
static inline void set_name(const char *name)
{
	char comm[16] = { 0 };

	if (!strncmp(name, "hex:", 4)) {
		const char *h = name + 4;

		for (size_t i = 0; h[0] && h[1] && i < sizeof(comm) - 1; i++, h += 2)
			sscanf(h, "%2hhx", (unsigned char *)&comm[i]);
	} else {
		memcpy(comm, name, strnlen(name, sizeof(comm) - 1));
	}
	if (prctl(PR_SET_NAME, comm))
		die("prctl");
}

/* An IPv4 or IPv6 literal and a port; anything else exits 2. */
static inline socklen_t parse_addr(const char *addr, long port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (void *)ss;
	struct sockaddr_in6 *in6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return sizeof(*in6);
	}
	fprintf(stderr, DRIVE_NAME ": not an IP address: %s\n", addr);
	exit(2);
}

/* The port a socket is bound to. */
static inline unsigned local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (void *)&ss, &len))
		die("getsockname");
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/*
 * A unix address: a path, or "@name" for an abstract one (exactly those bytes, no NUL), or
 * "hex:..." for any bytes (escaping tests): a first byte 00 makes it abstract, NULs included.
 */
static inline socklen_t unix_addr(const char *path, struct sockaddr_un *sun)
{
	bool hex = !strncmp(path, "hex:", 4);
	size_t n = hex ? (strlen(path) - 4) / 2 : strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n >= sizeof(sun->sun_path))
		usage();
	if (hex)
		for (size_t i = 0; i < n; i++)
			sscanf(path + 4 + 2 * i, "%2hhx", (unsigned char *)&sun->sun_path[i]);
	else
		memcpy(sun->sun_path, path, n);
	if (path[0] == '@')
		sun->sun_path[0] = '\0'; /* abstract: the length says where it ends */
	else if (sun->sun_path[0])
		n++; /* the NUL, as most programs pass it */
	return offsetof(struct sockaddr_un, sun_path) + n;
}

#endif
