// SPDX-License-Identifier: MIT
/* A node's log, capped and rotated: the supervisor's writer and the
 * reader behind `netlab log`.  See nodelog.h for the files. */
#include "lab/nodelog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/state.h"
#include "base/text.h"
#include "lab/names.h"
#include "base/util.h"

#define NAME_MAX_LEN (NLAB_NAME_MAX + 16)
#define CHUNK	     65536

static void file_name(char *buf, const char *node, const char *suffix)
{
	snprintf(buf, NAME_MAX_LEN, "%s%s", node, suffix);
}

/* ---- the supervisor's side ----------------------------------------------- */

static int open_new(int dirfd, const char *node)
{
	char name[NAME_MAX_LEN];

	file_name(name, node, NLAB_LOG_SUFFIX);
	return openat(dirfd, name,
		      O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
		      0600);
}

int nlab_logw_open(struct nlab_logw *w, int dirfd, const char *node,
		   uint64_t max, struct nlab_err *e)
{
	*w = (struct nlab_logw){ .dirfd = dirfd, .half = max / 2 };
	if (!w->half)
		w->half = 1;
	snprintf(w->node, sizeof(w->node), "%s", node);
	w->fd = open_new(dirfd, node);
	if (w->fd < 0)
		return nlab_err_set(e, errno, "open %s" NLAB_LOG_SUFFIX, node);
	return 0;
}

/* NODE.log.dropped, replaced whole so that a reader never sees half. */
static void write_dropped(const struct nlab_logw *w)
{
	char tmp[NAME_MAX_LEN + 1], name[NAME_MAX_LEN], num[32];
	int fd, n;
	bool ok;

	n = snprintf(num, sizeof(num), "%llu\n",
		     (unsigned long long)w->dropped);
	snprintf(tmp, sizeof(tmp), ".%s" NLAB_LOG_DROPPED_SUFFIX, w->node);
	file_name(name, w->node, NLAB_LOG_DROPPED_SUFFIX);
	fd = openat(w->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return;
	ok = write(fd, num, n) == n;
	close(fd);
	if (!ok || renameat(w->dirfd, tmp, w->dirfd, name) < 0)
		unlinkat(w->dirfd, tmp, 0);
}

/*
 * NODE.log becomes NODE.log.1; then the count of what is gone grows by
 * the old NODE.log.1; then a new NODE.log.  In that order, a reader that
 * saw one NODE.log before and after reading the count and opening
 * NODE.log.1 has a count that ends exactly where that NODE.log.1 starts.
 */
static void rotate(struct nlab_logw *w)
{
	char cur[NAME_MAX_LEN], old[NAME_MAX_LEN];

	file_name(cur, w->node, NLAB_LOG_SUFFIX);
	file_name(old, w->node, NLAB_LOG_OLD_SUFFIX);
	close(w->fd);
	if (renameat(w->dirfd, cur, w->dirfd, old) == 0) {
		if (w->prev) {
			w->dropped += w->prev;
			write_dropped(w);
		}
		w->prev = w->cur;
	}
	/* else someone removed NODE.log: what it held is gone already. */
	w->cur = 0;
	/* Fails only when the state directory is gone: discard from now. */
	w->fd = open_new(w->dirfd, w->node);
}

void nlab_logw_write(struct nlab_logw *w, const char *buf, size_t n)
{
	while (n && w->fd >= 0) {
		size_t room = w->half - w->cur, take = n;

		if (n > room) {
			/* Cut after a line's end, so that what is dropped
			 * later is whole lines; a line longer than a whole
			 * file is cut where the file is full, and one that
			 * came in pieces where its start already is. */
			const char *nl = room ? memrchr(buf, '\n', room) : NULL;

			if (nl)
				take = (size_t)(nl - buf) + 1;
			else
				take = w->cur ? 0 : room;
		}
		if (take) {
			ssize_t r = write(w->fd, buf, take);

			/* A short or failed write (ENOSPC) drops the rest of
			 * this piece: the node must never wait for us. */
			if (r > 0)
				w->cur += (uint64_t)r;
			buf += take;
			n -= take;
		}
		if (n)
			rotate(w);
	}
}

size_t nlab_logw_pump(struct nlab_logw *w, int fd, size_t budget)
{
	/* On the stack, not on the heap: a supervisor's memory is the pages
	 * it touches, and most nodes say little.  As much as a pipe holds:
	 * the pieces decide where a rotation may cut (nlab_logw_write()). */
	char buf[CHUNK];
	size_t moved = 0;

	while (moved < budget) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		nlab_logw_write(w, buf, (size_t)n);
		moved += (size_t)n;
	}
	return moved;
}

