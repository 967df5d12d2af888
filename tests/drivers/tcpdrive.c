// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tcpdrive: TCP traffic with known shape from processes with names the test chose, so that
 * assertions on pid, comm, ports and byte counts prove attribution rather than luck.
 *
 *   tcpdrive server  NAME ADDR PORT COUNT SEND   accept COUNT connections one by one: read
 *                                                to EOF, write SEND bytes, close
 *   tcpdrive client  NAME ADDR PORT COUNT SEND   COUNT times: connect, write SEND bytes,
 *                                                shut down writing, read to EOF, close
 *   tcpdrive fastopen-server NAME ADDR PORT COUNT SEND   server, with TCP Fast Open on the
 *                                                listener (the namespace's net.ipv4.tcp_fastopen
 *                                                must allow it)
 *   tcpdrive fastopen-client NAME ADDR PORT COUNT SEND   client, the first SEND bytes (at most
 *                                                64 KiB) given to sendto(MSG_FASTOPEN), which
 *                                                puts them in the SYN once the client holds a
 *                                                cookie (the first connection fetches one);
 *                                                prints "syn_data=N": the connections whose
 *                                                SYN data the server acked
 *   tcpdrive refused NAME ADDR PORT              connect once; succeed only on ECONNREFUSED
 *   tcpdrive fail    NAME ADDR PORT ERROR        connect once; succeed only if it fails with
 *                                                ERROR (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH,
 *                                                ENETUNREACH); prints "failed PID ERROR"
 *   tcpdrive churn   NAME ADDR PORT COUNT        NAME-srv accepts and closes, NAME-cli
 *                                                connects and closes, COUNT times, fast
 *   tcpdrive reset   NAME ADDR PORT COUNT        NAME-cli connects and resets (SO_LINGER 0)
 *                                                COUNT times; NAME-srv accepts each one only
 *                                                when told: after the reset (even ones) or
 *                                                racing it (odd ones); prints how many were
 *                                                closed when accept() returned them
 *   tcpdrive before  NAME ADDR PORT              NAME-cli makes three connections to NAME-srv
 *                                                and prints "ready SRVPID CLIPID PORTA PORTB
 *                                                PORTC" (the client's ports) once: A carried
 *                                                1000 bytes, B's server shut down writing, C
 *                                                waits in the accept queue. On SIGUSR1: A
 *                                                carries 300 bytes out and 70 back, B 50 out,
 *                                                C is accepted and carries 20 out; the client
 *                                                closes each first; prints "done"
 *   tcpdrive stream  NAME ADDR PORT CHUNK        NAME-cli connects to NAME-srv and prints
 *                                                "streaming CLIPID SRVPID"; on each SIGUSR1
 *                                                it writes CHUNK bytes, which NAME-srv reads,
 *                                                and prints "sent TOTAL" once the server has
 *                                                them all; on SIGUSR2 it closes, the server
 *                                                closes too, and it prints "closed" and exits
 *   tcpdrive spin    NAME SECONDS                keep a CPU busy
 *
 * NAME "hex:4142" names the process with arbitrary bytes. ADDR is an IPv4 or IPv6 literal.
 * server and churn print "listening PID PORT" once listening (PORT 0 picks one).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DRIVE_NAME "tcpdrive"
#include "drive.h"

static void usage(void)
{
	fputs("usage: tcpdrive [fastopen-]server|[fastopen-]client NAME ADDR PORT COUNT SEND |\n"
	      "       refused NAME ADDR PORT |\n"
	      "       fail NAME ADDR PORT ERROR | churn|reset NAME ADDR PORT COUNT |\n"
	      "       before NAME ADDR PORT | stream NAME ADDR PORT CHUNK | spin NAME SECONDS\n",
	      stderr);
	exit(2);
}

