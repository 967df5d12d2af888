// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "http.h"
#include "log.h"

int http_parse_listen(const char *spec, struct sockaddr_storage *addr, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
	char host[INET6_ADDRSTRLEN + 2] = "127.0.0.1";
	const char *colon = strrchr(spec, ':'), *port_text = spec;
	unsigned long port;

	memset(addr, 0, sizeof(*addr));
	if (colon) {
		size_t n = (size_t)(colon - spec);

		if (spec[0] == '[' && n >= 2 && spec[n - 1] == ']') { /* [v6]:port */
			spec++;
			n -= 2;
		}
		if (!n || n >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec, n);
		host[n] = '\0';
		port_text = colon + 1;
	}
	if (parse_uint(port_text, 1, 65535, &port))
		return -EINVAL;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

void http_addr_text(const struct sockaddr_storage *addr, char *buf, size_t len)
{
	const struct sockaddr_in *in4 = (const void *)addr;
	const struct sockaddr_in6 *in6 = (const void *)addr;
	char host[INET6_ADDRSTRLEN] = "?";

	if (addr->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(in4->sin_port));
	}
}

#ifdef SS_NO_HTTP /* the static build (the VM matrix) links no HTTP library */

struct http_server *http_bind(const struct sockaddr_storage *addr)
{
	(void)addr;
	elog("--listen: this build has no HTTP server (built with STATIC=1); use --textfile");
	errno = ENOTSUP;
	return NULL;
}

int http_serve(struct http_server *h)
{
	(void)h;
	return -ENOTSUP;
}

void http_publish(struct http_server *h, const char *page, size_t len)
{
	(void)h, (void)page, (void)len;
}

void http_stop(struct http_server *h)
{
	(void)h;
}

#else
#include <dlfcn.h>
#include <microhttpd.h>

/*
 * libmicrohttpd is opened when `export --listen` binds, not linked: with GnuTLS and the eight
 * libraries it pulls in, dynamic linking cost every command ~6-10 ms at exec on the hosts
 * measured (bench/RESULTS.md), for a server only export uses. The pointers take their types
 * from the header, so a changed prototype fails the build.
 */
#ifndef SS_MHD_SONAME
#define SS_MHD_SONAME "libmicrohttpd.so.12"
#endif
static struct {
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
} mhd;

/* Open the library once; false (with the reason logged) when it is not there. */
static bool mhd_open(void)
{
	static void *lib;
	void *sym[6];
	static const char *const names[6] = {
		"MHD_create_response_from_buffer", "MHD_add_response_header", "MHD_queue_response",
		"MHD_destroy_response", "MHD_start_daemon", "MHD_stop_daemon",
	};

	if (lib)
		return true;
	if (!(lib = dlopen(SS_MHD_SONAME, RTLD_NOW | RTLD_LOCAL))) {
		elog("--listen needs libmicrohttpd (Debian: libmicrohttpd12): %s", dlerror());
		return false;
	}
	for (int i = 0; i < 6; i++) {
		if (!(sym[i] = dlsym(lib, names[i]))) {
			elog("--listen: %s has no %s", SS_MHD_SONAME, names[i]);
			dlclose(lib);
			lib = NULL;
			return false;
		}
	}
	/* POSIX's way from an object pointer to a function pointer: copy the bits */
	memcpy(&mhd.create_response_from_buffer, &sym[0], sizeof(sym[0]));
	memcpy(&mhd.add_response_header, &sym[1], sizeof(sym[1]));
	memcpy(&mhd.queue_response, &sym[2], sizeof(sym[2]));
	memcpy(&mhd.destroy_response, &sym[3], sizeof(sym[3]));
	memcpy(&mhd.start_daemon, &sym[4], sizeof(sym[4]));
	memcpy(&mhd.stop_daemon, &sym[5], sizeof(sym[5]));
	return true;
}

struct http_server {
	int fd; /* the listening socket, the daemon's once it runs */
	bool v6;
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	char *page; /* the last page published */
	size_t len;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body,
			     size_t len, enum MHD_ResponseMemoryMode mode, const char *type)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(len, (void *)body, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO; /* no memory: the connection is closed */
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = mhd.queue_response(c, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **state)
{
	static const char not_found[] = "not found: the metrics are at /metrics\n";
	static const char not_allowed[] = "only GET and HEAD\n";
	struct http_server *h = cls;
	enum MHD_Result ret;

	(void)version, (void)upload_data;
	if (!*state) { /* first call: headers only; answer once the request is complete */
		*state = h;
		return MHD_YES;
	}
	if (*upload_data_size) { /* a body nobody asked for: read and dropped */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed, sizeof(not_allowed) - 1,
			     MHD_RESPMEM_PERSISTENT, "text/plain; charset=utf-8");
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
			     MHD_RESPMEM_PERSISTENT, "text/plain; charset=utf-8");
	pthread_mutex_lock(&h->lock);
	ret = reply(c, MHD_HTTP_OK, h->page ? h->page : "", h->page ? h->len : 0,
		    MHD_RESPMEM_MUST_COPY, "text/plain; version=0.0.4; charset=utf-8");
	pthread_mutex_unlock(&h->lock);
	return ret;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	vlog("http: %s", msg);
}

struct http_server *http_bind(const struct sockaddr_storage *addr)
{
	struct http_server *h = calloc(1, sizeof(*h));
	socklen_t len = addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						    : sizeof(struct sockaddr_in);
	int one = 1, err;

	if (!mhd_open()) {
		free(h);
		errno = ELIBACC; /* said why already */
		return NULL;
	}
	if (!h)
		return NULL;
	h->v6 = addr->ss_family == AF_INET6;
	/* as libmicrohttpd binds its own: address reuse, IPv6 only on an IPv6 address */
	h->fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0 || setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (h->v6 && setsockopt(h->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(h->fd, (const struct sockaddr *)addr, len) || listen(h->fd, SOMAXCONN)) {
		err = errno;
		if (h->fd >= 0)
			close(h->fd);
		free(h);
		errno = err;
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	return h;
}

int http_serve(struct http_server *h)
{
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

	if (h->v6)
		flags |= MHD_USE_IPv6;
	h->daemon = mhd.start_daemon(flags, 0, NULL, NULL, on_request, h,
				     MHD_OPTION_LISTEN_SOCKET, h->fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
				     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				     MHD_OPTION_END);
	return h->daemon ? 0 : -(errno ? errno : EIO);
}

void http_publish(struct http_server *h, const char *page, size_t len)
{
	char *copy = h ? malloc(len ? len : 1) : NULL;

	if (!copy)
		return; /* no memory: the previous page stays */
	memcpy(copy, page, len);
	pthread_mutex_lock(&h->lock);
	free(h->page);
	h->page = copy;
	h->len = len;
	pthread_mutex_unlock(&h->lock);
}

void http_stop(struct http_server *h)
{
	if (!h)
		return;
	if (h->daemon)
		mhd.stop_daemon(h->daemon); /* (closes the socket) */
	else
		close(h->fd);
	pthread_mutex_destroy(&h->lock);
	free(h->page);
	free(h);
}
#endif
