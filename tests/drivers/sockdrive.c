// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sockdrive: sockets of a known shape held open by processes with names the test chose, for
 * the ports/assoc tests. Every mode prints "ready PID [PID2]" once its sockets exist, then
 * holds them until SIGTERM (children too).
 *
 *   sockdrive tcp-listen NAME ADDR PORT [fork]   listen; with fork, two processes share it
 *   sockdrive reuseport  NAME ADDR PORT          two processes, one SO_REUSEPORT listener each
 *   sockdrive udp-bind   NAME ADDR PORT          a bound, unconnected UDP socket
 *   sockdrive unix-listen NAME PATH              a listening unix stream socket (@name: abstract)
 *   sockdrive unix-dgram NAME PATH               a bound unix datagram socket
 *   sockdrive unix-pair  NAME1 NAME2             socketpair(), one end in each of two processes
 *   sockdrive unix-conn  NAME1 NAME2 PATH        NAME1 listens on PATH and accepts the
 *                                                connection NAME2 makes (keeps listening)
 *   sockdrive tcp-pair   NAME1 NAME2 ADDR PORT [TO]  NAME1 listens on ADDR, accepts the
 *                                                connection NAME2 makes (to TO, default ADDR)
 *                                                and keeps listening
 *   sockdrive tcp-accept NAME ADDR PORT          listen; once the listener is ready accept one
 *                                                connection, print "accepted PEERPORT" and hold
 *                                                both (the client may be in another namespace)
 *   sockdrive tcp-connect NAME ADDR PORT         connect to ADDR PORT and hold the connection;
 *                                                prints "ready PID LOCALPORT"
 *   sockdrive tcp-pair-shared NAME1 NAME2 NAME3 ADDR PORT  tcp-pair, and a child NAME3 of
 *                                                NAME1 holds the accepted socket too; prints
 *                                                "ready PID1 PID2 PID3"
 *   sockdrive tcp-pair-crowd NAME1 NAME2 ADDR PORT N  tcp-pair, but N processes named
 *                                                NAME1 hold the listener and the accepted
 *                                                socket, N named NAME2 the connecting one
 *   sockdrive churn NAME ADDR PORT COUNT KEEP USEC
 *       COUNT loopback connections one after another, USEC apart, each kept open until KEEP
 *       newer ones exist; prints "done N" (N made) after the last, closes the listener,
 *       then holds the KEEP left open. COUNT 0: until SIGUSR1
 *   sockdrive udp-churn NAME ADDR PORT COUNT KEEP USEC
 *       the same with UDP: a sink bound on PORT receives one datagram from each new socket
 *       connected to it (a flow at both ends); the sink is closed after the last
 *   sockdrive unix-churn NAME PATH COUNT KEEP USEC
 *       the same with unix stream connections to a listener on PATH (@name: abstract)
 *   sockdrive many NAME ADDR PORT NTCP NUNIX
 *       NTCP established loopback TCP connections and NUNIX unix socket pairs, all held by
 *       this one process (the benchmark's population)
 *   sockdrive listen-many NAME ADDR PORT N
 *       N listening TCP sockets on ports PORT to PORT+N-1, held by this one process
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define DRIVE_NAME "sockdrive"
#include "drive.h"

static void usage(void)
{
	fputs("usage: sockdrive tcp-listen|reuseport|udp-bind NAME ADDR PORT [fork] |\n"
	      "       unix-listen|unix-dgram NAME PATH | unix-pair NAME1 NAME2 |\n"
	      "       tcp-pair NAME1 NAME2 ADDR PORT | tcp-pair-shared NAME1 NAME2 NAME3 ADDR PORT |\n"
	      "       unix-conn NAME1 NAME2 PATH | tcp-pair-crowd NAME1 NAME2 ADDR PORT N |\n"
	      "       tcp-accept|tcp-connect NAME ADDR PORT | unix-accept|unix-connect NAME PATH |\n"
	      "       churn|udp-churn NAME ADDR PORT COUNT KEEP USEC | unix-churn NAME PATH COUNT KEEP USEC |\n"
	      "       many NAME ADDR PORT NTCP NUNIX |\n"
	      "       listen-many NAME ADDR PORT N\n", stderr);
	exit(2);
}

static int inet_socket(int type, const char *addr, long port, bool reuseport, bool do_bind)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);
	int one = 1, fd = socket(ss.ss_family, type, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		die("SO_REUSEPORT");
	if (do_bind && bind(fd, (void *)&ss, len))
		die("bind");
	return fd;
}

