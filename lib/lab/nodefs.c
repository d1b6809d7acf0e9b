// SPDX-License-Identifier: MIT
/* A node's own file system view: private directories and files.  See
 * nodefs.h for the steps and why they come in that order. */
#include "lab/nodefs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/text.h"
#include "base/util.h"

#define DIR_PATH (O_PATH | O_DIRECTORY | O_CLOEXEC)
#define DIR_READ (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* At most this many entries are recreated in a fresh /run: they are the
 * few shared drop boxes (/run/lock) and symlinks (/run/shm) a system
 * keeps at its top, not a copy of it. */
#define SKEL_MAX 64

/* ---- the plan, once per `up` --------------------------------------------- */

/* The umask and ids a supervisor makes its private directories' entries
 * with: the launcher's, which every supervisor inherits. */
struct maker {
	mode_t umask;
	uid_t uid;
	gid_t gid;
};

static void skel_read(struct nlab_privdir *pd, int kind, const struct maker *mk)
{
	/* In a setgid directory a new entry takes its group, and a new
	 * directory its setgid bit too. */
	bool sgid = pd->st.st_mode & S_ISGID;
	gid_t gid = sgid ? pd->st.st_gid : mk->gid;
	DIR *d = opendir(pd->real);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) && pd->n_skel < SKEL_MAX) {
		char target[PATH_MAX];
		struct nlab_skel *s;
		struct stat st;
		ssize_t len = -1;

		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] ||
		     (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISLNK(st.st_mode)) {
			len = readlinkat(dirfd(d), de->d_name, target,
					 sizeof(target) - 1);
			if (len < 0)
				continue;
			target[len] = '\0';
		} else if (!S_ISDIR(st.st_mode) ||
			   (kind != NLAB_SKEL_DIRS &&
			    (st.st_mode & (S_ISVTX | S_IWOTH)) !=
				    (S_ISVTX | S_IWOTH))) {
			continue;
		}
		pd->skel = xrealloc(pd->skel,
				    (pd->n_skel + 1) * sizeof(*pd->skel));
		s = &pd->skel[pd->n_skel++];
		s->name = xstrdup(de->d_name);
		s->link = len >= 0 ? xstrdup(target) : NULL;
		s->mode = st.st_mode & 07777;
		s->uid = st.st_uid;
		s->gid = st.st_gid;
		s->chown = s->uid != mk->uid || s->gid != gid;
		/* mkdir takes neither setuid nor setgid from its mode */
		s->chmod = !s->link && ((s->mode & ~mk->umask & 01777) |
					(sgid ? S_ISGID : 0)) != s->mode;
	}
	closedir(d);
}

int nlab_fsplan_make(const struct nlab_topology *t, struct nlab_fsplan *p,
		     struct nlab_err *e)
{
	struct maker mk = { umask(0), geteuid(), getegid() };

	umask(mk.umask);
	memset(p, 0, sizeof(*p));
	p->topo_in = -1;
	p->priv = xcalloc(nlab_n_private_dirs, sizeof(*p->priv));
	for (size_t i = 0; i < nlab_n_private_dirs; i++) {
		struct nlab_privdir *pd = &p->priv[i];
		char *real = realpath(nlab_private_dirs[i].path, NULL);

		if (!real || stat(real, &pd->st) || !S_ISDIR(pd->st.st_mode)) {
			free(real);
			continue;
		}
		pd->real = real;
		if (nlab_private_dirs[i].skel != NLAB_SKEL_NONE)
			skel_read(pd, nlab_private_dirs[i].skel, &mk);
		if (p->topo_in < 0 && strcmp(t->dir, real) &&
		    nlab_path_under(t->dir, real))
			p->topo_in = (int)i;
	}
	if (p->topo_in >= 0) {
		const char *real = p->priv[p->topo_in].real;
		cleanup_free char *path = xstrdup(t->dir);
		size_t root = strcmp(real, "/") ? strlen(real) : 0;

		/* The owner and mode of each component of t->dir below real,
		 * from the top: "/tmp/a", then "/tmp/a/b". */
		for (char *c = strchr(path + root + 1, '/');;
		     c = strchr(c + 1, '/')) {
			struct stat *st;

			if (c)
				*c = '\0';
			p->topo_parts =
				xrealloc(p->topo_parts,
					 (p->n_topo_parts + 1) * sizeof(*st));
			st = &p->topo_parts[p->n_topo_parts++];
			if (stat(path, st))
				return nlab_err_set(e, errno, "%s", path);
			if (!c)
				break;
			*c = '/';
		}
	}
	return 0;
}

