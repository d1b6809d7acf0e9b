// SPDX-License-Identifier: MIT
#include "lab/state.h"

#include <ctype.h>
#include <dirent.h>
#include <search.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/hosts.h"
#include "lab/statefs.h"
#include "topology/topology.h"
#include "base/util.h"

#define RECORD "record"

static const char *const rec_names[NLAB_REC__MAX] = {
	[NLAB_REC_NETNS] = "netns",
	[NLAB_REC_DIR] = "dir",
	[NLAB_REC_FILE] = "file",
	[NLAB_REC_PROC] = "proc",
};

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* /run/netlab, never through a symlink. */
static int open_base(void)
{
	return open(NLAB_STATE_DIR, DIR_FLAGS);
}

/* /run/netlab/LAB, never through a symlink at either step: a state
 * directory planted as a symlink would make `down` read its record and
 * empty the directory it points to. */
static int open_lab_dir(const char *lab)
{
	cleanup_close int base = open_base();

	if (base < 0)
		return -1;
	return openat(base, lab, DIR_FLAGS);
}

static int open_err(struct nlab_err *e, const char *path)
{
	if (errno == ELOOP || errno == ENOTDIR)
		return nlab_err_set(e, 0,
				    "%s is not a directory (netlab never "
				    "follows a symlink there; not touched)",
				    path);
	return nlab_err_set(e, errno, "open %s", path);
}

/* Lock the open state dir; a lab whose directory was removed meanwhile
 * (by a `down` that held the lock before us) has a link count of 0. */
static int lock_dir(struct nlab_state *st, struct nlab_err *e)
{
	struct stat sb;

	if (flock(st->dirfd, LOCK_EX) < 0)
		return nlab_err_set(e, errno, "lock lab %s", st->lab);
	if (fstat(st->dirfd, &sb) < 0)
		return nlab_err_set(e, errno, "lab %s", st->lab);
	return sb.st_nlink == 0 ? 1 : 0;
}

static void state_init(struct nlab_state *st, const char *lab, char *path,
		       size_t len)
{
	memset(st, 0, sizeof(*st));
	st->dirfd = st->recfd = -1;
	snprintf(st->lab, sizeof(st->lab), "%s", lab);
	snprintf(path, len, NLAB_STATE_DIR "/%s", lab);
}

int nlab_state_create(const char *lab, struct nlab_state *st,
		      struct nlab_err *e)
{
	static const char magic[] = NLAB_RECORD_MAGIC "\n";
	cleanup_close int base = -1;
	char path[128];
	int r, made, lock;

	state_init(st, lab, path, sizeof(path));
	base = nlab_statefs_open(&lock);
	if (base < 0)
		return open_err(e, NLAB_STATE_DIR);
	made = mkdirat(base, lab, 0700) < 0 ? errno : 0;
	if (lock >= 0)
		close(lock); /* our directory is there: nothing hides it now */
	if (made) {
		if (made == EEXIST)
			return nlab_err_set(
				e, EEXIST,
				"lab %s already exists (netlab down %s "
				"removes it)",
				lab, lab);
		return nlab_err_set(e, made, "mkdir %s", path);
	}
	st->dirfd = openat(base, lab, DIR_FLAGS);
	if (st->dirfd < 0) {
		open_err(e, path);
		goto fail;
	}
	r = lock_dir(st, e);
	if (r > 0) { /* a `down` removed it under us: nothing of ours left */
		nlab_state_close(st);
		return nlab_err_set(e, EBUSY,
				    "lab %s was removed while starting", lab);
	}
	if (r < 0)
		goto fail;
	st->recfd = openat(st->dirfd, RECORD,
			   O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW |
				   O_CLOEXEC,
			   0600);
	if (st->recfd < 0) {
		nlab_err_set(e, errno, "create %s/" RECORD, path);
		goto fail;
	}
	if (write(st->recfd, magic, sizeof(magic) - 1) !=
	    (ssize_t)sizeof(magic) - 1) {
		nlab_err_set(e, errno, "write %s/" RECORD, path);
		unlinkat(st->dirfd, RECORD, 0);
		goto fail;
	}
	return 0;
fail:
	/* The directory is ours and empty: take it back with us. */
	nlab_state_close(st);
	unlinkat(base, lab, AT_REMOVEDIR);
	return -1;
}