static int unix_socket(int type, const char *path)
{
	struct sockaddr_un sun;
	socklen_t len = unix_addr(path, &sun);
	int fd = socket(AF_UNIX, type, 0);

	if (fd < 0)
		die("socket");
	if (sun.sun_path[0])
		unlink(sun.sun_path);
	if (bind(fd, (void *)&sun, len))
		die("bind");
	return fd;
}

static pid_t child;

static void on_term(int sig)
{
	(void)sig;
	if (child > 0)
		kill(child, SIGTERM);
	_exit(0);
}

static void hold(void)
{
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	for (;;)
		pause();
}

/* fork; the child gets name (or keeps its parent's with NULL) and holds what it inherited */
static pid_t fork_holder(const char *name)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (name)
			set_name(name);
		child = 0;
		hold();
	}
	child = pid;
	return pid;
}

/* Two ends of one connection: this process keeps sv[0], a child named name keeps sv[1]. */
static pid_t fork_holder_keep(const char *name, int sv[2])
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		set_name(name);
		close(sv[0]);
		child = 0;
		hold();
	}
	close(sv[1]);
	child = pid;
	return pid;
}

/*
 * A loopback connection to a listener that stays open (as a server's does): sv[0] accepted,
 * sv[1] connecting. Returns the listener.
 */
static int tcp_pair(const char *addr, long port, const char *to, int sv[2])
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(to, port, &ss);
	int lfd = inet_socket(SOCK_STREAM, addr, port, false, true);

	if (listen(lfd, 4))
		die("listen");
	sv[1] = socket(ss.ss_family, SOCK_STREAM, 0);
	if (sv[1] < 0 || connect(sv[1], (void *)&ss, len))
		die("connect");
	if ((sv[0] = accept(lfd, NULL, NULL)) < 0)
		die("accept");
	return lfd;
}

static void ready(pid_t a, pid_t b);

/* n - 1 more processes (children, with this one's name) that hold what this one holds */
static void fork_crowd(long n)
{
	for (long i = 1; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			child = 0;
			hold();
		}
	}
}

/* tcp-pair-crowd: each end of one loopback connection held by n processes of one name */
static void tcp_pair_crowd(const char *name2, const char *addr, long port, long n)
{
	int sv[2], done[2], lfd = tcp_pair(addr, port, addr, sv);
	pid_t pid;
	char c;

	if (pipe(done))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		set_name(name2);
		close(sv[0]);
		close(lfd);
		fork_crowd(n); /* before saying so: "ready" means every holder exists */
		if (write(done[1], "r", 1) != 1)
			die("write");
		child = 0;
		hold();
	}
	close(sv[1]);
	child = pid;
	fork_crowd(n);
	if (read(done[0], &c, 1) != 1)
		die("read");
	ready(getpid(), pid);
}

/* The peer's port of a connected socket. */
static unsigned peer_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (void *)&ss, &len))
		die("getpeername");
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void ready(pid_t a, pid_t b)
{
	if (b)
		printf("ready %d %d\n", a, b);
	else
		printf("ready %d\n", a);
	fflush(stdout);
}

static volatile sig_atomic_t churn_stop;

static void on_usr1(int sig)
{
	(void)sig;
	churn_stop = 1;
}

enum churn_kind { CHURN_TCP, CHURN_UDP, CHURN_UNIX };

/* One more connection to the listener (TCP, unix) or sink (UDP) lfd at sa: both ends */
static void churn_open(enum churn_kind kind, int lfd, const struct sockaddr *sa, socklen_t len,
		       int *cfd, int *sfd)
{
	char byte = 'x';
	int c = socket(sa->sa_family, kind == CHURN_UDP ? SOCK_DGRAM : SOCK_STREAM, 0);

	if (c < 0 || connect(c, sa, len))
		die("connect");
	*cfd = c;
	if (kind != CHURN_UDP) {
		if ((*sfd = accept(lfd, NULL, NULL)) < 0)
			die("accept");
		return;
	}
	*sfd = -1; /* the sink is the other end of every UDP connection */
	if (send(c, &byte, 1, 0) != 1 || recv(lfd, &byte, 1, 0) != 1)
		die("udp send/recv");
}

static void churn_close(int cfd, int sfd)
{
	close(cfd);
	if (sfd >= 0)
		close(sfd);
}

