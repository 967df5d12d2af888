// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "textfile.h"

/* The directory part of path, in buf. */
static const char *dir_of(const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s", path);
	return dirname(buf);
}

int textfile_check(const char *path, const char **what)
{
	char buf[4096];
	const char *dir;
	struct stat st;

	*what = "file";
	if (strlen(path) >= sizeof(buf) - 32)
		return -ENAMETOOLONG;
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return -EISDIR;
	dir = dir_of(path, buf, sizeof(buf));
	*what = "directory";
	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (access(dir, W_OK | X_OK))
		return -errno;
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int textfile_write(const char *path, const char *page, size_t len)
{
	char tmp[4096 + 32], dirbuf[4096];
	int fd, dfd, err;

	/* ".tmp" after the name: the collector only reads names ending in ".prom" */
	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	err = write_all(fd, page, len);
	if (!err && fchmod(fd, 0644)) /* whatever the umask: node_exporter may run as another user */
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	/* the rename itself survives a crash once the directory is synced */
	dfd = open(dir_of(path, dirbuf, sizeof(dirbuf)), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