/* ---- handles ------------------------------------------------------------- */

int nlab_nodefs_open(struct nlab_nodefs *fs, const struct nlab_topology *t,
		     const struct nlab_node *n, const struct nlab_fsplan *plan,
		     int state_fd, struct nlab_err *e)
{
	struct stat want, here;

	memset(fs, 0, sizeof(*fs));
	fs->t = t;
	fs->n = n;
	fs->plan = plan;
	fs->state = fs->dir = fs->topo = -1;
	/* Nothing on the heap unless the node has mounts: a supervisor's
	 * memory is the pages it touches. */
	fs->src = n->n_mounts ? xcalloc(n->n_mounts, sizeof(*fs->src)) : NULL;
	for (size_t i = 0; i < n->n_mounts; i++)
		fs->src[i] = -1;
	/* The launcher made the lab's state directory our working
	 * directory: that is how it is reached from inside the node, where
	 * overlayfs wants its upper layer (see launcher() in node.c). */
	fs->state = open(".", DIR_PATH);
	if (fs->state < 0 || fstat(fs->state, &here) < 0 ||
	    fstat(state_fd, &want) < 0)
		return nlab_err_set(e, errno, "the lab's state directory");
	if (here.st_dev != want.st_dev || here.st_ino != want.st_ino)
		return nlab_err_set(e, 0,
				    "the lab's state directory is not "
				    "the supervisor's working directory");
	if (chdir("/") < 0)
		return nlab_err_set(e, errno, "chdir /");
	fs->topo = open(t->dir, DIR_PATH);
	if (fs->topo < 0)
		return nlab_err_set(e, errno, "%s", t->dir);
	if (n->files) {
		fs->dir = open(n->files, DIR_PATH);
		if (fs->dir < 0)
			return nlab_err_set(e, errno, "files %s", n->files);
	}
	for (size_t i = 0; i < n->n_mounts; i++) {
		if (!n->mounts[i].source)
			continue;
		fs->src[i] = open(n->mounts[i].source, O_PATH | O_CLOEXEC);
		if (fs->src[i] < 0)
			return nlab_err_set(e, errno, "bind %s:%s",
					    n->mounts[i].source,
					    n->mounts[i].target);
	}
	return 0;
}

void nlab_nodefs_close(struct nlab_nodefs *fs)
{
	for (size_t i = 0; fs->src && i < fs->n->n_mounts; i++)
		if (fs->src[i] >= 0)
			close(fs->src[i]);
	if (fs->state >= 0)
		close(fs->state);
	if (fs->dir >= 0)
		close(fs->dir);
	if (fs->topo >= 0)
		close(fs->topo);
	free(fs->src);
	fs->src = NULL;
	fs->state = fs->dir = fs->topo = -1;
}

void nlab_nodefs_source(const struct nlab_nodefs *fs, size_t i, char *buf,
			size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fs->src[i]);
}

