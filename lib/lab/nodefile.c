// SPDX-License-Identifier: MIT
#include "lab/nodefile.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lab/enter.h"
#include "lab/proc.h"
#include "base/util.h"

#define VARLOG	   "var/log"
#define FOLLOW_MS  250
#define COPY_CHUNK 65536

bool nlab_varlog_path_ok(const char *rel)
{
	if (!rel[0] || rel[0] == '/')
		return false;
	for (const char *p = rel; *p;) {
		size_t len = strcspn(p, "/");

		if (len == 2 && !strncmp(p, "..", 2))
			return false;
		p += len;
		p += *p == '/';
	}
	return true;
}

static int openat2_(int dirfd, const char *path, uint64_t flags,
		    uint64_t resolve)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = resolve,
	};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* The node's /var/log as its processes see it: symbolic links on the way
 * there resolve inside the node's root, never above it. */
static int varlog_dir(pid_t pid, int pidfd, const char *node,
		      struct nlab_err *e)
{
	char path[64];
	cleanup_close int root = -1;
	int dir;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* Still the supervisor once its root is held: the pid was not
	 * reused meanwhile. */
	if (root < 0 || nlab_pidfd_exited(pidfd))
		return nlab_err_set(e, root < 0 ? errno : ESRCH,
				    "node %s: its root", node);
	dir = openat2_(root, VARLOG, O_PATH | O_DIRECTORY,
		       RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (dir < 0 && errno == ENOSYS)
		return nlab_err_set(e, errno, "openat2 (Linux 5.6)");
	if (dir < 0)
		return nlab_err_set(e, errno, "node %s: /" VARLOG, node);
	return dir;
}

static int open_below(int dir, const char *node, const char *rel,
		      struct nlab_err *e)
{
	cleanup_close int path = -1;
	char self[64];
	struct stat st;
	int fd;

	/* No symbolic link at all below /var/log, and nothing but a
	 * regular file opened: an O_PATH look first opens nothing. */
	path = openat2_(dir, rel, O_PATH,
			RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
				RESOLVE_NO_MAGICLINKS);
	if (path < 0 && errno == ELOOP)
		return nlab_err_set(e, 0,
				    "node %s: /" VARLOG
				    "/%s: is or goes through "
				    "a symbolic link (netlab follows none "
				    "under /" VARLOG ")",
				    node, rel);
	if (path < 0)
		return nlab_err_set(e, errno, "node %s: /" VARLOG "/%s", node,
				    rel);
	if (fstat(path, &st) < 0)
		return nlab_err_set(e, errno, "node %s: /" VARLOG "/%s", node,
				    rel);
	if (!S_ISREG(st.st_mode))
		return nlab_err_set(e, 0,
				    "node %s: /" VARLOG "/%s: not a regular "
				    "file",
				    node, rel);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", path);
	fd = open(self, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return nlab_err_set(e, errno, "node %s: /" VARLOG "/%s", node,
				    rel);
	return fd;
}

int nlab_varlog_open(const char *lab, const char *node, const char *rel,
		     int *pidfd, struct nlab_err *e)
{
	cleanup_close int sup = -1, dir = -1;
	pid_t pid;
	int fd;

	if (!nlab_varlog_path_ok(rel))
		return nlab_err_set(e, EINVAL,
				    "'%s': not a path under /" VARLOG, rel);
	sup = nlab_node_pidfd(lab, node, &pid, e);
	if (sup < 0)
		return -1;
	dir = varlog_dir(pid, sup, node, e);
	if (dir < 0)
		return -1;
	fd = open_below(dir, node, rel, e);
	if (fd < 0)
		return -1;
	*pidfd = steal_fd(sup);
	return fd;
}

/* Copy what @fd has from where it is to its end. */
static int copy_rest(int fd, FILE *out)
{
	char buf[COPY_CHUNK];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			return -1;
	}
	return fflush(out) ? -1 : 0;
}

int nlab_file_copy(int fd, int pidfd, bool follow, FILE *out,
		   struct nlab_err *e)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	if (copy_rest(fd, out))
		return nlab_err_set(e, errno, "copy");
	while (follow) {
		struct stat st;
		off_t pos;
		int r = poll(&p, 1, FOLLOW_MS);

		if (r < 0 && errno != EINTR)
			return nlab_err_set(e, errno, "poll");
		/* Truncated (a daemon's log rotation): from the start. */
		pos = lseek(fd, 0, SEEK_CUR);
		if (fstat(fd, &st) == 0 && pos > st.st_size)
			lseek(fd, 0, SEEK_SET);
		if (copy_rest(fd, out))
			return nlab_err_set(e, errno, "copy");
		if (r > 0) /* the node went down */
			break;
	}
	return 0;
}
