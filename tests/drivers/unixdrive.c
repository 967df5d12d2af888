// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * unixdrive: unix socket traffic between two processes named by the test (NAME-srv and
 * NAME-cli, or NAME-a and NAME-b), each printing its pid and its sockets' inodes (fstat), so
 * the test checks sockscope against what the processes themselves see.
 *
 *   unixdrive stream|seqpacket NAME ADDR BYTES   NAME-srv binds ADDR, listens, accepts one
 *                                                connection and reads BYTES; NAME-cli connects
 *                                                and writes BYTES. ADDR "@x" is abstract.
 *   unixdrive stream-early NAME ADDR BYTES       the same, but NAME-cli writes half of BYTES
 *                                                before NAME-srv accepts, the rest after
 *   unixdrive dgram NAME ADDR COUNT SIZE         NAME-srv binds, receives COUNT datagrams;
 *                                                NAME-cli connects and sends COUNT of SIZE
 *   unixdrive pair NAME BYTES                    socketpair: NAME-a and NAME-b each write BYTES
 *                                                and read the other's
 *   unixdrive pending NAME ADDR COUNT            NAME-srv listens on ADDR and never accepts;
 *                                                NAME-cli connects COUNT times from one thread
 *                                                (holding every socket), then once to ADDR.none,
 *                                                where nobody listens (must fail), and exits
 *   unixdrive connect NAME ADDR                  NAME connects once to someone else's ADDR
 * Lines: "srv PID INODE LISTENER_INODE", "cli PID INODE", "a PID INODE", "b PID INODE"
 * (pending: "srv PID 0 LISTENER_INODE", one "cli PID INODE" per connection).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define DRIVE_NAME "unixdrive"
#include "drive.h"

static void usage(void)
{
	fputs("usage: unixdrive stream|stream-early|seqpacket NAME ADDR BYTES | dgram NAME ADDR COUNT SIZE | "
	      "pair NAME BYTES | pending NAME ADDR COUNT | connect NAME ADDR\n", stderr);
	exit(2);
}

/* NAME-srv, NAME-cli...: the suffix survives the 15-byte limit */
static void name_self(const char *base, const char *suffix)
{
	char comm[16];

	snprintf(comm, sizeof(comm), "%.11s-%s", base, suffix);
	set_name(comm);
}

static unsigned long inode_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		die("fstat");
	return st.st_ino;
}

static void write_all(int fd, long bytes)
{
	char buf[4096];

	memset(buf, 's', sizeof(buf));
	while (bytes > 0) {
		ssize_t n = write(fd, buf, bytes < (long)sizeof(buf) ? bytes : (long)sizeof(buf));

		if (n <= 0)
			die("write");
		bytes -= n;
	}
}

static void read_n(int fd, long bytes)
{
	char buf[4096];

	while (bytes > 0) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0)
			die("read");
		bytes -= n;
	}
}

static int wait_child(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}

/* NAME-srv's socket on ADDR: bound, and listening unless backlog is 0 (dgram). */
static int server_socket(const char *name, int type, const char *path, const struct sockaddr_un *sun,
			 socklen_t len, int backlog)
{
	int fd;

	if (path[0] != '@')
		unlink(path);
	name_self(name, "srv");
	fd = socket(AF_UNIX, type, 0);
	if (fd < 0 || bind(fd, (const void *)sun, len) || (backlog && listen(fd, backlog)))
		die("bind/listen");
	return fd;
}

static int connected_socket(int type, const struct sockaddr_un *sun, socklen_t len)
{
	int fd = socket(AF_UNIX, type, 0);

	if (fd < 0 || connect(fd, (const void *)sun, len))
		die("connect");
	return fd;
}

/* NAME-cli, forked: returns 0 in the client (which no longer holds the server's socket). */
static pid_t fork_client(const char *name, int server_fd)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(server_fd);
		name_self(name, "cli");
	}
	return pid;
}

/* A one-byte signal between the two processes of "stream-early". */
static void signal_to(int fd)
{
	if (write(fd, "s", 1) != 1)
		die("pipe write");
}

static void wait_for(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		die("pipe read");
}

/*
 * early: the client's first write happens before the server accepts (the connection is only
 * queued) and the rest after it, so the server-side socket gets its inode between the two.
 */
static int run_connection(int type, const char *name, const char *path, long bytes, bool early)
{
	struct sockaddr_un sun;
	socklen_t len = unix_addr(path, &sun);
	int lfd, fd, written[2], accepted[2];
	long first = early ? bytes / 2 : bytes;
	pid_t cli;

	if (pipe(written) || pipe(accepted))
		die("pipe");
	lfd = server_socket(name, type, path, &sun, len, 16);
	cli = fork_client(name, lfd);
	if (cli == 0) {
		fd = connected_socket(type, &sun, len);
		printf("cli %d %lu\n", getpid(), inode_of(fd));
		fflush(stdout);
		write_all(fd, first);
		if (early) {
			signal_to(written[1]);
			wait_for(accepted[0]);
			write_all(fd, bytes - first);
		}
		read_n(fd, 1); /* the server's ack: both ends stay open until counted */
		close(fd);
		_exit(0);
	}
	if (early)
		wait_for(written[0]);
	fd = accept(lfd, NULL, NULL);
	if (early)
		signal_to(accepted[1]);
	if (fd < 0)
		die("accept");
	printf("srv %d %lu %lu\n", getpid(), inode_of(fd), inode_of(lfd));
	fflush(stdout);
	read_n(fd, bytes);
	write_all(fd, 1);
	if (wait_child(cli))
		return 1;
	close(fd);
	close(lfd);
	if (path[0] != '@')
		unlink(path);
	return 0;
}