int nlab_state_open(const char *lab, struct nlab_state *st, struct nlab_err *e)
{
	char path[128];
	int r;

	state_init(st, lab, path, sizeof(path));
	st->dirfd = open_lab_dir(lab);
	if (st->dirfd < 0) {
		if (errno == ENOENT)
			return 1;
		return open_err(e, path);
	}
	r = lock_dir(st, e);
	if (r) {
		nlab_state_close(st);
		return r;
	}
	st->recfd = openat(
		st->dirfd, RECORD,
		O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (st->recfd < 0) {
		nlab_err_set(e, errno, "open %s/" RECORD, path);
		nlab_state_close(st);
		return -1;
	}
	return 0;
}

void nlab_state_close(struct nlab_state *st)
{
	if (st->recfd >= 0)
		close(st->recfd);
	if (st->dirfd >= 0)
		close(st->dirfd);
	st->recfd = st->dirfd = -1;
}

static int append(struct nlab_state *st, const char *pfx,
		  enum nlab_rec_kind kind, const char *arg, struct nlab_err *e)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "%s%s %s\n", pfx, rec_names[kind],
			 arg);

	if (n < 0 || (size_t)n >= sizeof(line))
		return nlab_err_set(e, ENAMETOOLONG, "record %s", arg);
	/* One write() per line: O_APPEND keeps each line whole. */
	if (write(st->recfd, line, n) != n)
		return nlab_err_set(e, errno, "write lab record");
	return 0;
}

int nlab_state_rec(struct nlab_state *st, enum nlab_rec_kind kind,
		   const char *arg, struct nlab_err *e)
{
	return append(st, "", kind, arg, e);
}

int nlab_state_rec_id(struct nlab_state *st, enum nlab_rec_kind kind,
		      const char *arg, const struct nlab_ident *id,
		      struct nlab_err *e)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s %llu:%llu", arg,
		 (unsigned long long)id->dev, (unsigned long long)id->ino);
	return append(st, "id ", kind, buf, e);
}

int nlab_state_keep(struct nlab_state *st, enum nlab_rec_kind kind,
		    const char *arg, struct nlab_err *e)
{
	return append(st, "keep ", kind, arg, e);
}

static int kind_of(const char *word, size_t len)
{
	for (int k = 0; k < NLAB_REC__MAX; k++)
		if (strlen(rec_names[k]) == len &&
		    !strncmp(word, rec_names[k], len))
			return k;
	return -1;
}

