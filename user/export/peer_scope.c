// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "peer_scope.h"

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static enum peer_scope v4_scope(const uint8_t a[4])
{
	if (a[0] == 127)
		return PEER_LOOPBACK;
	if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 100 && (a[1] & 0xc0) == 64) || (a[0] == 169 && a[1] == 254) ||
	    (!a[0] && !a[1] && !a[2] && !a[3]))
		return PEER_PRIVATE;
	return PEER_PUBLIC;
}

enum peer_scope peer_scope_of(unsigned family, const uint8_t addr[16])
{
	static const uint8_t zero[16], loop6[16] = { [15] = 1 };

	if (family == AF_INET)
		return v4_scope(addr);
	if (family != AF_INET6)
		return PEER_PUBLIC;
	if (!memcmp(addr, v4_mapped, sizeof(v4_mapped)))
		return v4_scope(addr + 12);
	if (!memcmp(addr, loop6, 16))
		return PEER_LOOPBACK;
	if (!memcmp(addr, zero, 16) || (addr[0] & 0xfe) == 0xfc ||
	    (addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80))
		return PEER_PRIVATE;
	return PEER_PUBLIC;
}

const char *peer_scope_name(enum peer_scope p)
{
	return p == PEER_LOOPBACK ? "loopback" : p == PEER_PRIVATE ? "private" : "public";
}

/* One "ADDR/LEN" into net: 0 or -EINVAL. */
static int parse_net(const char *text, uint8_t addr[16], unsigned *len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long bits;
	bool v4;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	*slash = '\0';
	errno = 0;
	bits = strtoul(slash + 1, &end, 10);
	if (*end || errno || slash[1] == '-')
		return -EINVAL;
	memset(addr, 0, 16);
	v4 = inet_pton(AF_INET, buf, addr + 12) == 1;
	if (v4)
		memcpy(addr, v4_mapped, sizeof(v4_mapped));
	else if (inet_pton(AF_INET6, buf, addr) != 1)
		return -EINVAL;
	if (bits > (v4 ? 32u : 128u))
		return -EINVAL;
	*len = (unsigned)bits + (v4 ? 96 : 0);
	return 0;
}

int peer_nets_parse(const char *list, struct peer_nets *out)
{
	char buf[1024], *save = NULL, *tok;

	memset(out, 0, sizeof(*out));
	if (!strcmp(list, "all")) {
		out->all = true;
		return 0;
	}
	if (!*list || strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (out->n == PEER_NETS_MAX)
			return -E2BIG;
		if (parse_net(tok, out->net[out->n].addr, &out->net[out->n].len))
			return -EINVAL;
		out->n++;
	}
	return out->n ? 0 : -EINVAL;
}

static bool in_net(const uint8_t a[16], const uint8_t net[16], unsigned len)
{
	unsigned bytes = len / 8, bits = len % 8;

	if (memcmp(a, net, bytes))
		return false;
	return !bits || !((a[bytes] ^ net[bytes]) & (0xff << (8 - bits)));
}

bool peer_nets_match(const struct peer_nets *n, unsigned family, const uint8_t addr[16],
		     uint8_t mapped[16])
{
	if (!n || (!n->all && !n->n) || (family != AF_INET && family != AF_INET6))
		return false;
	if (family == AF_INET) {
		memcpy(mapped, v4_mapped, sizeof(v4_mapped));
		memcpy(mapped + 12, addr, 4);
	} else {
		memcpy(mapped, addr, 16);
	}
	if (n->all)
		return true;
	for (unsigned i = 0; i < n->n; i++)
		if (in_net(mapped, n->net[i].addr, n->net[i].len))
			return true;
	return false;
}

void peer_addr_text(const uint8_t mapped[16], char *buf, size_t len)
{
	if (!memcmp(mapped, v4_mapped, sizeof(v4_mapped)))
		inet_ntop(AF_INET, mapped + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, mapped, buf, (socklen_t)len);
}
