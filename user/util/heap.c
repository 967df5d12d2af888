// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Start-up spends most of its time filling fresh memory: libbpf reads the kernel's BTF
 * (5-6 MB) into one buffer and copies it into another, and the snapshot fills the live table.
 * Touching a fresh page costs a page fault each, and on a virtualised host (the PVM guests
 * these numbers come from) a fault is expensive: 4 KiB faults were a third of `sockscope
 * ports`' run time. So large blocks are kept on the brk heap (malloc() then reuses memory
 * libbpf freed for the table instead of unmapping it and faulting it in again), and the heap
 * is faulted in with one madvise() call, in huge pages where the kernel allows them.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "heap.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* glibc's largest mmap threshold (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit): blocks below it come
 * from the heap, so the block faulted in here must stay below it too */
#define HEAP_BLOCK_MAX (32u << 20)

void heap_prefault(size_t bytes)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), start, end;
	char *p;

	if (bytes >= HEAP_BLOCK_MAX)
		bytes = HEAP_BLOCK_MAX - page;
	/* fixing the thresholds also stops glibc's dynamic threshold from moving */
	if (!mallopt(M_MMAP_THRESHOLD, HEAP_BLOCK_MAX) || !mallopt(M_TRIM_THRESHOLD, 2 * HEAP_BLOCK_MAX))
		return;
	/* one arena: the snapshot's reader thread then fills its chunks from this faulted-in
	 * heap too, not from a fresh arena of its own (a page fault per 4 KiB) */
	mallopt(M_ARENA_MAX, 1);
	p = malloc(bytes);
	if (!p)
		return;
	start = ((uintptr_t)p + page - 1) & ~(page - 1);
	end = ((uintptr_t)p + bytes) & ~(page - 1);
	if (end > start) {
		/* both only advise: with THP off, or before 5.14 (EINVAL), pages fault in one by
		 * one as they would have anyway */
		madvise((void *)start, end - start, MADV_HUGEPAGE);
		madvise((void *)start, end - start, MADV_POPULATE_WRITE);
	}
	free(p); /* stays in the heap: under the trim threshold */
}

size_t heap_btf_bytes(void)
{
	struct stat st;

	return stat("/sys/kernel/btf/vmlinux", &st) || st.st_size < 0 ? 0 : (size_t)st.st_size;
}