bool nlab_nodefs_brings(const struct nlab_nodefs *fs, const char *path)
{
	struct stat st;

	return fs->dir >= 0 && path[0] == '/' && path[1] &&
	       fstatat(fs->dir, path + 1, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* ---- small file-system helpers ------------------------------------------- */

static int set_attrs(int dirfd, const char *name, const struct stat *st)
{
	if (fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) <
	    0)
		return -1;
	if (S_ISLNK(st->st_mode))
		return 0;
	return fchmodat(dirfd, name, st->st_mode & 07777, 0);
}

/* mkdir @name in @dirfd (already there is fine) with @st's owner and
 * mode when given; then open it, never through a symlink. */
static int mkdir_open(int dirfd, const char *name, const struct stat *st)
{
	bool made = mkdirat(dirfd, name, 0700) == 0;

	if (!made && errno != EEXIST)
		return -1;
	if (made && st && set_attrs(dirfd, name, st) < 0)
		return -1;
	return openat(dirfd, name, DIR_READ);
}

/*
 * Make @rel ("a/b/c", no "..": a clean node path's tail) below @root,
 * a directory the node alone has: never through a symlink, never onto
 * another file system (one mounted in it).  @parts, when given, are the
 * owner and mode of each component; else directories are 0755.  The last
 * one is an empty file when @file.
 */
static int make_below(int root, const char *rel, const struct stat *parts,
		      bool file, struct nlab_err *e)
{
	static const struct stat dir0755 = { .st_mode = S_IFDIR | 0755 };
	cleanup_close int fd = fcntl(root, F_DUPFD_CLOEXEC, 0);
	struct stat top, st;
	const char *cur = rel;
	size_t i = 0;

	if (fd < 0 || fstat(fd, &top) < 0)
		return nlab_err_set(e, errno, "make %s", rel);
	/* Component by component, each copied out (not a copy of @rel on
	 * the heap: a supervisor does this). */
	while (*cur) {
		const struct stat *want = &dir0755;
		const char *end = strchrnul(cur, '/');
		size_t len = (size_t)(end - cur);
		bool last = !*end;
		char comp[NAME_MAX + 1];
		int next;

		cur = last ? end : end + 1;
		if (!len)
			continue;
		if (len > NAME_MAX)
			return nlab_err_set(e, ENAMETOOLONG, "make %s", rel);
		memcpy(comp, end - len, len);
		comp[len] = '\0';
		if (parts)
			want = &parts[i++];
		if (last && file) {
			next = openat(fd, comp,
				      O_WRONLY | O_CREAT | O_NOFOLLOW |
					      O_CLOEXEC,
				      0644);
			if (next < 0)
				return nlab_err_set(e, errno, "make %s", rel);
			close(next);
			return 0;
		}
		next = mkdir_open(fd, comp, want);
		if (next < 0)
			return nlab_err_set(e, errno, "make %s", rel);
		close(fd);
		fd = next;
		if (fstat(fd, &st) < 0 || st.st_dev != top.st_dev)
			return nlab_err_set(e, EXDEV,
					    "make %s: another file system is "
					    "mounted on the way",
					    rel);
	}
	return 0;
}

/* ---- mounts below a directory, and moving them --------------------------- */

struct mnt {
	int id;
	char *point; /* unescaped */
};

static void unescape_octal(char *s)
{
	char *d = s;

	for (; *s; s++, d++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				    (s[3] - '0'));
			s += 3;
		} else {
			*d = *s;
		}
	}
	*d = '\0';
}

/* Every mount of this namespace: id and mount point, in mountinfo order
 * (a mount comes after the one it is mounted on). */
static struct mnt *read_mounts(size_t *n)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	struct mnt *m = NULL;
	size_t cap = 0, lcap = 0;

	*n = 0;
	if (!f)
		return NULL;
	while (getline(&line, &lcap, f) > 0) {
		char point[PATH_MAX];
		int id;

		if (sscanf(line, "%d %*d %*s %*s %4095s", &id, point) != 2)
			continue;
		unescape_octal(point);
		xgrow(&m, &cap, *n + 1, sizeof(*m));
		m[*n].id = id;
		m[(*n)++].point = xstrdup(point);
	}
	return m;
}

static void free_mounts(struct mnt *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].point);
	free(m);
}

/*
 * A new mount now covers @dir (absolute), which @old still opens as it
 * was: move each mount that was visible below it onto the same path on
 * top.  A mount moves with everything mounted on it; one hidden below
 * another (or moved along with it by now) is not at its path any more
 * and is left.
 */
static int move_covered(const char *dir, int old, const struct mnt *m, size_t n,
			struct nlab_err *e)
{
	size_t dl = strcmp(dir, "/") ? strlen(dir) : 0;
	int ret = 0;

	if (fchdir(old) < 0)
		return nlab_err_set(e, errno, "move mounts below %s", dir);
	for (size_t i = 0; i < n && !ret; i++) {
		const char *rel = m[i].point + dl + 1;
		struct statx sx;

		if (!nlab_path_under(m[i].point, dir) ||
		    !strcmp(m[i].point, dir))
			continue;
		if (statx(old, rel, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
			  STATX_MNT_ID, &sx) < 0 ||
		    !(sx.stx_mask & STATX_MNT_ID) ||
		    sx.stx_mnt_id != (unsigned)m[i].id)
			continue;
		if (mount(rel, m[i].point, NULL, MS_MOVE, NULL) == 0)
			continue;
		/* Its path does not lead to a directory in the new view (a
		 * symlink or nothing under the host's mount: seen in a
		 * chroot whose host has mounts on paths of its own): the
		 * node could not reach it there anyway; it stays below. */
		if (errno == ELOOP || errno == ENOENT || errno == ENOTDIR)
			continue;
		ret = nlab_err_set(e, errno, "move the mount on %s",
				   m[i].point);
	}
	if (chdir("/") < 0 && !ret)
		ret = nlab_err_set(e, errno, "chdir /");
	return ret;
}

