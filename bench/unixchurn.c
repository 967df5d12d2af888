// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * unixchurn: a unix stream connect/accept/close loop, the unix counterpart of
 * `tcpdrive churn` (bench/proto.sh measures it with and without sockscope).
 *
 *   unixchurn NAME ADDR COUNT   NAME-srv listens on ADDR ("@x" is abstract), accepts and
 *                               closes COUNT connections; NAME-cli (forked) connects and
 *                               closes COUNT times, as fast as it can
 *
 * Prints "churn COUNT connections in S s: R/s client PID server PID"; the time runs from the
 * fork of the client until the server has accepted the last connection and the client exited.
 * The server process owns the listener, so a tracer attributes the peer end to NAME-srv.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "unixchurn: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fputs("usage: unixchurn NAME ADDR COUNT\n", stderr);
	exit(2);
}

static void set_name(const char *base, const char *suffix)
{
	char comm[16];

	snprintf(comm, sizeof(comm), "%.11s-%s", base, suffix);
	if (prctl(PR_SET_NAME, comm))
		die("prctl");
}

static socklen_t unix_addr(const char *path, struct sockaddr_un *sun)
{
	size_t n = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sun->sun_path))
		usage();
	memcpy(sun->sun_path, path, n);
	if (path[0] == '@')
		sun->sun_path[0] = '\0'; /* abstract: the length says where it ends */
	else
		n++;
	return offsetof(struct sockaddr_un, sun_path) + n;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun;
	struct timespec t0, t1;
	socklen_t len;
	long count;
	char *end;
	int lfd, status;
	pid_t cli;

	if (argc != 4)
		usage();
	count = strtol(argv[3], &end, 10);
	if (!*argv[3] || *end || count <= 0)
		usage();
	len = unix_addr(argv[2], &sun);
	if (argv[2][0] != '@')
		unlink(argv[2]);
	set_name(argv[1], "srv");
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (void *)&sun, len) || listen(lfd, 128))
		die("listen");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cli = fork();
	if (cli < 0)
		die("fork");
	if (cli == 0) {
		close(lfd);
		set_name(argv[1], "cli");
		for (long i = 0; i < count; i++) {
			int fd = socket(AF_UNIX, SOCK_STREAM, 0);

			if (fd < 0 || connect(fd, (void *)&sun, len))
				die("connect");
			close(fd);
		}
		_exit(0);
	}
	for (long i = 0; i < count; i++) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			die("accept");
		close(fd);
	}
	if (waitpid(cli, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(lfd);
	if (argv[2][0] != '@')
		unlink(argv[2]);
	double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("churn %ld connections in %.3f s: %.0f/s client %d server %d\n", count, s, count / s,
	       cli, getpid());
	return 0;
}