static void add_skipped(struct nlab_record *rec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_skipped(struct nlab_record *rec, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	xgrow(&rec->skipped, &rec->cap_skipped, rec->n_skipped + 1,
	      sizeof(*rec->skipped));
	rec->skipped[rec->n_skipped++] = msg;
}

static void free_rec(struct nlab_rec *r)
{
	free(r->arg);
	free(r->name);
	memset(r, 0, sizeof(*r));
}

/* "LAB.NAME" of this lab, NAME a valid name: NAME, else NULL. */
static const char *member_of(const char *s, const char *lab)
{
	size_t l = strlen(lab);

	if (strncmp(s, lab, l) || s[l] != '.' || !nlab_valid_name(s + l + 1))
		return NULL;
	return s + l + 1;
}

static bool parse_u64(const char *s, const char *end, unsigned long long *v)
{
	char *p;

	if (s == end || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoull(s, &p, 10);
	return !errno && p == end;
}

/* "DEV:INO" */
static bool parse_ident(const char *s, struct nlab_ident *id)
{
	const char *colon = strchr(s, ':');
	unsigned long long dev, ino;

	if (!colon || !parse_u64(s, colon, &dev) ||
	    !parse_u64(colon + 1, colon + strlen(colon), &ino))
		return false;
	id->set = true;
	id->dev = (dev_t)dev;
	id->ino = (ino_t)ino;
	return true;
}

/* The path of a dir or file entry: /etc/netns/LAB.NODE[/hosts] (the
 * hosts files, dir says which), or a plain entry of the lab's own state
 * directory (*name stays NULL).  NULL when it is neither. */
static const char *check_path(const char *path, const char *lab, bool dir,
			      char **name)
{
	static const char etc[] = NLAB_ETC_NETNS "/";
	char state[128], buf[256];
	const char *p, *node;
	size_t l;

	if (!strncmp(path, etc, sizeof(etc) - 1)) {
		p = path + sizeof(etc) - 1;
		l = dir ? strlen(p) : strcspn(p, "/");
		if (!dir && strcmp(p + l, "/hosts"))
			return "not a file netlab writes";
		snprintf(buf, sizeof(buf), "%.*s", (int)l, p);
		node = l < sizeof(buf) ? member_of(buf, lab) : NULL;
		if (!node)
			return "not in this lab's /etc/netns directories";
		*name = xstrdup(node);
		return NULL;
	}
	snprintf(state, sizeof(state), NLAB_STATE_DIR "/%s/", lab);
	l = strlen(state);
	if (!dir && !strncmp(path, state, l) && path[l] &&
	    !strchr(path + l, '/') && strcmp(path + l, ".") &&
	    strcmp(path + l, ".."))
		return NULL;
	return dir ? "not a directory netlab makes"
		   : "not a file netlab writes";
}

/* "PID STARTTIME NODE" */
static const char *check_proc(const char *arg, char **name)
{
	const char *sp1 = strchr(arg, ' '), *sp2;
	unsigned long long pid, start;

	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp2 || !parse_u64(arg, sp1, &pid) ||
	    !parse_u64(sp1 + 1, sp2, &start) || pid <= 1 || pid > INT32_MAX)
		return "not 'proc PID STARTTIME NODE'";
	if (!nlab_valid_name(sp2 + 1))
		return "not a node name";
	*name = xstrdup(sp2 + 1);
	return NULL;
}

/* Parse the text after "KIND " into @r; NULL, or why it is refused. */
static const char *parse_entry(const struct nlab_record *rec, int kind,
			       const char *text, struct nlab_rec *r)
{
	const char *why = NULL;

	r->kind = kind;
	if (kind == NLAB_REC_PROC) {
		why = check_proc(text, &r->name);
		if (!why)
			r->arg = xstrdup(text);
		return why;
	}
	if (strchr(text, ' '))
		return "not a line netlab writes";
	if (kind == NLAB_REC_NETNS) {
		const char *node = member_of(text, rec->lab);

		if (!node)
			return "not a namespace of this lab";
		r->name = xstrdup(node);
	} else {
		why = check_path(text, rec->lab, kind == NLAB_REC_DIR,
				 &r->name);
		if (why)
			return why;
	}
	r->arg = xstrdup(text);
	return NULL;
}

/* Entries are looked up by kind and arg; a record holds thousands of
 * them in a large lab, so never by a linear scan per line. */
struct key {
	int kind;
	const char *arg;
	size_t i; /* in rec->recs */
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->arg, y->arg);
}

static int index_cmp(const void *a, const void *b, void *data)
{
	const struct nlab_rec *recs = data;
	const struct nlab_rec *x = &recs[*(const size_t *)a],
			      *y = &recs[*(const size_t *)b];
	struct key kx = { .kind = x->kind, .arg = x->arg },
		   ky = { .kind = y->kind, .arg = y->arg };

	return key_cmp(&kx, &ky);
}