void nlab_logw_close(struct nlab_logw *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

/* ---- the reader's side --------------------------------------------------- */

/* The files as they were at one moment: NODE.log.1 and the count before
 * it belong together with NODE.log. */
struct snap {
	int cur;	  /* NODE.log */
	int old;	  /* NODE.log.1, -1 when there is none */
	ino_t ino;	  /* cur's inode: a new one means a rotation */
	uint64_t dropped; /* stream offset where NODE.log.1 starts */
};

/* What is printed so far: the stream offset it ends at, and whether it
 * ends a line (the notes start on their own line). */
struct printed {
	uint64_t end;
	bool midline;
};

#define SNAP_TRIES 200 /* 1 ms apart */

static uint64_t read_dropped(int dirfd, const char *node)
{
	char name[NAME_MAX_LEN], buf[32];
	cleanup_close int fd = -1;
	uint64_t v;
	ssize_t n;

	file_name(name, node, NLAB_LOG_DROPPED_SUFFIX);
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return nlab_parse_uint(buf, UINT64_MAX, &v) ? 0 : v;
}

static void snap_close(struct snap *s)
{
	if (s->cur >= 0)
		close(s->cur);
	if (s->old >= 0)
		close(s->old);
	s->cur = s->old = -1;
}

/* 0, or -1 with errno: ENOENT when there is no such log. */
static int snap_take(int dirfd, const char *node, struct snap *s)
{
	char cur[NAME_MAX_LEN], old[NAME_MAX_LEN];

	file_name(cur, node, NLAB_LOG_SUFFIX);
	file_name(old, node, NLAB_LOG_OLD_SUFFIX);
	for (int tries = 1;; tries++) {
		uint64_t before = read_dropped(dirfd, node);
		struct stat st, now;

		*s = (struct snap){ .old = -1 };
		s->cur = openat(dirfd, cur, O_RDONLY | O_CLOEXEC);
		if (s->cur < 0) {
			/* Between a rotation's rename and its new file? */
			if (errno != ENOENT ||
			    faccessat(dirfd, old, F_OK, 0) < 0 ||
			    tries >= SNAP_TRIES)
				return -1;
			usleep(1000);
			continue;
		}
		s->old = openat(dirfd, old, O_RDONLY | O_CLOEXEC);
		s->dropped = read_dropped(dirfd, node);
		if (fstat(s->cur, &st) < 0) {
			int err = errno;

			snap_close(s);
			errno = err;
			return -1;
		}
		s->ino = st.st_ino;
		/* A node that turns its log over every millisecond gets what
		 * the last try saw. */
		if (tries >= SNAP_TRIES || (before == s->dropped &&
					    fstatat(dirfd, cur, &now, 0) == 0 &&
					    now.st_ino == st.st_ino))
			return 0;
		snap_close(s);
		usleep(1000);
	}
}

static int put(FILE *out, struct printed *p, const char *buf, size_t n)
{
	if (!n)
		return 0;
	if (fwrite(buf, 1, n, out) != n)
		return -1;
	p->midline = buf[n - 1] != '\n';
	return 0;
}

static int note(FILE *out, struct printed *p, uint64_t bytes, const char *what)
{
	if (p->midline && put(out, p, "\n", 1))
		return -1;
	if (fprintf(out, "[netlab: %llu bytes of %soutput dropped]\n",
		    (unsigned long long)bytes, what) < 0)
		return -1;
	p->midline = false;
	return 0;
}

/* Copy what @fd holds from where it is to its end. */
static int copy(int fd, FILE *out, struct printed *p)
{
	char buf[CHUNK];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || put(out, p, buf, (size_t)n))
			return -1;
		p->end += (uint64_t)n;
	}
	return fflush(out) ? -1 : 0;
}

