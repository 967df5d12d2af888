// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * udpdrive: UDP traffic of known shape from processes named by the test.
 *
 *   udpdrive server NAME ADDR PORT COUNT        bind, print "listening PID PORT", receive COUNT
 *                                               datagrams, print "received PID N BYTES", close
 *   udpdrive client NAME ADDR PORT COUNT SIZE MODE
 *                                               MODE connected: connect() then send();
 *                                               unconnected: sendto() each; prints
 *                                               "client PID SPORT" after COUNT datagrams of SIZE
 *   udpdrive flood  NAME ADDR PORT COUNT SIZE   bind a sink on PORT that never reads, then
 *                                               sendto() it COUNT datagrams (sink overflow is
 *                                               the kernel's business: every send succeeds)
 *   udpdrive phases NAME ADDR PORT SIZE N1 [N2...] bind a sink on PORT that never reads and
 *                                               connect a socket to it; print "phases PID
 *                                               SPORT"; send N1 datagrams of SIZE, print
 *                                               "sent 1"; for each next Ni wait for SIGUSR1,
 *                                               send, print "sent i"; at the next SIGUSR1
 *                                               close, print "closed" and exit
 *   udpdrive fanout NAME ADDR PORT DESTS COUNT SIZE
 *                                               bind sinks that never read on ports PORT+1 to
 *                                               PORT+DESTS and a sender on PORT; send COUNT
 *                                               datagrams of SIZE to each sink, one sink after
 *                                               another; print "fanout PID"
 */
#include <signal.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define DRIVE_NAME "udpdrive"
#include "drive.h"

static void usage(void)
{
	fputs("usage: udpdrive server NAME ADDR PORT COUNT | client NAME ADDR PORT COUNT SIZE "
	      "connected|unconnected | flood NAME ADDR PORT COUNT SIZE |\n"
	      "       phases NAME ADDR PORT SIZE N1 [N2...] | fanout NAME ADDR PORT DESTS COUNT SIZE\n",
	      stderr);
	exit(2);
}

static int bound(const char *addr, long port)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (void *)&ss, len))
		die("bind");
	return fd;
}

static int run_server(const char *addr, long port, long count)
{
	int fd = bound(addr, port);
	char buf[65536];
	long bytes = 0;

	printf("listening %d %u\n", getpid(), local_port(fd));
	fflush(stdout);
	for (long i = 0; i < count; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0)
			die("recv");
		bytes += n;
	}
	close(fd);
	printf("received %d %ld %ld\n", getpid(), count, bytes);
	return 0;
}

static int run_client(const char *addr, long port, long count, long size, const char *mode)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	bool connected = !strcmp(mode, "connected");
	static char buf[65536];

	if (fd < 0)
		die("socket");
	if (size > (long)sizeof(buf) || (!connected && strcmp(mode, "unconnected")))
		usage();
	memset(buf, 'u', sizeof(buf));
	if (connected && connect(fd, (void *)&ss, len))
		die("connect");
	for (long i = 0; i < count; i++) {
		ssize_t n = connected ? send(fd, buf, size, 0) : sendto(fd, buf, size, 0, (void *)&ss, len);

		if (n != size)
			die("send");
	}
	printf("client %d %u\n", getpid(), local_port(fd));
	close(fd);
	return 0;
}

static int run_flood(const char *addr, long port, long count, long size)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);
	int sink = bound(addr, port), fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	char buf[1500];

	if (fd < 0 || size > (long)sizeof(buf))
		die("socket");
	memset(buf, 'f', sizeof(buf));
	for (long i = 0; i < count; i++)
		if (sendto(fd, buf, size, 0, (void *)&ss, len) != size)
			die("sendto");
	printf("flood %d %u\n", getpid(), local_port(fd));
	close(fd);
	close(sink);
	return 0;
}

static void send_n(int fd, long count, long size)
{
	static char buf[65536];

	if (size > (long)sizeof(buf))
		usage();
	memset(buf, 'p', sizeof(buf));
	for (long i = 0; i < count; i++)
		if (send(fd, buf, size, 0) != size)
			die("send");
}

/* Phases of a flow the test spaces out (idle gaps), one per SIGUSR1. */
static int run_phases(const char *addr, long port, long size, int n, char **counts)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);
	int sink = bound(addr, port), fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	sigset_t usr1;
	int sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	/* blocked, so a signal sent before sigwait() is pending, not lost */
	if (fd < 0 || sigprocmask(SIG_BLOCK, &usr1, NULL) || connect(fd, (void *)&ss, len))
		die("socket");
	printf("phases %d %u\n", getpid(), local_port(fd));
	for (int i = 0; i < n; i++) {
		if (i > 0 && sigwait(&usr1, &sig))
			die("sigwait");
		send_n(fd, number(counts[i]), size);
		printf("sent %d\n", i + 1);
		fflush(stdout);
	}
	if (sigwait(&usr1, &sig))
		die("sigwait");
	close(fd);
	close(sink);
	printf("closed\n");
	return 0;
}

/* One socket, DESTS destinations: a flow each, made one after another. */
static int run_fanout(const char *addr, long port, long dests, long count, long size)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = bound(addr, port);

	for (long d = 1; d <= dests; d++) {
		bound(addr, port + d); /* a sink: no ICMP error, never read */
		len = parse_addr(addr, port + d, &ss);
		if (connect(fd, (void *)&ss, len))
			die("connect");
		send_n(fd, count, size);
	}
	printf("fanout %d\n", getpid());
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "";
	char comm[16] = { 0 };

	if (argc > 2) {
		strncpy(comm, argv[2], sizeof(comm) - 1);
		if (prctl(PR_SET_NAME, comm))
			die("prctl");
	}
	if (!strcmp(mode, "server") && argc == 6)
		return run_server(argv[3], number(argv[4]), number(argv[5]));
	if (!strcmp(mode, "client") && argc == 8)
		return run_client(argv[3], number(argv[4]), number(argv[5]), number(argv[6]), argv[7]);
	if (!strcmp(mode, "flood") && argc == 7)
		return run_flood(argv[3], number(argv[4]), number(argv[5]), number(argv[6]));
	if (!strcmp(mode, "phases") && argc >= 7)
		return run_phases(argv[3], number(argv[4]), number(argv[5]), argc - 6, argv + 6);
	if (!strcmp(mode, "fanout") && argc == 8)
		return run_fanout(argv[3], number(argv[4]), number(argv[5]), number(argv[6]),
				  number(argv[7]));
	usage();
}
