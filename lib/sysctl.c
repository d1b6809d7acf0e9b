// SPDX-License-Identifier: MIT
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int nlab_sysctl_write(const char *key, const char *value, bool optional,
		      struct nlab_err *e)
{
	char path[PATH_MAX];
	cleanup_close int fd = -1;
	size_t len = strlen(value);
	int n;

	n = snprintf(path, sizeof(path), "/proc/sys/%s", key);
	if (n < 0 || (size_t)n >= sizeof(path))
		return nlab_err_set(e, ENAMETOOLONG, "sysctl %s", key);
	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (optional && errno == ENOENT)
			return 0;
		return nlab_err_set(e, errno, "sysctl %s", key);
	}
	if (write(fd, value, len) != (ssize_t)len)
		return nlab_err_set(e, errno, "sysctl %s=%s", key, value);
	return 0;
}