static void remove_at(struct nlab_record *rec, size_t i)
{
	free_rec(&rec->recs[i]);
	memmove(&rec->recs[i], &rec->recs[i + 1],
		(rec->n - i - 1) * sizeof(rec->recs[0]));
	rec->n--;
	free(rec->sorted);
	rec->sorted = NULL;
}

/* A printable copy of a line for a message: at most 120 bytes, control
 * characters shown as '?'. */
static void quote_line(char *buf, size_t len, const char *line)
{
	size_t i;

	for (i = 0; line[i] && i + 1 < len && i < 120; i++)
		buf[i] = iscntrl((unsigned char)line[i]) ? '?' : line[i];
	buf[i] = '\0';
}

/* While reading: the live entries by key (at most one each: a second
 * entry for the same object is refused), so that an identity line or a
 * keep line finds its entry at once.  A cancelled entry is left dead
 * (arg NULL) until the end, so that indices stay put. */
struct reader {
	struct nlab_record *rec;
	void *live; /* tsearch tree of struct key */
};

static void one_line(struct reader *rd, char *line, int lineno)
{
	enum { ENTRY, KEEP, IDENT } what = ENTRY;
	struct nlab_record *rec = rd->rec;
	struct nlab_rec r = { .line = lineno };
	struct nlab_ident id = { 0 };
	struct key want, *nk, **hit;
	const char *why = NULL;
	char shown[128];
	char *p = line, *sp;
	int k = -1;

	quote_line(shown, sizeof(shown), line);
	if (lineno == 1 && !strcmp(line, NLAB_RECORD_MAGIC)) {
		rec->version = 2;
		return;
	}
	if (!strncmp(p, "keep ", 5)) {
		what = KEEP;
		p += 5;
	} else if (!strncmp(p, "id ", 3)) {
		/* "id KIND ARG DEV:INO" */
		what = IDENT;
		p += 3;
		sp = strrchr(p, ' ');
		if (!sp || !parse_ident(sp + 1, &id)) {
			why = "not 'id KIND ARG DEV:INO'";
			goto skip;
		}
		*sp = '\0';
	}
	sp = strchr(p, ' ');
	if (sp)
		k = kind_of(p, sp - p);
	if (k < 0 || (what == IDENT && k == NLAB_REC_PROC)) {
		why = "not a line netlab writes";
		goto skip;
	}
	why = parse_entry(rec, k, sp + 1, &r);
	if (why)
		goto skip;
	want = (struct key){ .kind = k, .arg = r.arg };
	hit = tfind(&want, &rd->live, key_cmp);
	switch (what) {
	case KEEP:
		if (hit) {
			struct key *old = *hit;

			tdelete(old, &rd->live, key_cmp);
			free_rec(&rec->recs[old->i]);
			free(old);
		}
		break;
	case IDENT:
		/* The identity of an object just made follows its entry. */
		if (!hit)
			why = "an identity for nothing netlab recorded";
		else if (rec->recs[(*hit)->i].id.set)
			why = "a second identity for it";
		else
			rec->recs[(*hit)->i].id = id;
		break;
	case ENTRY:
		if (hit) {
			why = "a second entry for it";
			break;
		}
		xgrow(&rec->recs, &rec->cap, rec->n + 1, sizeof(rec->recs[0]));
		rec->recs[rec->n] = r;
		nk = xmalloc(sizeof(*nk));
		*nk = (struct key){ .kind = k, .arg = r.arg, .i = rec->n++ };
		tsearch(nk, &rd->live, key_cmp);
		return;
	}
	if (!why) {
		free_rec(&r);
		return;
	}
skip:
	free_rec(&r);
	add_skipped(rec, "record line %d: '%s': %s (skipped)", lineno, shown,
		    why);
}

