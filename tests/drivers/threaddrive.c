// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * threaddrive: TCP and UDP from threads of one process, each thread named by the test, so
 * that assertions can tell the process (pid: the thread group id) from the thread (tid).
 *
 *   threaddrive server NAME ADDR PORT N   thread NAME-l listens on TCP PORT; N threads NAME-0..
 *                                         each accept one connection, read it to EOF, send as
 *                                         many bytes back and close; thread NAME-u receives N
 *                                         datagrams on UDP PORT (bound by the main thread).
 *                                         Prints "server PID LISTEN_TID" once listening, starts
 *                                         the other threads on SIGUSR1, prints "accepting
 *                                         UDP_TID" once they all run, then "served TID
 *                                         PEERPORT BYTES" per connection and "udp TID N BYTES"
 *   threaddrive client NAME ADDR PORT N   N threads NAME-0.. each connect to TCP PORT, send
 *                                         (i+1)*1000 bytes, shut down writing, read to EOF,
 *                                         close: "conn TID LOCALPORT SENT RECEIVED"; thread
 *                                         NAME-u sends N datagrams of 111 bytes on a connected
 *                                         UDP socket: "udp TID LOCALPORT"; then "client PID"
 *
 * NAME: at most 12 bytes (a thread's name is NAME-x, 15 bytes at most).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define DRIVE_NAME "threaddrive"
#include "drive.h"

#define MAX_THREADS 16
#define DGRAM_SIZE 111

static void usage(void)
{
	fputs("usage: threaddrive server|client NAME ADDR PORT N   (N: 1-16)\n", stderr);
	exit(2);
}

static const char *base_name, *addr;
static long port, nthreads;
static int listen_fd, udp_fd;
static pthread_barrier_t started;

struct worker {
	pthread_t thread;
	long index; /* -1: the UDP thread */
	pid_t tid;
};

/* This thread's name: NAME-SUFFIX (the comm every record of its sockets carries). */
static void name_thread(const char *suffix)
{
	char name[32];

	snprintf(name, sizeof(name), "%s-%s", base_name, suffix);
	set_name(name);
}

static void name_worker(const struct worker *w)
{
	char suffix[24];

	if (w->index < 0)
		snprintf(suffix, sizeof(suffix), "u");
	else
		snprintf(suffix, sizeof(suffix), "%ld", w->index);
	name_thread(suffix);
}

static long read_to_eof(int fd)
{
	char buf[65536];
	long total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0)
		die("read");
	return total;
}

static void write_bytes(int fd, long count)
{
	static char buf[65536];

	while (count > 0) {
		ssize_t n = write(fd, buf, count < (long)sizeof(buf) ? count : (long)sizeof(buf));

		if (n <= 0)
			die("write");
		count -= n;
	}
}

static unsigned peer_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (void *)&ss, &len))
		die("getpeername");
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int inet_socket(int type, bool do_bind)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);
	int one = 1, fd = socket(ss.ss_family, type, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (do_bind && bind(fd, (void *)&ss, len))
		die("bind");
	return fd;
}

static void *listener_thread(void *arg)
{
	struct worker *w = arg;

	name_thread("l");
	w->tid = gettid();
	listen_fd = inet_socket(SOCK_STREAM, true);
	if (listen(listen_fd, 64))
		die("listen");
	return NULL;
}

static void *server_thread(void *arg)
{
	struct worker *w = arg;
	long n;
	int fd;

	name_worker(w);
	w->tid = gettid();
	pthread_barrier_wait(&started);
	if (w->index < 0) {
		char buf[65536];
		long bytes = 0;

		for (long i = 0; i < nthreads; i++) {
			ssize_t got = recv(udp_fd, buf, sizeof(buf), 0);

			if (got < 0)
				die("recv");
			bytes += got;
		}
		printf("udp %d %ld %ld\n", w->tid, nthreads, bytes);
		fflush(stdout);
		return NULL;
	}
	fd = accept(listen_fd, NULL, NULL);
	if (fd < 0)
		die("accept");
	n = read_to_eof(fd);
	write_bytes(fd, n);
	printf("served %d %u %ld\n", w->tid, peer_port(fd), n);
	fflush(stdout);
	close(fd);
	return NULL;
}

static void *client_thread(void *arg)
{
	struct worker *w = arg;
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);
	long sent = (w->index + 1) * 1000, got;
	static char buf[DGRAM_SIZE];
	int fd;

	name_worker(w);
	w->tid = gettid();
	pthread_barrier_wait(&started);
	fd = inet_socket(w->index < 0 ? SOCK_DGRAM : SOCK_STREAM, false);
	if (connect(fd, (void *)&ss, len))
		die("connect");
	if (w->index < 0) {
		for (long i = 0; i < nthreads; i++)
			if (send(fd, buf, sizeof(buf), 0) != sizeof(buf))
				die("send");
		printf("udp %d %u\n", w->tid, local_port(fd));
	} else {
		write_bytes(fd, sent);
		shutdown(fd, SHUT_WR);
		got = read_to_eof(fd);
		printf("conn %d %u %ld %ld\n", w->tid, local_port(fd), sent, got);
	}
	fflush(stdout);
	close(fd);
	return NULL;
}

/* N workers and the UDP one, all started before any goes on (the barrier). */
static void run_workers(struct worker *w, void *(*fn)(void *))
{
	if (pthread_barrier_init(&started, NULL, nthreads + 2))
		die("pthread_barrier_init");
	for (long i = 0; i <= nthreads; i++) {
		w[i].index = i < nthreads ? i : -1;
		errno = pthread_create(&w[i].thread, NULL, fn, &w[i]);
		if (errno)
			die("pthread_create");
	}
}

static void join_workers(struct worker *w)
{
	for (long i = 0; i <= nthreads; i++)
		pthread_join(w[i].thread, NULL);
}

/*
 * The threads block in accept() only after SIGUSR1, so that the test can start a tracer first:
 * a program attached to (or detached from) fexit/inet_csk_accept while a thread waits in it
 * makes the kernel skip every fexit program for that call (docs/backends.md).
 */
static int run_server(void)
{
	struct worker w[MAX_THREADS + 1], l = { .index = 0 };
	sigset_t usr1;
	int sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	errno = pthread_create(&l.thread, NULL, listener_thread, &l);
	if (errno || pthread_join(l.thread, NULL))
		die("pthread_create");
	udp_fd = inet_socket(SOCK_DGRAM, true);
	printf("server %d %d\n", getpid(), l.tid);
	fflush(stdout);
	if (sigwait(&usr1, &sig))
		die("sigwait");
	run_workers(w, server_thread);
	pthread_barrier_wait(&started);
	printf("accepting %d\n", w[nthreads].tid);
	fflush(stdout);
	join_workers(w);
	close(listen_fd);
	close(udp_fd);
	return 0;
}

static int run_client(void)
{
	struct worker w[MAX_THREADS + 1];

	run_workers(w, client_thread);
	pthread_barrier_wait(&started);
	join_workers(w);
	printf("client %d\n", getpid());
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 6 || strlen(argv[2]) > 12)
		usage();
	signal(SIGPIPE, SIG_IGN);
	base_name = argv[2];
	set_name(base_name);
	addr = argv[3];
	port = number(argv[4]);
	nthreads = number(argv[5]);
	if (nthreads < 1 || nthreads > MAX_THREADS)
		usage();
	if (!strcmp(argv[1], "server"))
		return run_server();
	if (!strcmp(argv[1], "client"))
		return run_client();
	usage();
}
