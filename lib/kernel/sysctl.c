// SPDX-License-Identifier: MIT
#include "kernel/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/util.h"

#define PROC_SYS  "/proc/sys"
#define MAX_PARTS 32

/*
 * Interface names may hold dots (eth0.10), so the key
 * net.ipv4.conf.eth0.10.rp_filter is conf/eth0.10/rp_filter, not
 * conf/eth0/10/rp_filter.  Find the split that names an existing entry:
 * at each level try the shortest name first, and backtrack.  @path holds
 * the resolved prefix (@len bytes); parts[i..n) are still to place.
 */
static bool find_path(int root, char *path, size_t len, char **parts, size_t n,
		      size_t i)
{
	size_t l = len;

	for (size_t j = i; j < n; j++) {
		int w = snprintf(path + l, PATH_MAX - l, "%s%s",
				 j == i ? "/" : ".", parts[j]);

		if (w < 0 || (size_t)w >= PATH_MAX - l)
			break;
		l += (size_t)w;
		if (faccessat(root, path, F_OK, 0) < 0)
			continue;
		if (j + 1 == n || find_path(root, path, l, parts, n, j + 1))
			return true;
	}
	path[len] = '\0';
	return false;
}

/* KEY opened under @root (a /proc/sys directory, or -1: the host's
 * /proc/sys). */
static int open_key(int root, const char *key, char *path, int flags)
{
	char copy[PATH_MAX], *parts[MAX_PARTS], *save = NULL, *p;
	const char *top = root < 0 ? PROC_SYS : ".";
	size_t n = 0;
	int fd;

	if (root < 0)
		root = AT_FDCWD;
	/* The common case: every dot a slash. */
	snprintf(path, PATH_MAX, "%s/%s", top, key);
	for (p = path + strlen(top) + 1; *p; p++)
		if (*p == '.')
			*p = '/';
	fd = openat(root, path, flags | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd;

	snprintf(copy, sizeof(copy), "%s", key);
	for (p = strtok_r(copy, ".", &save); p && n < MAX_PARTS;
	     p = strtok_r(NULL, ".", &save))
		parts[n++] = p;
	snprintf(path, PATH_MAX, "%s", top);
	if (!n || !find_path(root, path, strlen(path), parts, n, 0)) {
		errno = ENOENT;
		return -1;
	}
	return openat(root, path, flags | O_CLOEXEC);
}

int nlab_sysctl_root(void)
{
	cleanup_close int fs = fsopen("proc", FSOPEN_CLOEXEC);
	cleanup_close int mnt = -1;

	if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	mnt = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return -1;
	return openat(mnt, "sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int nlab_sysctl_write_at(int root, const char *key, const char *value,
			 bool optional, struct nlab_err *e)
{
	char path[PATH_MAX];
	cleanup_close int fd = -1;
	size_t len = strlen(value);

	if (strlen(key) + sizeof(PROC_SYS) + 1 >= sizeof(path))
		return nlab_err_set(e, ENAMETOOLONG, "sysctl %s", key);
	fd = open_key(root, key, path, O_WRONLY);
	if (fd < 0) {
		if (optional && errno == ENOENT)
			return 0;
		return nlab_err_set(e, errno, "sysctl %s", key);
	}
	if (write(fd, value, len) != (ssize_t)len)
		return nlab_err_set(e, errno, "sysctl %s=%s", key, value);
	return 0;
}

int nlab_sysctl_write(const char *key, const char *value, bool optional,
		      struct nlab_err *e)
{
	return nlab_sysctl_write_at(-1, key, value, optional, e);
}

int nlab_sysctl_read(const char *key, char *buf, size_t len, struct nlab_err *e)
{
	char path[PATH_MAX];
	cleanup_close int fd = -1;
	ssize_t n;

	if (strlen(key) + sizeof(PROC_SYS) + 1 >= sizeof(path))
		return nlab_err_set(e, ENAMETOOLONG, "sysctl %s", key);
	fd = open_key(-1, key, path, O_RDONLY);
	if (fd < 0)
		return nlab_err_set(e, errno, "sysctl %s", key);
	n = read(fd, buf, len - 1);
	if (n < 0)
		return nlab_err_set(e, errno, "read sysctl %s", key);
	buf[n] = '\0';
	/* One value per line; a table (several words) is kept whole. */
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}