static int read_record(int fd, struct nlab_record *rec, struct nlab_err *e)
{
	cleanup_fclose FILE *f = NULL;
	cleanup_free char *line = NULL;
	struct reader rd = { .rec = rec };
	size_t cap = 0, live = 0;
	ssize_t len;
	int lineno = 0;

	rec->version = 1;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return nlab_err_set(e, errno, "read lab record");
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		/* A line cut short by a crash has no newline: ignore it, its
		 * object was not made yet (the line is written first). */
		if (line[len - 1] != '\n')
			break;
		line[len - 1] = '\0';
		if (strlen(line) != (size_t)len - 1) {
			add_skipped(rec,
				    "record line %d: holds a NUL byte "
				    "(skipped)",
				    lineno);
			continue;
		}
		one_line(&rd, line, lineno);
	}
	tdestroy(rd.live, free);
	/* Cancelled entries out, the order kept. */
	for (size_t i = 0; i < rec->n; i++)
		if (rec->recs[i].arg)
			rec->recs[live++] = rec->recs[i];
	rec->n = live;
	return 0;
}

int nlab_state_read(struct nlab_state *st, struct nlab_record *rec,
		    struct nlab_err *e)
{
	int fd;

	memset(rec, 0, sizeof(*rec));
	snprintf(rec->lab, sizeof(rec->lab), "%s", st->lab);
	fd = openat(st->dirfd, RECORD, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT
			       ? 0
			       : nlab_err_set(e, errno, "read lab record");
	return read_record(fd, rec, e);
}

int nlab_state_peek(const char *lab, struct nlab_record *rec,
		    struct nlab_err *e)
{
	cleanup_close int dfd = -1;
	char path[128];
	int fd;