static void churn(enum churn_kind kind, const char *addr, long port, long count, long keep,
		  long usec)
{
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	const struct sockaddr *sa = kind == CHURN_UNIX ? (void *)&sun : (void *)&ss;
	socklen_t len = kind == CHURN_UNIX ? unix_addr(addr, &sun) : parse_addr(addr, port, &ss);
	int lfd = kind == CHURN_UNIX ? unix_socket(SOCK_STREAM, addr)
		  : inet_socket(kind == CHURN_UDP ? SOCK_DGRAM : SOCK_STREAM, addr, port, false, true);
	int *cfds = calloc(keep + 1, sizeof(int)), *sfds = calloc(keep + 1, sizeof(int));

	if (!cfds || !sfds || (kind != CHURN_UDP && listen(lfd, 128)))
		die("listen");
	signal(SIGUSR1, on_usr1);
	ready(getpid(), 0);
	for (long i = 0; count ? i < count : !churn_stop; i++) {
		long slot = i % (keep + 1);

		if (i > keep)
			churn_close(cfds[slot], sfds[slot]);
		churn_open(kind, lfd, sa, len, &cfds[slot], &sfds[slot]);
		usleep(usec);
		if (!count && churn_stop)
			count = i + 1; /* what was done: the clean-up below keeps the newest KEEP */
	}
	/* keep exactly KEEP: the newest */
	if (count > keep)
		churn_close(cfds[count % (keep + 1)], sfds[count % (keep + 1)]);
	close(lfd);
	printf("done %ld\n", count);
	fflush(stdout);
	hold();
}

/* Room for n descriptors: the soft limit up to the hard one; more need more processes. */
static void need_fds(long n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || (rl.rlim_cur = rl.rlim_max, setrlimit(RLIMIT_NOFILE, &rl)))
		die("setrlimit");
	if ((rlim_t)(n + 16) > rl.rlim_cur) {
		errno = EMFILE;
		die("more descriptors than RLIMIT_NOFILE allows: use several processes");
	}
}

static void listen_many(const char *addr, long port, long n)
{
	need_fds(n);
	for (long i = 0; i < n; i++)
		if (listen(inet_socket(SOCK_STREAM, addr, port + i, false, true), 4))
			die("listen");
	ready(getpid(), 0);
	hold();
}

