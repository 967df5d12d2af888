// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <string.h>
#include <sys/socket.h>
#include "peer_scope.h"

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
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[16], loop6[16] = { [15] = 1 };

	if (family == AF_INET)
		return v4_scope(addr);
	if (family != AF_INET6)
		return PEER_PUBLIC;
	if (!memcmp(addr, mapped, sizeof(mapped)))
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