	memset(rec, 0, sizeof(*rec));
	snprintf(rec->lab, sizeof(rec->lab), "%s", lab);
	snprintf(path, sizeof(path), NLAB_STATE_DIR "/%s", lab);
	dfd = open_lab_dir(lab);
	if (dfd < 0)
		return errno == ENOENT ? 1 : open_err(e, path);
	fd = openat(dfd, RECORD, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		/* A lab dir without a record is a lab `up` just began. */
		if (errno == ENOENT)
			return 0;
		return nlab_err_set(e, errno, "read %s/" RECORD, path);
	}
	return read_record(fd, rec, e);
}

void nlab_record_free(struct nlab_record *rec)
{
	for (size_t i = 0; i < rec->n; i++)
		free_rec(&rec->recs[i]);
	free(rec->recs);
	for (size_t i = 0; i < rec->n_skipped; i++)
		free(rec->skipped[i]);
	free(rec->skipped);
	free(rec->sorted);
	memset(rec, 0, sizeof(*rec));
}

void nlab_record_index(const struct nlab_record *rec)
{
	struct nlab_record *cache = (struct nlab_record *)rec;

	if (rec->sorted)
		return;
	cache->sorted = xcalloc(rec->n ? rec->n : 1, sizeof(size_t));
	for (size_t i = 0; i < rec->n; i++)
		cache->sorted[i] = i;
	qsort_r(cache->sorted, rec->n, sizeof(size_t), index_cmp, cache->recs);
}

const struct nlab_rec *nlab_record_find(const struct nlab_record *rec,
					enum nlab_rec_kind kind,
					const char *arg)
{
	/* The sorted index is a cache, made on the first look-up (entries
	 * are unique by kind and arg: the reader refuses a second one). */
	const struct key want = { .kind = kind, .arg = arg };
	size_t lo = 0, hi = rec->n;

	nlab_record_index(rec);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct nlab_rec *r = &rec->recs[rec->sorted[mid]];
		const struct key at = { .kind = r->kind, .arg = r->arg };
		int c = key_cmp(&want, &at);

		if (!c)
			return r;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool has_name(const char **names, size_t n, const char *name)
{
	return bsearch(&name, names, n, sizeof(*names), cmp_name) != NULL;
}

void nlab_record_narrow(struct nlab_record *rec, const struct nlab_topology *t)
{
	nlab_record_narrow2(rec, t, NULL);
}

void nlab_record_narrow2(struct nlab_record *rec, const struct nlab_topology *t,
			 const struct nlab_topology *t2)
{
	/* Sorted names: a large lab has thousands of entries and nodes. */
	size_t max_nodes = t->n_nodes + (t2 ? t2->n_nodes : 0);
	size_t max_segs = t->n_segments + (t2 ? t2->n_segments : 0);
	cleanup_free const char **nodes =
		xcalloc(max_nodes + 1, sizeof(*nodes));
	cleanup_free const char **sws = xcalloc(max_segs + 1, sizeof(*sws));
	size_t n_sws = 0, n_nodes = 0;

	for (const struct nlab_topology *u = t; u; u = u == t ? t2 : NULL) {
		for (size_t i = 0; i < u->n_nodes; i++)
			nodes[n_nodes++] = u->nodes[i].name;
		for (size_t i = 0; i < u->n_segments; i++)
			if (u->segments[i].kind == NLAB_SEG_BRIDGE)
				sws[n_sws++] = u->segments[i].name;
	}
	qsort(nodes, n_nodes, sizeof(*nodes), cmp_name);
	qsort(sws, n_sws, sizeof(*sws), cmp_name);
	for (size_t i = 0; i < rec->n;) {
		const struct nlab_rec *r = &rec->recs[i];

		if (!r->name || has_name(nodes, n_nodes, r->name) ||
		    (r->kind == NLAB_REC_NETNS &&
		     has_name(sws, n_sws, r->name))) {
			i++;
			continue;
		}
		nlab_record_drop(rec, i,
				 r->kind == NLAB_REC_NETNS
					 ? "not a node or switch of the lab"
					 : "not a node of the lab");
	}
}

void nlab_record_drop(struct nlab_record *rec, size_t i, const char *why)
{
	const struct nlab_rec *r = &rec->recs[i];

	add_skipped(rec, "record line %d: '%s %s': %s (skipped)", r->line,
		    rec_names[r->kind], r->arg, why);
	remove_at(rec, i);
}

int nlab_state_write(struct nlab_state *st, const char *file, const char *data,
		     size_t len, struct nlab_err *e)
{
	cleanup_close int fd = openat(
		st->dirfd, file,
		O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		return nlab_err_set(e, errno, "write %s/%s/%s", NLAB_STATE_DIR,
				    st->lab, file);
	return 0;
}

int nlab_state_dir(const char *lab)
{
	return open_lab_dir(lab);
}

char *nlab_state_slurp(const char *lab, const char *file)
{
	cleanup_close int dfd = open_lab_dir(lab);

	if (dfd < 0)
		return NULL;
	return nlab_state_slurp_at(dfd, file);
}

char *nlab_state_slurp_at(int dfd, const char *file)
{
	cleanup_fclose FILE *f = NULL;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int fd;

	fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return NULL;
	}
	n = getdelim(&buf, &cap, '\0', f);
	if (n < 0) {
		free(buf);
		return xstrdup("");
	}
	return buf;
}

/* Clear the immutable and append-only flags of @name in @dirfd ("." for
 * @dirfd itself), which forbid removing it or anything in it; only on a
 * directory or regular file, whose open has no side effects. */
static void unflag(int dirfd, const char *name)
{
	cleanup_close int fd = -1;
	struct stat sb;
	int flags;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !(S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode)))
		return;
	fd = openat(dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0 ||
	    !(flags & (FS_IMMUTABLE_FL | FS_APPEND_FL)))
		return;
	flags &= ~(FS_IMMUTABLE_FL | FS_APPEND_FL);
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0) {
		/* then the unlink fails and says so */
	}
}

/* Remove @name from @dirfd, whatever it is; a directory must be empty.
 * 0, or -1 with errno (ENOTEMPTY: a directory with entries). */
static int remove_one(int dirfd, const char *name)
{
	for (int again = 0;; again++) {
		if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
			return 0;
		if (errno == EISDIR &&
		    (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 ||
		     errno == ENOENT))
			return 0;
		if (errno != EPERM || again)
			return -1;
		unflag(dirfd, ".");
		unflag(dirfd, name);
	}
}