/* Print the files of @s after what @p says is printed; @done is the inode
 * of the file printed to its end just before (0: none), which may be the
 * NODE.log.1 of @s.  The notes say what fell between. */
static int print_snap(const struct snap *s, ino_t done, FILE *out,
		      struct printed *p, const char *what)
{
	struct stat st;

	if (s->old >= 0 &&
	    !(done && fstat(s->old, &st) == 0 && st.st_ino == done)) {
		if (s->dropped > p->end &&
		    note(out, p, s->dropped - p->end, what))
			return -1;
		p->end = s->dropped;
		if (copy(s->old, out, p))
			return -1;
	} else if (s->old < 0 && s->dropped > p->end) {
		if (note(out, p, s->dropped - p->end, what))
			return -1;
		p->end = s->dropped;
	}
	return copy(s->cur, out, p);
}

/* The lab's directory was removed, or the log with it. */
static bool log_gone(int dirfd, const char *node)
{
	char old[NAME_MAX_LEN];
	struct stat st;

	if (fstat(dirfd, &st) < 0 || st.st_nlink == 0)
		return true;
	file_name(old, node, NLAB_LOG_OLD_SUFFIX);
	return faccessat(dirfd, old, F_OK, 0) < 0;
}

/* Changes in the lab's directory wake a follower at once, so that it
 * keeps up with a node that turns its log over quickly; -1 (then it
 * polls) where inotify is not to be had. */