/* ---- overlay mounts ------------------------------------------------------ */

/* Mount options being written: raw text, and paths with overlayfs's
 * escapes for ',', ':' and '\\'. */
struct opts {
	char buf[4096];
	size_t n;
	bool full;
};

static void opt_raw(struct opts *o, const char *s)
{
	size_t l = strlen(s);

	if (o->n + l >= sizeof(o->buf)) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->n, s, l + 1);
	o->n += l;
}

static void opt_path(struct opts *o, const char *s)
{
	for (; *s; s++) {
		char c[3] = { '\\', *s, '\0' };

		opt_raw(o, strchr(",:\\", *s) ? c : c + 1);
	}
}

/* Mount an overlay on @target: @lower1 (may be NULL) over @lower2, with
 * NODE.files/@up and NODE.files/@work in the state dir above. */
static int overlay(const struct nlab_nodefs *fs, const char *target,
		   const char *lower1, const char *lower2, const char *up,
		   const char *work, struct nlab_err *e)
{
	struct opts o = { .n = 0 };
	char state[64];

	snprintf(state, sizeof(state),
		 "/proc/self/fd/%d/%s" NLAB_FILES_SUFFIX "/", fs->state,
		 fs->n->name);
	opt_raw(&o, "lowerdir=");
	if (lower1) {
		opt_path(&o, lower1);
		opt_raw(&o, ":");
	}
	opt_path(&o, lower2);
	opt_raw(&o, ",upperdir=");
	opt_path(&o, state);
	opt_path(&o, up);
	opt_raw(&o, ",workdir=");
	opt_path(&o, state);
	opt_path(&o, work);
	/* volatile (Linux 5.10): no sync of the upper layer, which `down`
	 * throws away anyway; each sync at a node's end would cost a
	 * journal commit where /run is on disk. */
	opt_raw(&o, ",volatile");
	if (o.full)
		return nlab_err_set(e, ENAMETOOLONG, "files over %s", target);
	if (mount("overlay", target, "overlay", 0, o.buf) == 0)
		return 0;
	o.buf[o.n - strlen(",volatile")] = '\0';
	if (errno == EINVAL &&
	    mount("overlay", target, "overlay", 0, o.buf) == 0)
		return 0;
	if (errno == ELOOP && lower1)
		return nlab_err_set(e, 0,
				    "files over %s: %s lies inside %s, which "
				    "it would cover (overlayfs takes no layer "
				    "inside another)",
				    target, fs->n->files, lower2);
	return nlab_err_set(e, errno, "files over %s", target);
}

/* NODE.files in the state dir, made on first use. */
static int files_dir(const struct nlab_nodefs *fs, struct nlab_err *e)
{
	char name[NLAB_NAME_MAX + sizeof(NLAB_FILES_SUFFIX)];
	int fd;

	snprintf(name, sizeof(name), "%s" NLAB_FILES_SUFFIX, fs->n->name);
	if (mkdirat(fs->state, name, 0700) < 0 && errno != EEXIST)
		return nlab_err_set(e, errno, "make %s", name);
	fd = openat(fs->state, name, DIR_READ);
	if (fd < 0)
		return nlab_err_set(e, errno, "open %s", name);
	return fd;
}

/* A new, empty overlayfs work directory in NODE.files: @base, or @base.N
 * when the node's earlier start (`restart`, `start` after `stop`) left
 * that one, which overlayfs may refuse to take again (a `volatile` one
 * is marked); all go at `down` with NODE.files.  Its name, or NULL. */
#define WORK_TRIES 1000
static char *fresh_work(int files, const char *base, struct nlab_err *e)
{
	for (int i = 0; i < WORK_TRIES; i++) {
		char *name = i ? nlab_strfmt("%s.%d", base, i) : xstrdup(base);

		if (mkdirat(files, name, 0700) == 0)
			return name;
		free(name);
		if (errno != EEXIST)
			break;
	}
	nlab_err_set(e, errno, "make %s", base);
	return NULL;
}

/* ---- 2. the root, when files bring what / has not got -------------------- */

/* Does DIR's top entry @name fit the host's / as it is (a directory over
 * a directory)?  If not, the node's / must become an overlay. */