/*
 * Remove directory @name of @top and everything in it: a node's own copy
 * of its files (NODE.files), where the node, as root, may have put
 * anything.  No symlink is followed and no other file system entered;
 * one descriptor is held at a time, however deep the tree (a directory
 * emptied is left for its parent's next pass, reached by "..").
 */
static int remove_tree(int top, const char *name, const char *path,
		       struct nlab_err *e)
{
	cleanup_close int fd = openat(top, name, DIR_FLAGS);
	struct stat root, sb;

	if (fd < 0 || fstat(fd, &root) < 0 || fstat(top, &sb) < 0)
		return nlab_err_set(e, errno, "remove %s/%s", path, name);
	if (root.st_dev != sb.st_dev)
		return nlab_err_set(e, 0,
				    "%s/%s is another file system mounted "
				    "there; not removed",
				    path, name);
	for (;;) {
		int dfd = openat(fd, ".", DIR_FLAGS), next = -1;
		DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
		struct dirent *de;

		if (!d) {
			if (dfd >= 0)
				close(dfd);
			return nlab_err_set(e, errno, "remove %s/%s", path,
					    name);
		}
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			if (remove_one(fd, de->d_name) == 0)
				continue;
			if (errno == ENOTEMPTY || errno == EEXIST)
				next = openat(fd, de->d_name, DIR_FLAGS);
			if (next < 0 || fstat(next, &sb) < 0 ||
			    sb.st_dev != root.st_dev) {
				int err = next >= 0 ? EXDEV : errno;

				if (next >= 0)
					close(next);
				closedir(d);
				return nlab_err_set(e, err, "remove %s/%s: %s",
						    path, name, de->d_name);
			}
			break;
		}
		closedir(d);
		if (next < 0) { /* empty: up, or done */
			if (fstat(fd, &sb) < 0)
				return nlab_err_set(e, errno, "remove %s/%s",
						    path, name);
			if (sb.st_ino == root.st_ino)
				break;
			next = openat(fd, "..", DIR_FLAGS);
			if (next < 0)
				return nlab_err_set(e, errno, "remove %s/%s",
						    path, name);
		}
		close(fd);
		fd = next;
	}
	if (remove_one(top, name) < 0)
		return nlab_err_set(e, errno, "remove %s/%s", path, name);
	return 0;
}

