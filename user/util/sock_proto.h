/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The protocols sockscope follows, and the one encoding of a set of them: bit 1 << enum
 * sock_proto. --proto, the hooks each protocol needs, the tracer's config, the commands'
 * filters and the table's owner drops all use it, so no mask is ever converted.
 */
#ifndef SS_SOCK_PROTO_H
#define SS_SOCK_PROTO_H

enum sock_proto { SOCK_PROTO_TCP = 1, SOCK_PROTO_UDP = 2, SOCK_PROTO_UNIX = 3 };

#define PROTO_BIT(p) (1u << (p)) /* p: enum sock_proto */
#define PROTO_TCP PROTO_BIT(SOCK_PROTO_TCP)
#define PROTO_UDP PROTO_BIT(SOCK_PROTO_UDP)
#define PROTO_UNIX PROTO_BIT(SOCK_PROTO_UNIX)
#define PROTO_ALL (PROTO_TCP | PROTO_UDP | PROTO_UNIX)

#endif /* SS_SOCK_PROTO_H */