static void many(const char *addr, long port, long ntcp, long nunix)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);
	int lfd, sv[2];

	need_fds(2 * (ntcp + nunix));
	lfd = inet_socket(SOCK_STREAM, addr, port, false, true);
	if (listen(lfd, 1024))
		die("listen");
	for (long i = 0; i < ntcp; i++) {
		int c = socket(ss.ss_family, SOCK_STREAM, 0);

		if (c < 0 || connect(c, (void *)&ss, len) || accept(lfd, NULL, NULL) < 0)
			die("connect/accept");
	}
	for (long i = 0; i < nunix; i++)
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			die("socketpair");
	ready(getpid(), 0);
	hold();
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "";
	int fd, sv[2];

	if (argc < 3)
		usage();
	set_name(argv[2]);
	if (!strcmp(mode, "tcp-listen") && (argc == 5 || argc == 6)) {
		fd = inet_socket(SOCK_STREAM, argv[3], number(argv[4]), false, true);
		if (listen(fd, 16))
			die("listen");
		ready(getpid(), argc == 6 && !strcmp(argv[5], "fork") ? fork_holder(NULL) : 0);
	} else if (!strcmp(mode, "reuseport") && argc == 5) {
		/* each process makes its own socket: a group of two; the child says when its
		 * socket listens (a fixed wait was too short under QEMU's emulation) */
		int ready_pipe[2];
		pid_t pid;
		char c;

		if (pipe(ready_pipe))
			die("pipe");
		pid = fork();
		if (pid < 0)
			die("fork");
		fd = inet_socket(SOCK_STREAM, argv[3], number(argv[4]), true, true);
		if (listen(fd, 16))
			die("listen");
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (write(ready_pipe[1], "r", 1) != 1)
				die("write");
			hold();
		}
		child = pid;
		if (read(ready_pipe[0], &c, 1) != 1)
			die("read");
		ready(getpid(), pid);
	} else if (!strcmp(mode, "udp-bind") && argc == 5) {
		inet_socket(SOCK_DGRAM, argv[3], number(argv[4]), false, true);
		ready(getpid(), 0);
	} else if (!strcmp(mode, "unix-listen") && argc == 4) {
		fd = unix_socket(SOCK_STREAM, argv[3]);
		if (listen(fd, 16))
			die("listen");
		ready(getpid(), 0);
	} else if (!strcmp(mode, "unix-dgram") && argc == 4) {
		unix_socket(SOCK_DGRAM, argv[3]);
		ready(getpid(), 0);
	} else if (!strcmp(mode, "unix-pair") && argc == 4) {
		pid_t pid;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			die("socketpair");
		pid = fork_holder_keep(argv[3], sv);
		ready(getpid(), pid);
	} else if (!strcmp(mode, "unix-conn") && argc == 5) {
		struct sockaddr_un sun;
		socklen_t len = unix_addr(argv[4], &sun);

		fd = unix_socket(SOCK_STREAM, argv[4]);
		if (listen(fd, 4))
			die("listen");
		sv[1] = socket(AF_UNIX, SOCK_STREAM, 0);
		if (sv[1] < 0 || connect(sv[1], (void *)&sun, len))
			die("connect");
		if ((sv[0] = accept(fd, NULL, NULL)) < 0)
			die("accept");
		ready(getpid(), fork_holder_keep(argv[3], sv));
	} else if (!strcmp(mode, "tcp-pair-crowd") && argc == 7) {
		tcp_pair_crowd(argv[3], argv[4], number(argv[5]), number(argv[6]));
	} else if (!strcmp(mode, "tcp-pair") && (argc == 6 || argc == 7)) {
		tcp_pair(argv[4], number(argv[5]), argc == 7 ? argv[6] : argv[4], sv);
		ready(getpid(), fork_holder_keep(argv[3], sv));
	} else if (!strcmp(mode, "tcp-accept") && argc == 5) {
		int lfd = inet_socket(SOCK_STREAM, argv[3], number(argv[4]), false, true);

		if (listen(lfd, 4))
			die("listen");
		ready(getpid(), 0);
		if ((fd = accept(lfd, NULL, NULL)) < 0)
			die("accept");
		printf("accepted %u\n", peer_port(fd));
		fflush(stdout);
	} else if (!strcmp(mode, "unix-accept") && argc == 4) {
		int lfd = unix_socket(SOCK_STREAM, argv[3]);

		if (listen(lfd, 4))
			die("listen");
		ready(getpid(), 0);
		if ((fd = accept(lfd, NULL, NULL)) < 0)
			die("accept");
		printf("accepted\n");
		fflush(stdout);
	} else if (!strcmp(mode, "unix-connect") && argc == 4) {
		struct sockaddr_un sun;
		socklen_t len = unix_addr(argv[3], &sun);

		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (void *)&sun, len))
			die("connect");
		ready(getpid(), 0);
	} else if (!strcmp(mode, "tcp-connect") && argc == 5) {
		struct sockaddr_storage ss;
		socklen_t len = parse_addr(argv[3], number(argv[4]), &ss);

		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (void *)&ss, len))
			die("connect");
		printf("ready %d %u\n", getpid(), local_port(fd));
		fflush(stdout);
	} else if (!strcmp(mode, "tcp-pair-shared") && argc == 7) {
		int lfd = tcp_pair(argv[5], number(argv[6]), argv[5], sv);
		pid_t kid, cli;

		kid = fork(); /* holds the accepted socket beside its parent, nothing else */
		if (kid < 0)
			die("fork");
		if (kid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			set_name(argv[4]);
			close(sv[1]);
			close(lfd);
			child = 0;
			hold();
		}
		cli = fork_holder_keep(argv[3], sv);
		printf("ready %d %d %d\n", getpid(), cli, kid);
		fflush(stdout);
	} else if (!strcmp(mode, "many") && argc == 7) {
		many(argv[3], number(argv[4]), number(argv[5]), number(argv[6]));
	} else if (!strcmp(mode, "listen-many") && argc == 6) {
		listen_many(argv[3], number(argv[4]), number(argv[5]));
	} else if (!strcmp(mode, "churn") && argc == 8) {
		churn(CHURN_TCP, argv[3], number(argv[4]), number(argv[5]), number(argv[6]),
		      number(argv[7]));
	} else if (!strcmp(mode, "udp-churn") && argc == 8) {
		churn(CHURN_UDP, argv[3], number(argv[4]), number(argv[5]), number(argv[6]),
		      number(argv[7]));
	} else if (!strcmp(mode, "unix-churn") && argc == 7) {
		churn(CHURN_UNIX, argv[3], 0, number(argv[4]), number(argv[5]), number(argv[6]));
	} else {
		usage();
	}
	hold();
}
