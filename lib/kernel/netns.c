// SPDX-License-Identifier: MIT
#include "kernel/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/parallel.h"
#include "base/util.h"

static void netns_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, NLAB_NETNS_DIR "/%s", name);
}

int nlab_netns_dir_prepare(struct nlab_err *e)
{
	cleanup_close int dfd = -1;
	int ret = 0;

	if (mkdir(NLAB_NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return nlab_err_set(e, errno, "mkdir " NLAB_NETNS_DIR);
	dfd = open(NLAB_NETNS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return nlab_err_set(e, errno, "open " NLAB_NETNS_DIR);
	if (flock(dfd, LOCK_EX) < 0)
		return nlab_err_set(e, errno, "lock " NLAB_NETNS_DIR);

	/* Already a mount point: just make sure it propagates. */
	if (mount("", NLAB_NETNS_DIR, NULL, MS_SHARED | MS_REC, NULL) == 0)
		goto out;
	if (errno != EINVAL) {
		ret = nlab_err_set(e, errno, "make " NLAB_NETNS_DIR " shared");
		goto out;
	}
	/* Not a mount point yet: bind it onto itself, leave /run's peer
	 * group (else every netns shows twice in mountinfo on systemd hosts),
	 * then share it so unmounts reach other mount namespaces' copies. */
	if (mount(NLAB_NETNS_DIR, NLAB_NETNS_DIR, "none", MS_BIND | MS_REC,
		  NULL) < 0 ||
	    mount("", NLAB_NETNS_DIR, NULL, MS_PRIVATE | MS_REC, NULL) < 0 ||
	    mount("", NLAB_NETNS_DIR, NULL, MS_SHARED | MS_REC, NULL) < 0)
		ret = nlab_err_set(e, errno, "mount " NLAB_NETNS_DIR);
out:
	flock(dfd, LOCK_UN);
	return ret;
}

int nlab_netns_new(int *nsfd, struct nlab_ident *id, struct nlab_err *e)
{
	struct stat sb;

	if (unshare(CLONE_NEWNET) < 0)
		return nlab_err_set(e, errno, "unshare");
	*nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*nsfd < 0)
		return nlab_err_set(e, errno, "open /proc/self/ns/net");
	if (fstat(*nsfd, &sb) < 0) {
		nlab_err_set(e, errno, "stat /proc/self/ns/net");
		close(*nsfd);
		*nsfd = -1;
		return -1;
	}
	nlab_ident_of(id, &sb);
	return 0;
}

int nlab_netns_bind(const char *name, struct nlab_err *e)
{
	char path[PATH_MAX];
	int fd;

	netns_path(path, sizeof(path), name);
	/* O_EXCL: never an existing file, nor through a symlink. */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == EEXIST)
			return nlab_err_set(e, EEXIST,
					    "netns %s already exists", name);
		return nlab_err_set(e, errno, "create %s", path);
	}
	close(fd);
	if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		nlab_err_set(e, errno, "netns %s: bind", name);
		unlink(path);
		return -1;
	}
	return 0;
}

int nlab_netns_open(const char *name, struct nlab_err *e)
{
	char path[PATH_MAX];
	struct statfs sfs;
	int fd;

	netns_path(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nlab_err_set(e, errno, "netns %s", name);
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC) {
		close(fd);
		return nlab_err_set(e, ENOENT, "netns %s is not bound", name);
	}
	return fd;
}

int nlab_netns_enter(int fd, struct nlab_err *e)
{
	if (setns(fd, CLONE_NEWNET) < 0)
		return nlab_err_set(e, errno, "setns");
	return 0;
}

int nlab_netns_remove(const char *name, struct nlab_err *e)
{
	char path[PATH_MAX];

	netns_path(path, sizeof(path), name);
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 &&
	    errno != EINVAL && errno != ENOENT)
		return nlab_err_set(e, errno, "unmount %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return nlab_err_set(e, errno, "remove %s", path);
	return 0;
}

/* A bound namespace: a file whose file system is nsfs. */
static bool is_nsfs(int dfd, const char *name)
{
	cleanup_close int fd =
		openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct statfs sfs;

	return fd >= 0 && fstatfs(fd, &sfs) == 0 && sfs.f_type == NSFS_MAGIC;
}

/* 1 if /run/netns/@name (in @dfd, whose stat is @db) is what `up` made
 * (see nlab_netns_remove_made), 0 if it is gone or someone else's (said
 * through @w), -1 with @e. */
