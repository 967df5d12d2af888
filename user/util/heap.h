/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Memory policy for start-up: fault the heap in at once instead of a page at a time. */
#ifndef SS_HEAP_H
#define SS_HEAP_H

#include <stddef.h>

/* Keep large blocks on the heap and fault `bytes` of it in with one call (capped below glibc's
 * mmap threshold). Call before the first large allocation; failures only cost speed. */
void heap_prefault(size_t bytes);

/* Size of the kernel's BTF (what libbpf reads and copies while loading), 0 if unknown. */
size_t heap_btf_bytes(void);

#endif
