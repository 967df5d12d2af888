// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * heapstat.so, preloaded (LD_PRELOAD) into a sockscope by bench/soak.sh: every
 * $HEAPSTAT_SECONDS (default 5) it appends to $HEAPSTAT_FILE the bytes malloc() has handed
 * out and not had back (glibc's mallinfo2(): in the arenas and in mmapped blocks) and the
 * bytes the heap holds, from a thread of its own.
 *
 * Why: the resident memory cannot show what the heap does inside the memory sockscope faults
 * in at start (user/util/heap.c); and a debugger calling malloc_stats() stops the process,
 * and the events that pile up meanwhile grow the very buffers being measured. This thread
 * never stops the program: mallinfo2() takes each arena's lock for a moment.
 *
 * Lines: "UNIX_SECONDS IN_USE_BYTES HEAP_BYTES". The thread allocates nothing (no stdio), so
 * it adds no arena; it blocks every signal, so SIGINT and SIGTERM stay the program's.
 */
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int out_fd = -1;
static unsigned every_s = 5;

static void *heapstat_loop(void *arg)
{
	(void)arg;
	for (;;) {
		struct mallinfo2 mi = mallinfo2();
		char line[96];
		int n = snprintf(line, sizeof(line), "%lld %zu %zu\n", (long long)time(NULL),
				 mi.uordblks + mi.hblkhd, mi.arena + mi.hblkhd);

		if (n > 0 && write(out_fd, line, (size_t)n) != n)
			return NULL;
		sleep(every_s);
	}
	return NULL;
}

__attribute__((constructor)) static void heapstat_start(void)
{
	const char *path = getenv("HEAPSTAT_FILE"), *every = getenv("HEAPSTAT_SECONDS");
	sigset_t all, old;
	pthread_t thread;

	if (!path || (out_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return;
	if (every && atoi(every) > 0)
		every_s = (unsigned)atoi(every);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* the new thread inherits the mask */
	if (!pthread_create(&thread, NULL, heapstat_loop, NULL))
		pthread_detach(thread);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