int nlab_state_destroy(struct nlab_state *st, struct nlab_err *e)
{
	char path[128];
	cleanup_close int fd = -1, base = -1;
	struct stat mine, now;
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), NLAB_STATE_DIR "/%s", st->lab);
	fd = openat(st->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nlab_err_set(e, errno, "open %s", path);
	d = fdopendir(fd);
	if (!d)
		return nlab_err_set(e, errno, "open %s", path);
	fd = -1;
	/* Everything in the directory is the lab's (it is 0700 and made by
	 * `up`); unlinkat never follows a symlink.  A directory is a node's
	 * copy of its files. */
	while ((de = readdir(d))) {
		int r;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;

		if (unlinkat(st->dirfd, de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno == EISDIR)
			r = remove_tree(st->dirfd, de->d_name, path, e);
		else
			r = nlab_err_set(e, errno, "remove %s/%s", path,
					 de->d_name);
		if (r) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	/* The directory itself, if /run/netlab/LAB still is it. */
	base = open_base();
	if (base < 0)
		return open_err(e, NLAB_STATE_DIR);
	if (fstat(st->dirfd, &mine) < 0)
		return nlab_err_set(e, errno, "%s", path);
	if (fstatat(base, st->lab, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (now.st_dev != mine.st_dev || now.st_ino != mine.st_ino))
		return nlab_err_set(e, 0, "%s was replaced while going down",
				    path);
	if (unlinkat(base, st->lab, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return nlab_err_set(e, errno, "remove %s", path);
	nlab_state_close(st);
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int nlab_state_list(char ***labs, size_t *n, struct nlab_err *e)
{
	int fd = open_base();
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;
	size_t cap = 0;

	*labs = NULL;
	*n = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return errno == ENOENT ? 0 : open_err(e, NLAB_STATE_DIR);
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		xgrow(labs, &cap, *n + 1, sizeof(**labs));
		(*labs)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n) /* qsort(NULL, 0, ...) is undefined */
		qsort(*labs, *n, sizeof(**labs), cmpstr);
	return 0;
}

/* The node or switch a record line is about (malloc'd), or NULL. */
static char *line_name(const char *lab, const char *line)
{
	struct nlab_record rec = { 0 };
	struct nlab_rec r = { 0 };
	cleanup_free char *copy = xstrdup(line);
	char *p = copy, *sp;
	int k;

	snprintf(rec.lab, sizeof(rec.lab), "%s", lab);
	if (!strncmp(p, "keep ", 5)) {
		p += 5;
	} else if (!strncmp(p, "id ", 3)) {
		p += 3;
		sp = strrchr(p, ' ');
		if (!sp)
			return NULL;
		*sp = '\0';
	}
	sp = strchr(p, ' ');
	k = sp ? kind_of(p, sp - p) : -1;
	if (k < 0 || parse_entry(&rec, k, sp + 1, &r)) {
		free_rec(&r);
		return NULL;
	}
	free(r.arg);
	return r.name;
}

int nlab_state_forget(struct nlab_state *st, const char *const *names, size_t n,
		      struct nlab_err *e)
{
	static const char tmp[] = ".record.new";
	cleanup_fclose FILE *in = NULL;
	cleanup_free char *line = NULL;
	cleanup_close int out = -1;
	size_t cap = 0;
	ssize_t len;
	int fd;

	fd = openat(st->dirfd, RECORD, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nlab_err_set(e, errno, "read lab record");
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		return nlab_err_set(e, errno, "read lab record");
	}
	out = openat(st->dirfd, tmp,
		     O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (out < 0)
		return nlab_err_set(e, errno, "write lab record");
	while ((len = getline(&line, &cap, in)) > 0) {
		cleanup_free char *name = NULL;
		bool drop = false;

		if (line[len - 1] == '\n') {
			line[len - 1] = '\0';
			name = line_name(st->lab, line);
			line[len - 1] = '\n';
		}
		for (size_t i = 0; name && i < n && !drop; i++)
			drop = !strcmp(name, names[i]);
		if (!drop && write(out, line, len) != len)
			return nlab_err_set(e, errno, "write lab record");
	}
	if (fsync(out) < 0 || renameat(st->dirfd, tmp, st->dirfd, RECORD) < 0)
		return nlab_err_set(e, errno, "replace lab record");
	fd = openat(st->dirfd, RECORD,
		    O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nlab_err_set(e, errno, "open lab record");
	if (st->recfd >= 0)
		close(st->recfd);
	st->recfd = fd;
	return 0;
}

int nlab_state_remove_named(struct nlab_state *st, const char *name,
			    struct nlab_err *e)
{
	static const char *const suffixes[] = {
		".run", ".log", ".log.1", ".log.dropped", ".stopped", ".enter",
	};
	char file[NLAB_NAME_MAX + 32], path[128];
	struct stat sb;

	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(file, sizeof(file), "%s%s", name, suffixes[i]);
		if (unlinkat(st->dirfd, file, 0) < 0 && errno != ENOENT)
			return nlab_err_set(e, errno, "remove %s", file);
	}
	snprintf(file, sizeof(file), "%s.files", name);
	snprintf(path, sizeof(path), NLAB_STATE_DIR "/%s", st->lab);
	if (fstatat(st->dirfd, file, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return S_ISDIR(sb.st_mode)
			       ? remove_tree(st->dirfd, file, path, e)
			       : remove_one(st->dirfd, file);
	return 0;
}