static bool top_fits(int dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    !S_ISDIR(st.st_mode))
		return false;
	snprintf(path, sizeof(path), "/%s", name);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A copy of DIR's top entry @name in the root's upper layer @up: a
 * directory empty (files fill it later), anything else whole. */
static int copy_top(int dir, int up, const char *name, struct nlab_err *e)
{
	char link[PATH_MAX];
	struct stat st;
	ssize_t len;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return nlab_err_set(e, errno, "files: %s", name);
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		if (mkdirat(up, name, 0700) < 0)
			return nlab_err_set(e, errno, "files: /%s", name);
		break;
	case S_IFLNK:
		len = readlinkat(dir, name, link, sizeof(link) - 1);
		if (len < 0)
			return nlab_err_set(e, errno, "files: %s", name);
		link[len] = '\0';
		if (symlinkat(link, up, name) < 0)
			return nlab_err_set(e, errno, "files: /%s", name);
		break;
	case S_IFREG: {
		cleanup_close int in = openat(dir, name, O_RDONLY | O_CLOEXEC);
		cleanup_close int out = -1;
		char buf[65536];
		ssize_t r;

		if (in < 0)
			return nlab_err_set(e, errno, "files: %s", name);
		out = openat(up, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			     0600);
		if (out < 0)
			return nlab_err_set(e, errno, "files: /%s", name);
		while ((r = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, r) != r)
				return nlab_err_set(e, errno, "files: /%s",
						    name);
		if (r < 0)
			return nlab_err_set(e, errno, "files: %s", name);
		break;
	}
	case S_IFIFO:
	case S_IFCHR:
	case S_IFBLK:
		if (mknodat(up, name, st.st_mode, st.st_rdev) < 0)
			return nlab_err_set(e, errno, "files: /%s", name);
		break;
	default:
		return nlab_err_set(e, 0, "files: %s: cannot bring a socket",
				    name);
	}
	if (set_attrs(up, name, &st) < 0)
		return nlab_err_set(e, errno, "files: /%s", name);
	return 0;
}

/*
 * Is this process's / the root of its file system's mount?  Not in a
 * chroot made by binding a directory onto itself (its mount's root, the
 * fourth field of /proc/self/mountinfo, is that directory): there the
 * node's overlaid / would be built over the real root, outside the
 * chroot, and the node would write on the host.  Refused then.
 */
static bool root_is_mount_root(void)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	bool yes = false;

	while (f && getline(&line, &cap, f) > 0) {
		char root[4096], point[4096];

		if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) ==
			    2 &&
		    !strcmp(point, "/"))
			yes = !strcmp(root, "/");
	}
	return yes;
}

int nlab_nodefs_root(struct nlab_nodefs *fs, struct nlab_err *e)
{
	cleanup_close int files = -1, up = -1, old = -1, ns = -1, top = -1;
	cleanup_free char *work = NULL;
	struct dirent *de;
	struct stat root;
	bool made;
	struct mnt *m;
	size_t n_m;
	DIR *d;
	int r, topo_in;

	if (fs->dir < 0)
		return 0;
	top = openat(fs->dir, ".", DIR_READ);
	d = top < 0 ? NULL : fdopendir(top);
	if (!d)
		return nlab_err_set(e, errno, "files %s", fs->n->files);
	top = -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    !top_fits(fs->dir, de->d_name))
			fs->root = true;
	if (!fs->root) {
		closedir(d);
		return 0;
	}
	if (!root_is_mount_root()) {
		closedir(d);
		return nlab_err_set(
			e, 0,
			"files %s: its top brings what the host's / "
			"has not got, which needs an overlay of the "
			"node's whole /; netlab's / is not a file "
			"system's root here (a chroot): not "
			"supported",
			fs->n->files);
	}
	files = files_dir(fs, e);
	if (files < 0) {
		closedir(d);
		return -1;
	}
	/* A node started again keeps its copy of / as it left it. */
	made = mkdirat(files, "root", 0700) == 0;
	if ((!made && errno != EEXIST) || stat("/", &root) < 0 ||
	    (made && set_attrs(files, "root", &root) < 0) ||
	    (up = openat(files, "root", DIR_READ)) < 0) {
		closedir(d);
		return nlab_err_set(e, errno, "files: the node's own /");
	}
	work = fresh_work(files, "root.work", e);
	if (!work) {
		closedir(d);
		return -1;
	}
	rewinddir(d);
	while (made && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    top_fits(fs->dir, de->d_name))
			continue;
		if (copy_top(fs->dir, up, de->d_name, e)) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	/* Everything mounted on / stays where it is, moved on top; the
	 * root itself is this namespace's again once we enter it anew. */
	old = open("/", DIR_PATH);
	ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (old < 0 || ns < 0)
		return nlab_err_set(e, errno, "files: the node's own /");
	m = read_mounts(&n_m);
	if (overlay(fs, "/", NULL, "/", "root", work, e)) {
		free_mounts(m, n_m);
		return -1;
	}
	if (setns(ns, CLONE_NEWNS) < 0) {
		free_mounts(m, n_m);
		return nlab_err_set(e, errno, "files: enter the node's own /");
	}
	r = move_covered("/", old, m, n_m, e);
	free_mounts(m, n_m);
	if (r)
		return -1;
	/* The topology's directory is the host's, not a copy (the node's
	 * own /tmp binds it again when it lies there). */
	topo_in = fs->plan->topo_in;
	if (strcmp(fs->t->dir, "/") &&
	    (topo_in < 0 || (fs->n->shared & nlab_private_dirs[topo_in].bit))) {
		char src[64];

		snprintf(src, sizeof(src), "/proc/self/fd/%d", fs->topo);
		if (mount(src, fs->t->dir, NULL, MS_BIND | MS_REC, NULL) < 0)
			return nlab_err_set(e, errno, "bind %s", fs->t->dir);
	}
	return 0;
}