static int listen_on(const char *addr, long port)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);
	int one = 1, fd = socket(ss.ss_family, SOCK_STREAM, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (void *)&ss, len) || listen(fd, 1024))
		die("listen");
	printf("listening %d %u\n", getpid(), local_port(fd));
	fflush(stdout);
	return fd;
}

static int connect_to(const char *addr, long port)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (connect(fd, (void *)&ss, len)) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
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

	memset(buf, 'x', sizeof(buf));
	while (count > 0) {
		ssize_t n = write(fd, buf, count < (long)sizeof(buf) ? count : (long)sizeof(buf));

		if (n <= 0)
			die("write");
		count -= n;
	}
}

static int run_server(const char *addr, long port, long count, long send, bool fastopen)
{
	int lfd = listen_on(addr, port), qlen = 16;
	long in = 0;

	if (fastopen && setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)))
		die("TCP_FASTOPEN");

	for (long i = 0; i < count; i++) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			die("accept");
		in += read_to_eof(fd);
		write_bytes(fd, send);
		close(fd);
	}
	close(lfd);
	printf("served %ld bytes_in=%ld bytes_out=%ld\n", count, in, count * send);
	return 0;
}

/* The first bytes through sendto(MSG_FASTOPEN), which connects: in the SYN with a cookie. */
static int connect_fastopen(const char *addr, long port, long send, long *syn_data)
{
	static char buf[65536];
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	long first = send < (long)sizeof(buf) ? send : (long)sizeof(buf);
	struct tcp_info ti;
	socklen_t ti_len = sizeof(ti);
	ssize_t n;

	memset(buf, 'x', sizeof(buf));
	if (fd < 0)
		die("socket");
	n = sendto(fd, buf, first, MSG_FASTOPEN, (void *)&ss, len);
	if (n < 0)
		die("sendto MSG_FASTOPEN");
	if (!getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &ti_len) &&
	    (ti.tcpi_options & TCPI_OPT_SYN_DATA))
		(*syn_data)++;
	write_bytes(fd, send - n);
	return fd;
}

static int run_client(const char *addr, long port, long count, long send, bool fastopen)
{
	long in = 0, syn_data = 0;

	for (long i = 0; i < count; i++) {
		int fd = fastopen ? connect_fastopen(addr, port, send, &syn_data)
				  : connect_to(addr, port);

		if (fd < 0)
			die("connect");
		if (!fastopen)
			write_bytes(fd, send);
		shutdown(fd, SHUT_WR);
		in += read_to_eof(fd);
		close(fd);
	}
	printf("client %d done %ld bytes_in=%ld", getpid(), count, in);
	if (fastopen)
		printf(" syn_data=%ld", syn_data);
	printf("\n");
	return 0;
}

static int run_refused(const char *addr, long port)
{
	int fd = connect_to(addr, port);

	if (fd >= 0 || errno != ECONNREFUSED) {
		fprintf(stderr, "tcpdrive: expected ECONNREFUSED, got %s\n", fd >= 0 ? "a connection" : strerror(errno));
		return 1;
	}
	printf("refused %d\n", getpid());
	return 0;
}

static const struct {
	const char *name;
	int err;
} connect_errors[] = {
	{ "ECONNREFUSED", ECONNREFUSED },
	{ "ETIMEDOUT", ETIMEDOUT },
	{ "EHOSTUNREACH", EHOSTUNREACH },
	{ "ENETUNREACH", ENETUNREACH },
};

static int run_fail(const char *addr, long port, const char *want)
{
	int fd, err = 0;

	for (size_t i = 0; i < sizeof(connect_errors) / sizeof(connect_errors[0]); i++)
		if (!strcmp(connect_errors[i].name, want))
			err = connect_errors[i].err;
	if (!err)
		usage();
	fd = connect_to(addr, port);
	if (fd >= 0 || errno != err) {
		fprintf(stderr, "tcpdrive: expected %s, got %s\n", want,
			fd >= 0 ? "a connection" : strerror(errno));
		return 1;
	}
	printf("failed %d %s\n", getpid(), want);
	return 0;
}