static int made_here(int dfd, const struct stat *db, const char *name,
		     const struct nlab_ident *id, bool by_name,
		     const struct nlab_warn *w, struct nlab_err *e)
{
	struct stat sb;
	bool ours;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT
			       ? 0
			       : nlab_err_set(e, errno, NLAB_NETNS_DIR "/%s",
					      name);
	if (id->set)
		ours = nlab_ident_is(id, &sb);
	else
		ours = by_name && S_ISREG(sb.st_mode) && is_nsfs(dfd, name);
	/* `up` killed between the O_EXCL create and the bind leaves an
	 * empty file of /run/netns's own file system: never a namespace. */
	if (!ours && S_ISREG(sb.st_mode) && sb.st_dev == db->st_dev &&
	    sb.st_size == 0)
		ours = true;
	if (!ours)
		nlab_warn(w,
			  NLAB_NETNS_DIR "/%s is not the namespace netlab "
					 "made (re-created since?): left alone",
			  name);
	return ours;
}

static int open_dir(int *dfd, struct stat *db, struct nlab_err *e)
{
	*dfd = open(NLAB_NETNS_DIR,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*dfd < 0)
		return errno == ENOENT
			       ? 1
			       : nlab_err_set(e, errno, "open " NLAB_NETNS_DIR);
	if (fstat(*dfd, db) < 0)
		return nlab_err_set(e, errno, NLAB_NETNS_DIR);
	return 0;
}

static int unmount_err(int err, const char *name, struct nlab_err *e)
{
	if (!err || err == EINVAL || err == ENOENT)
		return 0;
	return nlab_err_set(e, err, "unmount " NLAB_NETNS_DIR "/%s", name);
}

static int unlink_made(int dfd, const char *name, struct nlab_err *e)
{
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return nlab_err_set(e, errno, "remove " NLAB_NETNS_DIR "/%s",
				    name);
	return 0;
}

static int unmount_one(const char *name)
{
	char path[PATH_MAX];

	netns_path(path, sizeof(path), name);
	return umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 ? errno : 0;
}

struct unmounts {
	const struct nlab_netns_made *ns;
	const size_t *which;
	int *err;
};

static void unmount_job(void *ctx, size_t i)
{
	struct unmounts *u = ctx;

	u->err[i] = unmount_one(u->ns[u->which[i]].name);
}

/* Unmounts at once: enough to share most grace periods (200 took 71 ms
 * with 32 threads, 27 ms with 64, 2 s with one), few enough that
 * their threads cost nothing next to the unmounts. */
#define UNMOUNT_THREADS 64

int nlab_netns_remove_made_many(const struct nlab_netns_made *ns, size_t n,
				bool by_name, const struct nlab_warn *w,
				struct nlab_err *e)
{
	cleanup_free size_t *which = xcalloc(n ? n : 1, sizeof(*which));
	cleanup_free int *err = xcalloc(n ? n : 1, sizeof(*err));
	struct unmounts u = { .ns = ns, .which = which, .err = err };
	cleanup_close int dfd = -1;
	struct nlab_err e1;
	struct stat db;
	size_t m = 0;
	int failed = 0, r = open_dir(&dfd, &db, e);

	if (r)
		return r > 0 ? 0 : -1;
	/* The checks first, one by one (each may warn); then every
	 * unmount at once; then the (empty) files. */
	for (size_t i = 0; i < n; i++) {
		r = made_here(dfd, &db, ns[i].name, ns[i].id, by_name, w, &e1);
		if (r > 0)
			which[m++] = i;
		else if (r < 0 && !failed++)
			*e = e1;
	}
	nlab_parallel(m, UNMOUNT_THREADS, unmount_job, &u);
	for (size_t k = 0; k < m; k++) {
		const char *name = ns[which[k]].name;

		if ((unmount_err(err[k], name, &e1) ||
		     unlink_made(dfd, name, &e1)) &&
		    !failed++)
			*e = e1;
	}
	return failed ? -1 : 0;
}

int nlab_netns_remove_made(const char *name, const struct nlab_ident *id,
			   bool by_name, const struct nlab_warn *w,
			   struct nlab_err *e)
{
	const struct nlab_netns_made one = { .name = name, .id = id };

	return nlab_netns_remove_made_many(&one, 1, by_name, w, e);
}

bool nlab_netns_exists(const char *name)
{
	char path[PATH_MAX];

	netns_path(path, sizeof(path), name);
	return access(path, F_OK) == 0;
}

int nlab_netns_probe(int (*fn)(void *arg, struct nlab_err *e), void *arg,
		     struct nlab_err *e)
{
	cleanup_close int orig =
		open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int ret;

	if (orig < 0)
		return nlab_err_set(e, errno, "open /proc/self/ns/net");
	if (unshare(CLONE_NEWNET) < 0)
		return nlab_err_set(e, errno, "probe: unshare");
	ret = fn(arg, e);
	if (setns(orig, CLONE_NEWNET) < 0)
		return nlab_err_set(e, errno, "probe: setns back");
	return ret;
}
