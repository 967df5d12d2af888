// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "proto_counts.h"

static void add(uint32_t *sum, long long n)
{
	if (n <= 0)
		return;
	*sum = (uint64_t)*sum + (unsigned long long)n > UINT32_MAX ? UINT32_MAX : *sum + (uint32_t)n;
}

static bool named(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(name, *names))
			return true;
	return false;
}

int proto_counts_parse(FILE *f, struct proto_counts *c)
{
	/* UDP-Lite has its own tables, which iter/udp does not walk */
	static const char *const inet[] = { "TCP", "TCPv6", "UDP", "UDPv6", NULL };
	static const char *const unix_names[] = { "UNIX", "UNIX-STREAM", NULL };
	char line[512], name[32];
	long long n;

	memset(c, 0, sizeof(*c));
	if (!fgets(line, sizeof(line), f) || strncmp(line, "protocol", 8))
		return -EINVAL;
	while (fgets(line, sizeof(line), f)) {
		/* "NAME SIZE SOCKETS ..." */
		if (sscanf(line, "%31s %*d %lld", name, &n) != 2)
			continue;
		if (named(name, inet))
			add(&c->inet, n);
		else if (named(name, unix_names))
			add(&c->unix_socks, n);
	}
	return 0;
}

int proto_counts_read(struct proto_counts *c)
{
	FILE *f = fopen("/proc/net/protocols", "re");
	int err;

	memset(c, 0, sizeof(*c));
	if (!f)
		return -errno;
	err = proto_counts_parse(f, c);
	fclose(f);
	return err;
}