static int run_churn(const char *name, const char *addr, long port, long count)
{
	char srv_name[16], cli_name[16];
	struct timespec t0, t1;
	int lfd, status;
	pid_t srv;

	snprintf(srv_name, sizeof(srv_name), "%.11s-srv", name);
	snprintf(cli_name, sizeof(cli_name), "%.11s-cli", name);
	set_name(srv_name);
	lfd = listen_on(addr, port);
	srv = fork();
	if (srv < 0)
		die("fork");
	if (srv == 0) {
		for (long i = 0; i < count; i++) {
			int fd = accept(lfd, NULL, NULL);

			if (fd < 0)
				die("accept");
			close(fd);
		}
		_exit(0);
	}
	close(lfd);
	set_name(cli_name);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < count; i++) {
		int fd = connect_to(addr, port);

		if (fd < 0)
			die("connect");
		close(fd);
	}
	if (waitpid(srv, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("churn %ld connections in %.3f s: %.0f/s client %d server %d\n", count, s, count / s,
	       getpid(), srv);
	return 0;
}

/* Was the socket already closed (reset) when accept() returned it? */
static int closed_at_accept(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		die("getsockopt TCP_INFO");
	return ti.tcpi_state == TCP_CLOSE;
}

/*
 * The server half of reset: one accept per byte from the client; how many were closed, and
 * how many were accepted. A connection may never reach the accept queue: where the client's
 * reset overtakes the handshake's last ACK (softirq work deferred on one CPU, the client
 * running on the other: seen in a TCG guest), the kernel drops the request instead.
 */
static long reset_server(int lfd, int go, long count, long *accepted)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	long closed = 0;
	char token;

	*accepted = 0;
	for (long i = 0; i < count; i++) {
		int fd, ready;

		if (read(go, &token, 1) != 1)
			die("read token");
		if ((ready = poll(&p, 1, 5000)) < 0)
			die("poll");
		if (!ready) {
			fprintf(stderr, "tcpdrive: connection %ld never reached the accept queue\n", i);
			continue;
		}
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		closed += closed_at_accept(fd);
		close(fd);
		(*accepted)++;
	}
	return closed;
}

/*
 * A client that resets right after connect() (health checks, scanners): the server's socket
 * reaches CLOSE in softirq while it waits in the accept queue, before accept() returns it.
 * Even connections are reset before the server is told to accept (the order is certain on
 * loopback, where the reset is processed within close()); odd ones tell it first, so accept()
 * and the reset race.
 */
static int run_reset(const char *name, const char *addr, long port, long count)
{
	struct linger abort_close = { .l_onoff = 1, .l_linger = 0 };
	char srv_name[16], cli_name[16];
	int lfd, go[2], status, result[2];
	long res[2]; /* closed when accepted, accepted */
	pid_t srv;

	snprintf(srv_name, sizeof(srv_name), "%.11s-srv", name);
	snprintf(cli_name, sizeof(cli_name), "%.11s-cli", name);
	set_name(srv_name);
	lfd = listen_on(addr, port);
	if (pipe(go) || pipe(result))
		die("pipe");
	srv = fork();
	if (srv < 0)
		die("fork");
	if (srv == 0) {
		close(go[1]); /* the client's exit ends the server's wait */
		res[0] = reset_server(lfd, go[0], count, &res[1]);
		if (write(result[1], res, sizeof(res)) != sizeof(res))
			die("write result");
		_exit(0);
	}
	port = local_port(lfd);
	close(lfd);
	close(go[0]);
	close(result[1]);
	set_name(cli_name);
	for (long i = 0; i < count; i++) {
		int fd = connect_to(addr, port);

		if (fd < 0)
			die("connect");
		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof(abort_close)))
			die("SO_LINGER");
		if (i % 2 && write(go[1], "a", 1) != 1)
			die("write token");
		close(fd);
		if (!(i % 2) && write(go[1], "a", 1) != 1)
			die("write token");
	}
	if (waitpid(srv, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) ||
	    read(result[0], res, sizeof(res)) != sizeof(res))
		return 1;
	printf("reset %ld connections closed_before_accept=%ld client %d server %d accepted %ld\n",
	       count, res[0], getpid(), srv, res[1]);
	return 0;
}