static int watch_open(int dirfd)
{
	char path[64];
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	if (inotify_add_watch(fd, path,
			      IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_DELETE |
				      IN_DELETE_SELF) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void watch_wait(int wfd)
{
	struct pollfd p = { .fd = wfd, .events = POLLIN };
	char buf[4096];

	if (wfd < 0) {
		usleep(100 * 1000);
		return;
	}
	/* What changed does not matter: the caller looks again. */
	if (poll(&p, 1, 1000) > 0)
		while (read(wfd, buf, sizeof(buf)) > 0)
			;
}

/* snap_take() for a follower: a rotation that is slow to finish (its
 * writer not scheduled for a while on a busy host) is waited out, not
 * taken for the lab going down; -1 with ENOENT once the log is gone. */
static int snap_wait(int dirfd, const char *node, struct snap *s, int wfd)
{
	for (;;) {
		if (!snap_take(dirfd, node, s))
			return 0;
		if (errno != ENOENT)
			return -1;
		if (log_gone(dirfd, node)) {
			errno = ENOENT;
			return -1;
		}
		watch_wait(wfd);
	}
}

/* Print what comes until the log goes; @s is what was printed last. */
static int follow_log(int dirfd, const char *node, struct snap *s, FILE *out,
		      struct printed *p, int wfd)
{
	char cur[NAME_MAX_LEN];
	struct stat st;

	file_name(cur, node, NLAB_LOG_SUFFIX);
	for (;;) {
		ino_t done_ino;
		int done, r, err;
		off_t pos;

		watch_wait(wfd);
		if (copy(s->cur, out, p))
			return -1;
		if (fstatat(dirfd, cur, &st, 0) < 0) {
			/* mid-rotation, or the lab is going down */
			if (log_gone(dirfd, node))
				return 0;
			continue;
		}
		if (st.st_ino == s->ino) {
			/* Truncated behind our back: start it again. */
			pos = lseek(s->cur, 0, SEEK_CUR);
			if (fstat(s->cur, &st) == 0 && st.st_size < pos)
				lseek(s->cur, 0, SEEK_SET);
			continue;
		}
		/* Rotated: the file we have is complete; finish it and go
		 * on with the files as they are now (holding it open until
		 * then, so that its inode number is not reused). */
		if (copy(s->cur, out, p))
			return -1;
		done = s->cur;
		done_ino = s->ino;
		s->cur = -1;
		snap_close(s);
		r = snap_wait(dirfd, node, s, wfd);
		if (!r)
			r = print_snap(s, done_ino, out, p, "");
		err = errno;
		close(done);
		if (r && err == ENOENT)
			return 0; /* the lab went down meanwhile */
		if (r) {
			errno = err;
			return -1;
		}
	}
}

int nlab_log_print_at(int dirfd, const char *node, bool follow, FILE *out,
		      struct nlab_err *e)
{
	cleanup_close int wfd = follow ? watch_open(dirfd) : -1;
	struct printed p = { 0 };
	struct snap s;
	int r;

	if (snap_take(dirfd, node, &s))
		return nlab_err_set(e, errno, "%s" NLAB_LOG_SUFFIX, node);
	r = print_snap(&s, 0, out, &p, "older ");
	if (!r && follow)
		r = follow_log(dirfd, node, &s, out, &p, wfd);
	snap_close(&s);
	if (r)
		return nlab_err_set(e, errno, "%s" NLAB_LOG_SUFFIX, node);
	return 0;
}

int nlab_log_print(const char *lab, const char *node, bool follow, FILE *out,
		   struct nlab_err *e)
{
	char dir[NAME_MAX_LEN + sizeof(NLAB_STATE_DIR)], cur[NAME_MAX_LEN],
		old[NAME_MAX_LEN];
	cleanup_close int dirfd = -1;

	snprintf(dir, sizeof(dir), NLAB_STATE_DIR "/%s", lab);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 && errno == ENOENT)
		return nlab_err_no_lab(e, lab);
	if (dirfd < 0)
		return nlab_err_set(e, errno, "%s", dir);
	file_name(cur, node, NLAB_LOG_SUFFIX);
	file_name(old, node, NLAB_LOG_OLD_SUFFIX);
	if (faccessat(dirfd, cur, F_OK, 0) < 0 &&
	    faccessat(dirfd, old, F_OK, 0) < 0)
		return 1;
	if (nlab_log_print_at(dirfd, node, follow, out, e))
		return nlab_err_wrap(e, "%s", dir);
	return 0;
}

/* Where the last @lines lines of the @n bytes of @buf start. */
static size_t tail_start(const char *buf, size_t n, unsigned lines, bool cut)
{
	size_t start = n;

	while (start > 0) {
		if (buf[start - 1] == '\n' && !lines--)
			return start;
		start--;
	}
	if (!cut)
		return 0;
	/* The window began mid-line: not that half line. */
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			return i + 1;
	return 0;
}

void nlab_log_tail_at(int dirfd, const char *node, unsigned lines, char *buf,
		      size_t len)
{
	char name[NAME_MAX_LEN];
	cleanup_close int fd = -1;
	struct stat st;
	size_t n, start;
	off_t off;
	ssize_t got;

	if (!len)
		return;
	buf[0] = '\0';
	file_name(name, node, NLAB_LOG_SUFFIX);
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !lines)
		return;
	off = st.st_size > (off_t)(len - 1) ? st.st_size - (off_t)(len - 1) : 0;
	got = pread(fd, buf, len - 1, off);
	n = got > 0 ? (size_t)got : 0;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	start = tail_start(buf, n, lines - 1, off > 0);
	memmove(buf, buf + start, n - start + 1);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
			*p = '?';
		else if (*p == 0x7f)
			*p = '?';
}

void nlab_log_tail(const char *lab, const char *node, unsigned lines, char *buf,
		   size_t len)
{
	char dir[NAME_MAX_LEN + sizeof(NLAB_STATE_DIR)];
	cleanup_close int dirfd = -1;

	if (len)
		buf[0] = '\0';
	snprintf(dir, sizeof(dir), NLAB_STATE_DIR "/%s", lab);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd >= 0)
		nlab_log_tail_at(dirfd, node, lines, buf, len);
}
