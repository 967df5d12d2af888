// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "user_names.h"

struct user_entry {
	uint32_t uid;
	char name[USER_NAME_MAX + 1];
};

static struct user_entry *users;
static size_t n_users;
static int loaded;

static void load(void)
{
	FILE *f = fopen("/etc/passwd", "re");
	char line[512];
	size_t cap = 0;

	loaded = 1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *name = strtok(line, ":"), *pw = strtok(NULL, ":"), *uid = strtok(NULL, ":");
		struct user_entry *bigger;

		if (!name || !pw || !uid || strlen(name) >= sizeof(users->name))
			continue;
		if (n_users == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(bigger = realloc(users, cap * sizeof(*users))))
				break;
			users = bigger;
		}
		users[n_users].uid = strtoul(uid, NULL, 10);
		strcpy(users[n_users++].name, name);
	}
	fclose(f);
}

const char *user_name(uint32_t uid)
{
	if (!loaded)
		load();
	for (size_t i = 0; i < n_users; i++)
		if (users[i].uid == uid)
			return users[i].name;
	return NULL;
}

int user_uid(const char *name, uint32_t *uid)
{
	if (!loaded)
		load();
	for (size_t i = 0; i < n_users; i++)
		if (!strcmp(users[i].name, name)) {
			*uid = users[i].uid;
			return 0;
		}
	return -ENOENT;
}