static void read_exact(int fd, long count)
{
	char buf[4096];

	while (count > 0) {
		ssize_t n = read(fd, buf, count < (long)sizeof(buf) ? count : (long)sizeof(buf));

		if (n <= 0)
			die("read_exact");
		count -= n;
	}
}

static void token_put(int fd)
{
	if (write(fd, "t", 1) != 1)
		die("write token");
}

static void token_take(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		die("read token");
}

/* The client's half of run_before(): to_srv/from_srv carry the turns. */
static void before_client(const char *addr, long port, int to_srv, int from_srv)
{
	int a = connect_to(addr, port), b = connect_to(addr, port), c = connect_to(addr, port);
	unsigned ports[3];

	if (a < 0 || b < 0 || c < 0)
		die("connect");
	write_bytes(a, 1000);
	ports[0] = local_port(a);
	ports[1] = local_port(b);
	ports[2] = local_port(c);
	token_put(to_srv);
	token_take(from_srv);  /* the server read A's bytes and shut B down */
	if (read_to_eof(b))    /* B's FIN has arrived */
		die("B carried bytes");
	if (write(to_srv, ports, sizeof(ports)) != sizeof(ports))
		die("write ports");
	token_take(from_srv);  /* go */
	write_bytes(a, 300);
	read_exact(a, 70);
	close(a);
	write_bytes(b, 50);
	close(b);
	token_take(from_srv);  /* C accepted */
	write_bytes(c, 20);
	close(c);
	_exit(0);
}

