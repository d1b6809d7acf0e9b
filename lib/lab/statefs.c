// SPDX-License-Identifier: MIT
#include "lab/statefs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "base/util.h"
#include "lab/state.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static bool in_memory(int fd)
{
	struct statfs s;

	return fstatfs(fd, &s) == 0 &&
	       (s.f_type == TMPFS_MAGIC || s.f_type == RAMFS_MAGIC);
}

static bool same_dir(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Nothing in @dirfd but "." and ".."; false when it cannot be read. */
static bool is_empty(int dirfd)
{
	char buf[1024] __attribute__((aligned(8)));
	cleanup_close int fd = openat(dirfd, ".", DIR_FLAGS);
	ssize_t len;

	if (fd < 0)
		return false;
	while ((len = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < len;) {
			const struct dirent64 *de = (void *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				return false;
		}
	}
	return len == 0;
}

/* A tmpfs onto the very directory @dirfd is (the new mount API looks no
 * path up again: nothing can be swapped in between). */
static int mount_tmpfs(int dirfd)
{
	cleanup_close int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt = -1;

	if (fs < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "source", "netlab", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	mnt = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (mnt < 0)
		return -1;
	return move_mount(mnt, "", dirfd, "",
			  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/*
 * Every netlab that makes something in /run/netlab on a disk takes an
 * exclusive flock on that directory (the disk's, which a tmpfs mounted on
 * it does not change) and looks again once it holds it: one that mounts
 * the tmpfs does so only while the directory is empty, so nothing another
 * made there is ever hidden under it, and one that waited sees the tmpfs.
 * A tmpfs that cannot be mounted (no new mount API, no privilege) leaves
 * the state on the disk, as before.
 */
int nlab_statefs_open(int *lock)
{
	cleanup_close int under = -1, fd = -1;

	*lock = -1;
	if (mkdir(NLAB_STATE_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	under = open(NLAB_STATE_DIR, DIR_FLAGS);
	if (under < 0)
		return -1;
	if (in_memory(under))
		return steal_fd(under);
	if (flock(under, LOCK_EX) < 0)
		return -1;
	fd = open(NLAB_STATE_DIR, DIR_FLAGS);
	if (fd < 0)
		return -1;
	if (!in_memory(fd) && same_dir(fd, under) && is_empty(fd) &&
	    mount_tmpfs(fd) == 0) {
		close(fd);
		fd = open(NLAB_STATE_DIR, DIR_FLAGS);
		if (fd < 0)
			return -1;
	}
	*lock = steal_fd(under);
	return steal_fd(fd);
}