/* ---- 4. private directories ---------------------------------------------- */

/* Entry @s at the top of a fresh private directory, as the host has it:
 * most take the one call (the plan knows which need more; on this
 * development host 15 calls a node for its nine entries, not 25). */
static int make_skel(int fd, const struct nlab_skel *s)
{
	if ((s->link ? symlinkat(s->link, fd, s->name)
		     : mkdirat(fd, s->name, s->mode)) < 0)
		return -1;
	if (s->chown &&
	    fchownat(fd, s->name, s->uid, s->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	/* (after chown, which may clear setuid and setgid) */
	if (s->chmod)
		return fchmodat(fd, s->name, s->mode, 0);
	return 0;
}

static int private_tmpfs(const struct nlab_privdir *pd, struct nlab_err *e)
{
	cleanup_close int fd = -1;
	char opts[96];

	snprintf(opts, sizeof(opts), "mode=%04o,uid=%u,gid=%u",
		 (unsigned)(pd->st.st_mode & 07777), (unsigned)pd->st.st_uid,
		 (unsigned)pd->st.st_gid);
	if (mount("tmpfs", pd->real, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return nlab_err_set(e, errno, "the node's own %s", pd->real);
	fd = open(pd->real, DIR_READ);
	if (fd < 0)
		return nlab_err_set(e, errno, "the node's own %s", pd->real);
	for (size_t i = 0; i < pd->n_skel; i++)
		if (make_skel(fd, &pd->skel[i]) < 0)
			return nlab_err_set(e, errno, "the node's own %s/%s",
					    pd->real, pd->skel[i].name);
	return 0;
}

/* The targets of the node's own mounts in private directory @i. */
static int make_targets(struct nlab_nodefs *fs, size_t i, int root,
			struct nlab_err *e)
{
	const char *dir = nlab_private_dirs[i].path;

	for (size_t j = 0; j < fs->n->n_mounts; j++) {
		const struct nlab_mount *m = &fs->n->mounts[j];
		struct stat st;
		bool file = false;

		if (nlab_node_private_of(fs->t, fs->n, m->target) != (int)i ||
		    !strcmp(m->target, dir))
			continue;
		if (m->source && fstat(fs->src[j], &st) == 0)
			file = !S_ISDIR(st.st_mode);
		if (make_below(root, m->target + strlen(dir) + 1, NULL, file,
			       e))
			return nlab_err_wrap(e, "%s %s",
					     m->source ? "bind" : "tmpfs",
					     m->target);
	}
	return 0;
}

int nlab_nodefs_private(struct nlab_nodefs *fs, struct nlab_err *e)
{
	const struct nlab_fsplan *p = fs->plan;

	for (size_t i = 0; i < nlab_n_private_dirs; i++) {
		const struct nlab_privdir *pd = &p->priv[i];
		bool again = false;

		if ((fs->n->shared & nlab_private_dirs[i].bit) || !pd->real ||
		    !strcmp(pd->real, fs->t->dir))
			continue;
		for (size_t j = 0; j < i; j++)
			if (fs->made[j] && !strcmp(p->priv[j].real, pd->real))
				again = true;
		if (!again && private_tmpfs(pd, e))
			return -1;
		fs->made[i] = true;
	}
	for (size_t i = 0; i < nlab_n_private_dirs; i++) {
		cleanup_close int root = -1;

		/* (most nodes have nothing to make in them) */
		if (!fs->made[i] || (!fs->n->n_mounts && (int)i != p->topo_in))
			continue;
		root = open(p->priv[i].real, DIR_READ);
		if (root < 0)
			return nlab_err_set(e, errno, "%s", p->priv[i].real);
		if (make_targets(fs, i, root, e))
			return -1;
		if ((int)i == p->topo_in) {
			const char *rel = fs->t->dir + strlen(p->priv[i].real);
			char src[64];

			if (make_below(root, rel + (rel[0] == '/'),
				       p->topo_parts, false, e))
				return nlab_err_wrap(e, "the topology's "
							"directory");
			snprintf(src, sizeof(src), "/proc/self/fd/%d",
				 fs->topo);
			if (mount(src, fs->t->dir, NULL, MS_BIND | MS_REC,
				  NULL) < 0)
				return nlab_err_set(e, errno, "bind %s",
						    fs->t->dir);
		}
	}
	return 0;
}

/* ---- 5. files ------------------------------------------------------------ */

/* Where DIR's subtree @rel ("etc/frr") is mounted: the node's @real. */
struct point {
	char *rel;
	char *real;
};

struct walk {
	const struct nlab_nodefs *fs;
	struct point *pts;
	size_t n, cap;
};

/* The subdirectories of DIR/@rel, or -1 when the node's "/rel" cannot
 * take DIR/@rel's entries as they are (one is not a directory in both):
 * then "/rel" is where an overlay goes. */
static int subdirs(const struct walk *w, const char *rel, char ***out,
		   size_t *n)
{
	cleanup_close int fd = -1;
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	*out = NULL;
	*n = 0;
	fd = openat(w->fs->dir, *rel ? rel : ".", DIR_READ);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d)
		return -2;
	fd = -1;
	while ((de = readdir(d))) {
		char node[PATH_MAX];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (!S_ISDIR(st.st_mode)) {
			/* at the top, the root overlay holds it already */
			if (!*rel && w->fs->root)
				continue;
			ret = -1;
			break;
		}
		snprintf(node, sizeof(node), "/%s%s%s", rel, *rel ? "/" : "",
			 de->d_name);
		if (stat(node, &st) || !S_ISDIR(st.st_mode)) {
			ret = -1;
			break;
		}
		xgrow(out, &cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	return ret;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int add_point(struct walk *w, const char *rel, struct nlab_err *e)
{
	char node[PATH_MAX];
	char *real;

	snprintf(node, sizeof(node), "/%s", rel);
	real = realpath(node, NULL);
	if (!real)
		return nlab_err_set(e, errno, "files: %s", node);
	for (size_t i = 0; i < w->n; i++)
		if (nlab_path_under(real, w->pts[i].real) ||
		    nlab_path_under(w->pts[i].real, real)) {
			nlab_err_set(e, 0,
				     "files: %s/%s and %s/%s both land in %s",
				     w->fs->n->files, w->pts[i].rel,
				     w->fs->n->files, rel, real);
			free(real);
			return -1;
		}
	xgrow(&w->pts, &w->cap, w->n + 1, sizeof(*w->pts));
	w->pts[w->n].rel = xstrdup(rel);
	w->pts[w->n++].real = real;
	return 0;
}

/* Find the overlay points below DIR/@rel, a directory the node has. */
static int find_points(struct walk *w, const char *rel, struct nlab_err *e)
{
	char **subs;
	size_t n;
	int r = subdirs(w, rel, &subs, &n);

	if (r == -2)
		return nlab_err_set(e, errno, "files: %s/%s", w->fs->n->files,
				    rel);
	if (r == -1) {
		free_names(subs, n);
		return add_point(w, rel, e);
	}
	for (size_t i = 0; i < n && !r; i++) {
		cleanup_free char *sub =
			nlab_strfmt("%s%s%s", rel, *rel ? "/" : "", subs[i]);

		r = find_points(w, sub, e);
	}
	free_names(subs, n);
	return r;
}

/*
 * The upper layer's directories for DIR/@rel's subdirectories that the
 * node has as directories: made in advance with the node's owner and
 * mode, so that a directory both have keeps the host's (overlayfs shows
 * the upper one's, else DIR's).  @up opens the upper layer's @rel.
 */
static int premake(const struct nlab_nodefs *fs, const char *rel,
		   const char *node, int up, struct nlab_err *e)
{
	cleanup_close int fd = openat(fs->dir, rel, DIR_READ);
	struct dirent *de;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	int ret = 0;

	if (!d)
		return nlab_err_set(e, errno, "files: %s/%s", fs->n->files,
				    rel);
	fd = -1;
	while (!ret && (de = readdir(d))) {
		cleanup_free char *sub_rel = NULL, *sub_node = NULL;
		cleanup_close int sub_up = -1;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode))
			continue;
		sub_node = nlab_strfmt("%s/%s", strcmp(node, "/") ? node : "",
				       de->d_name);
		if (lstat(sub_node, &st) || !S_ISDIR(st.st_mode))
			continue;
		sub_up = mkdir_open(up, de->d_name, &st);
		if (sub_up < 0) {
			ret = nlab_err_set(e, errno, "files: %s", sub_node);
			break;
		}
		sub_rel = nlab_strfmt("%s/%s", rel, de->d_name);
		ret = premake(fs, sub_rel, sub_node, sub_up, e);
	}
	closedir(d);
	return ret;
}

/* NODE.files/@top/@real (each directory of @real on the way, "etc" then
 * "etc/frr"), the last with @st's owner and mode; an open fd. */
static int make_layer(int files, const char *top, const char *real,
		      const struct stat *st, struct nlab_err *e)
{
	cleanup_free char *path = nlab_strfmt("%s%s", top, real);
	cleanup_close int fd = fcntl(files, F_DUPFD_CLOEXEC, 0);
	char *cur = path, *comp;

	if (fd < 0)
		return nlab_err_set(e, errno, "files");
	while ((comp = strsep(&cur, "/"))) {
		int next;

		if (!*comp)
			continue;
		next = mkdir_open(fd, comp, cur ? NULL : st);
		if (next < 0)
			return nlab_err_set(e, errno, "make %s", path);
		close(fd);
		fd = next;
	}
	return steal_fd(fd);
}

/* Overlay point @i: its upper layer mirrors its path, NODE.files/upper/
 * etc/frr, for a reader of the lab's state; its work directory (which
 * overlayfs keeps to itself) is NODE.files/work.I. */
static int mount_point(const struct nlab_nodefs *fs, int files, size_t i,
		       const struct point *p, const struct mnt *m, size_t n_m,
		       struct nlab_err *e)
{
	cleanup_free char *lower = NULL, *up = NULL, *work = NULL, *base = NULL;
	cleanup_close int up_fd = -1, old = -1;
	struct stat st;

	if (stat(p->real, &st) < 0)
		return nlab_err_set(e, errno, "files: %s", p->real);
	up_fd = make_layer(files, "upper", p->real, &st, e);
	if (up_fd < 0)
		return -1;
	base = nlab_strfmt("work.%zu", i);
	work = fresh_work(files, base, e);
	if (!work)
		return -1;
	if (premake(fs, *p->rel ? p->rel : ".", p->real, up_fd, e))
		return -1;
	old = open(p->real, DIR_PATH);
	if (old < 0)
		return nlab_err_set(e, errno, "files: %s", p->real);
	lower = nlab_strfmt("/proc/self/fd/%d/%s", fs->dir, p->rel);
	up = nlab_strfmt("upper%s", p->real);
	if (overlay(fs, p->real, lower, p->real, up, work, e))
		return -1;
	return move_covered(p->real, old, m, n_m, e);
}

int nlab_nodefs_files(struct nlab_nodefs *fs, struct nlab_err *e)
{
	struct walk w = { .fs = fs };
	cleanup_close int files = -1;
	struct mnt *m = NULL;
	size_t n_m = 0;
	int ret = 0;

	if (fs->dir < 0)
		return 0;
	ret = find_points(&w, "", e);
	if (!ret && w.n) {
		files = files_dir(fs, e);
		if (files < 0)
			ret = -1;
		else
			m = read_mounts(&n_m);
	}
	for (size_t i = 0; !ret && i < w.n; i++)
		ret = mount_point(fs, files, i, &w.pts[i], m, n_m, e);
	free_mounts(m, n_m);
	for (size_t i = 0; i < w.n; i++) {
		free(w.pts[i].rel);
		free(w.pts[i].real);
	}
	free(w.pts);
	return ret;
}