static int run_before(const char *name, const char *addr, long port)
{
	int lfd, to_srv[2], to_cli[2], a, b, c, sig, status;
	char srv_name[16], cli_name[16];
	unsigned ports[3];
	sigset_t usr1;
	pid_t cli;

	snprintf(srv_name, sizeof(srv_name), "%.11s-srv", name);
	snprintf(cli_name, sizeof(cli_name), "%.11s-cli", name);
	set_name(srv_name);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	lfd = listen_on(addr, port);
	port = local_port(lfd);
	if (pipe(to_srv) || pipe(to_cli))
		die("pipe");
	cli = fork();
	if (cli < 0)
		die("fork");
	if (cli == 0) {
		close(lfd);
		set_name(cli_name);
		before_client(addr, port, to_srv[1], to_cli[0]);
	}
	token_take(to_srv[0]);
	if ((a = accept(lfd, NULL, NULL)) < 0 || (b = accept(lfd, NULL, NULL)) < 0)
		die("accept");
	read_exact(a, 1000);
	if (shutdown(b, SHUT_WR))
		die("shutdown");
	token_put(to_cli[1]);
	if (read(to_srv[0], ports, sizeof(ports)) != sizeof(ports))
		die("read ports");
	printf("ready %d %d %u %u %u\n", getpid(), cli, ports[0], ports[1], ports[2]);
	fflush(stdout);
	if (sigwait(&usr1, &sig))
		die("sigwait");
	token_put(to_cli[1]);
	read_exact(a, 300);
	write_bytes(a, 70);
	if (read_to_eof(a))
		die("A carried more");
	close(a);
	read_exact(b, 50);
	if (read_to_eof(b))
		die("B carried more");
	close(b);
	if ((c = accept(lfd, NULL, NULL)) < 0)
		die("accept C");
	token_put(to_cli[1]);
	read_exact(c, 20);
	if (read_to_eof(c))
		die("C carried more");
	close(c);
	close(lfd);
	if (waitpid(cli, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	printf("done\n");
	return 0;
}

static volatile sig_atomic_t stream_sends, stream_stop;

static void on_stream_signal(int sig)
{
	if (sig == SIGUSR1)
		stream_sends++;
	else
		stream_stop = 1;
}

/* One connection that carries CHUNK bytes per SIGUSR1 while it stays open. */
static int run_stream(const char *name, const char *addr, long port, long chunk)
{
	char srv_name[16], cli_name[16], buf[65536];
	sig_atomic_t done = 0;
	sigset_t mask, waiting;
	int lfd, fd, status, ack[2];
	long total = 0, got;
	pid_t srv;

	snprintf(srv_name, sizeof(srv_name), "%.11s-srv", name);
	snprintf(cli_name, sizeof(cli_name), "%.11s-cli", name);
	set_name(srv_name);
	lfd = listen_on(addr, port);
	if (pipe(ack))
		die("pipe");
	srv = fork();
	if (srv < 0)
		die("fork");
	if (srv == 0) { /* the server: read, and say how much arrived */
		ssize_t n;

		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		for (got = 0; (n = read(fd, buf, sizeof(buf))) > 0;) {
			got += n;
			if (write(ack[1], &got, sizeof(got)) != sizeof(got))
				die("ack");
		}
		close(fd);
		_exit(n < 0);
	}
	close(lfd);
	set_name(cli_name);
	/* blocked but while waiting in sigsuspend(): a signal between the check and the wait
	 * would otherwise be slept through */
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, &waiting);
	signal(SIGUSR1, on_stream_signal);
	signal(SIGUSR2, on_stream_signal);
	fd = connect_to(addr, port);
	if (fd < 0)
		die("connect");
	printf("streaming %d %d\n", getpid(), srv);
	fflush(stdout);
	while (!stream_stop) {
		if (done == stream_sends) {
			sigsuspend(&waiting);
			continue;
		}
		done++;
		write_bytes(fd, chunk);
		total += chunk;
		do { /* until the server has read it all */
			if (read(ack[0], &got, sizeof(got)) != sizeof(got))
				die("ack");
		} while (got < total);
		printf("sent %ld\n", total);
		fflush(stdout);
	}
	close(fd);
	if (waitpid(srv, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	printf("closed\n");
	return 0;
}

static int run_spin(long seconds)
{
	time_t end = time(NULL) + seconds;
	volatile unsigned long x = 0;

	while (time(NULL) < end)
		for (int i = 0; i < 1000000; i++)
			x++;
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "";

	signal(SIGPIPE, SIG_IGN);
	if (argc > 2)
		set_name(argv[2]);
	if ((!strcmp(mode, "server") || !strcmp(mode, "fastopen-server")) && argc == 7)
		return run_server(argv[3], number(argv[4]), number(argv[5]), number(argv[6]),
				  mode[0] == 'f');
	if ((!strcmp(mode, "client") || !strcmp(mode, "fastopen-client")) && argc == 7)
		return run_client(argv[3], number(argv[4]), number(argv[5]), number(argv[6]),
				  mode[0] == 'f');
	if (!strcmp(mode, "refused") && argc == 5)
		return run_refused(argv[3], number(argv[4]));
	if (!strcmp(mode, "fail") && argc == 6)
		return run_fail(argv[3], number(argv[4]), argv[5]);
	if (!strcmp(mode, "churn") && argc == 6)
		return run_churn(argv[2], argv[3], number(argv[4]), number(argv[5]));
	if (!strcmp(mode, "reset") && argc == 6)
		return run_reset(argv[2], argv[3], number(argv[4]), number(argv[5]));
	if (!strcmp(mode, "before") && argc == 5)
		return run_before(argv[2], argv[3], number(argv[4]));
	if (!strcmp(mode, "stream") && argc == 6)
		return run_stream(argv[2], argv[3], number(argv[4]), number(argv[5]));
	if (!strcmp(mode, "spin") && argc == 4)
		return run_spin(number(argv[3]));
	usage();
}
