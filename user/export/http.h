/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * `export --listen`: the latest page at /metrics, served by libmicrohttpd (Debian
 * libmicrohttpd-dev) from a thread of its own, so that no client -- slow, idle, or sending a
 * request that never ends -- can hold up tracing or the textfile. Connections are capped and
 * time out; what they get is a copy of the last page published.
 */
#ifndef SS_HTTP_H
#define SS_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

#define HTTP_MAX_CONNECTIONS 32 /* more wait in the kernel's backlog, then are refused */
#define HTTP_TIMEOUT_S 5        /* an idle or unfinished connection is closed after this */

struct http_server;

/* "PORT" (on 127.0.0.1), "ADDR:PORT" or "[ADDR6]:PORT" into *addr: 0 or -EINVAL. */
int http_parse_listen(const char *spec, struct sockaddr_storage *addr, socklen_t *len);

/* "ADDR:PORT" or "[ADDR6]:PORT". */
void http_addr_text(const struct sockaddr_storage *addr, char *buf, size_t len);

/*
 * Bind and listen, before anything else starts, so a port in use fails the command at once
 * (and a port below 1024 binds while the capability is held). NULL, errno set, on error;
 * also when built without HTTP (after saying so, errno ENOTSUP) or when libmicrohttpd, opened
 * here rather than linked, cannot be loaded (after saying why, errno ELIBACC).
 */
struct http_server *http_bind(const struct sockaddr_storage *addr);
/*
 * Serve from a thread of libmicrohttpd's. Started after the capabilities were dropped
 * (privs_drop_after_attach()): a thread keeps the ones it was created with. 0 or -errno.
 */
int http_serve(struct http_server *h);
/* Serve this page from now on (copied). */
void http_publish(struct http_server *h, const char *page, size_t len);
void http_stop(struct http_server *h);

#endif