static int run_dgram(const char *name, const char *path, long count, long size)
{
	struct sockaddr_un sun;
	socklen_t len = unix_addr(path, &sun);
	char buf[65536];
	int sfd, fd;
	pid_t cli;

	if (size > (long)sizeof(buf))
		usage();
	sfd = server_socket(name, SOCK_DGRAM, path, &sun, len, 0);
	printf("srv %d %lu 0\n", getpid(), inode_of(sfd));
	cli = fork_client(name, sfd);
	if (cli == 0) {
		fd = connected_socket(SOCK_DGRAM, &sun, len);
		printf("cli %d %lu\n", getpid(), inode_of(fd));
		fflush(stdout);
		memset(buf, 'd', sizeof(buf));
		for (long i = 0; i < count; i++)
			if (send(fd, buf, size, 0) != size)
				die("send");
		close(fd);
		_exit(0);
	}
	for (long i = 0; i < count; i++)
		if (recv(sfd, buf, sizeof(buf), 0) < 0)
			die("recv");
	close(sfd);
	if (path[0] != '@')
		unlink(path);
	return wait_child(cli);
}

static int run_pair(const char *name, long bytes)
{
	int sv[2];
	pid_t b;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	b = fork();
	if (b < 0)
		die("fork");
	if (b == 0) {
		close(sv[0]);
		name_self(name, "b");
		printf("b %d %lu\n", getpid(), inode_of(sv[1]));
		fflush(stdout);
		write_all(sv[1], bytes);
		read_n(sv[1], bytes);
		_exit(0);
	}
	close(sv[1]);
	name_self(name, "a");
	printf("a %d %lu\n", getpid(), inode_of(sv[0]));
	fflush(stdout);
	write_all(sv[0], bytes);
	read_n(sv[0], bytes);
	return wait_child(b);
}

/* Connections the server never accepts: each connect() still succeeds (queued, backlog). */
static int run_pending(const char *name, const char *path, long count)
{
	struct sockaddr_un sun, none;
	char none_path[sizeof(sun.sun_path)];
	socklen_t len = unix_addr(path, &sun), none_len;
	int lfd, fd;
	pid_t cli;

	snprintf(none_path, sizeof(none_path), "%s.none", path);
	none_len = unix_addr(none_path, &none);
	lfd = server_socket(name, SOCK_STREAM, path, &sun, len, count + 1);
	printf("srv %d 0 %lu\n", getpid(), inode_of(lfd));
	cli = fork_client(name, lfd);
	if (cli == 0) {
		for (long i = 0; i < count; i++) /* each socket held until exit */
			printf("cli %d %lu\n", getpid(), inode_of(connected_socket(SOCK_STREAM, &sun, len)));
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || !connect(fd, (void *)&none, none_len))
			die("connect to an address nobody listens on succeeded");
		_exit(0);
	}
	if (wait_child(cli))
		return 1;
	close(lfd);
	if (path[0] != '@')
		unlink(path);
	return 0;
}

/* One stream connect to someone else's listener, as NAME: prints "cli PID INODE". */
static int run_connect(const char *name, const char *path)
{
	struct sockaddr_un sun;
	socklen_t len = unix_addr(path, &sun);
	int fd;

	set_name(name);
	fd = connected_socket(SOCK_STREAM, &sun, len);
	printf("cli %d %lu\n", getpid(), inode_of(fd));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "stream") && argc == 5)
		return run_connection(SOCK_STREAM, argv[2], argv[3], number(argv[4]), false);
	if (!strcmp(mode, "stream-early") && argc == 5)
		return run_connection(SOCK_STREAM, argv[2], argv[3], number(argv[4]), true);
	if (!strcmp(mode, "seqpacket") && argc == 5)
		return run_connection(SOCK_SEQPACKET, argv[2], argv[3], number(argv[4]), false);
	if (!strcmp(mode, "dgram") && argc == 6)
		return run_dgram(argv[2], argv[3], number(argv[4]), number(argv[5]));
	if (!strcmp(mode, "pair") && argc == 4)
		return run_pair(argv[2], number(argv[3]));
	if (!strcmp(mode, "pending") && argc == 5)
		return run_pending(argv[2], argv[3], number(argv[4]));
	if (!strcmp(mode, "connect") && argc == 4)
		return run_connect(argv[2], argv[3]);
	usage();
}
