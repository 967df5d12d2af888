/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one home for what vmlinux.h cannot give and for what differs between kernels:
 * kernel constants under their real names, named feature checks, and the map idioms every
 * concern repeats. Constants the kernel declares as enums (TCP_* states, IPPROTO_*,
 * SOCK_* types) come from vmlinux.h itself and are not repeated here.
 */
#ifndef SS_COMPAT_BPF_H
#define SS_COMPAT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/*
 * ---- kernel constants --------------------------------------------------------------------
 * BTF carries types and enums, not #defines, so vmlinux.h lacks these: each is the value
 * from the kernel's uapi or internal header named beside it, stable across releases.
 */
#define AF_UNIX 1   /* linux/socket.h */
#define AF_INET 2
#define AF_INET6 10

#define MSG_PEEK 2 /* linux/socket.h */

#define SEND_SHUTDOWN 2 /* net/sock.h: sk_shutdown bit */

#define EEXIST 17     /* uapi asm-generic/errno-base.h */
#define ECANCELED 125 /* uapi asm-generic/errno.h */

#define S_IFMT 00170000 /* uapi linux/stat.h */
#define S_IFSOCK 0140000
#define FMODE_PATH 0x4000 /* linux/fs.h: an O_PATH file */

#define UIO_MAXIOV 1024 /* uapi linux/uio.h: sendmmsg() sends at most this many */

/* offsetof(struct sockaddr_un, sun_path): after the 2-byte sun_family */
#define SUN_PATH_OFF 2
/* sizeof(struct mmsghdr) on 64-bit: user_msghdr (56) + msg_len, padded */
#define MMSGHDR_SIZE 64

#if defined(__TARGET_ARCH_x86)
/* arch/x86/entry/syscalls/syscall_64.tbl */
#define __NR_sendto 44
#define __NR_sendmsg 46
#define __NR_sendmmsg 307
#endif

/* The compiler barrier; bpf_helpers.h has it, but older libbpf headers do not. */
#ifndef barrier
#define barrier() asm volatile("" ::: "memory")
#endif

/*
 * ---- feature checks ----------------------------------------------------------------------
 * Resolved at load time by CO-RE, so the branch a kernel cannot take is verified away.
 */

/*
 * bpf_get_socket_cookie() takes a BTF socket pointer in tracing programs from 5.12, the
 * release that also brought BPF_FUNC_check_mtu: that helper's presence stands for it.
 */
#define has_cookie_helper (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_check_mtu))

/* bpf_get_current_task_btf() (5.11+): plain loads from the current task. */
#define has_current_task_btf                                                                 \
	(bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))

/*
 * ---- map idioms ---------------------------------------------------------------------------
 */

/*
 * Make key's entry from init unless one exists: 0, -EEXIST (another CPU made it first), or
 * another error. An int: a 6.1 kernel returned -EEXIST zero-extended to 64 bits.
 */
static __always_inline int map_try_create(void *map, const void *key, const void *init)
{
	return bpf_map_update_elem(map, key, init, BPF_NOEXIST);
}

/*
 * key's entry, made from init on first use (or by another CPU just now); NULL only when the
 * map has no room. The create's error needs no test: a create that failed left no entry,
 * so the second lookup answers NULL itself.
 */
static __always_inline void *map_lookup_or_try_init(void *map, const void *key, const void *init)
{
	void *val = bpf_map_lookup_elem(map, key);

	if (val)
		return val;
	map_try_create(map, key, init);
	return bpf_map_lookup_elem(map, key);
}

#endif /* SS_COMPAT_BPF_H */
