/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* uid -> user name from /etc/passwd, read once (getpwuid would drag NSS into a static build). */
#ifndef SS_USER_NAMES_H
#define SS_USER_NAMES_H

#include <stdint.h>

#define USER_NAME_MAX 32 /* longer names in /etc/passwd are not used */

/* The name, or NULL when /etc/passwd does not know the uid. Valid until exit. */
const char *user_name(uint32_t uid);
/* The uid of a user name: 0 found, -ENOENT not in /etc/passwd. */
int user_uid(const char *name, uint32_t *uid);

#endif
