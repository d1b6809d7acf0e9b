// SPDX-License-Identifier: MIT
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define RECORD "record"

static const char *const rec_names[NLAB_REC__MAX] = {
	[NLAB_REC_NETNS] = "netns",
	[NLAB_REC_DIR] = "dir",
	[NLAB_REC_FILE] = "file",
	[NLAB_REC_PROC] = "proc",
};

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
	char path[128];
	int r;

	state_init(st, lab, path, sizeof(path));
	if (mkdir(NLAB_STATE_DIR, 0755) < 0 && errno != EEXIST)
		return nlab_err_set(e, errno, "mkdir " NLAB_STATE_DIR);
	if (mkdir(path, 0700) < 0) {
		if (errno == EEXIST)
			return nlab_err_set(
				e, EEXIST,
				"lab %s already exists (netlab down %s "
				"removes it)",
				lab, lab);
		return nlab_err_set(e, errno, "mkdir %s", path);
	}
	st->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd < 0) {
		nlab_err_set(e, errno, "open %s", path);
		goto fail;
	}
	r = lock_dir(st, e);
	if (r > 0) /* a `down` removed it under us: nothing of ours left */
		return nlab_err_set(e, EBUSY, "lab %s was removed while starting",
				    lab);
	if (r < 0)
		goto fail;
	st->recfd = openat(st->dirfd, RECORD,
			   O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
			   0600);
	if (st->recfd < 0) {
		nlab_err_set(e, errno, "create %s/" RECORD, path);
		goto fail;
	}
	return 0;
fail:
	/* The directory is ours and empty: take it back with us. */
	nlab_state_close(st);
	rmdir(path);
	return -1;
}

int nlab_state_open(const char *lab, struct nlab_state *st, struct nlab_err *e)
{
	char path[128];
	int r;

	state_init(st, lab, path, sizeof(path));
	st->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd < 0) {
		if (errno == ENOENT)
			return 1;
		return nlab_err_set(e, errno, "open %s", path);
	}
	r = lock_dir(st, e);
	if (r)
		return r;
	st->recfd = openat(st->dirfd, RECORD,
			   O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (st->recfd < 0)
		return nlab_err_set(e, errno, "open %s/" RECORD, path);
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

static int read_record(int fd, struct nlab_record *rec, struct nlab_err *e)
{
	cleanup_fclose FILE *f = NULL;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return nlab_err_set(e, errno, "read lab record");
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		bool keep = false;
		char *p = line, *sp;
		int k;

		/* A line cut short by a crash has no newline: ignore it, its
		 * object was not made yet (the line is written first). */
		if (line[len - 1] != '\n')
			break;
		line[len - 1] = '\0';
		if (!strncmp(p, "keep ", 5)) {
			keep = true;
			p += 5;
		}
		sp = strchr(p, ' ');
		if (!sp || (k = kind_of(p, sp - p)) < 0)
			continue;
		if (keep) {
			for (size_t i = rec->n; i-- > 0;) {
				if (rec->recs[i].kind ==
					    (enum nlab_rec_kind)k &&
				    !strcmp(rec->recs[i].arg, sp + 1)) {
					free(rec->recs[i].arg);
					memmove(&rec->recs[i],
						&rec->recs[i + 1],
						(rec->n - i - 1) *
							sizeof(rec->recs[0]));
					rec->n--;
					break;
				}
			}
			continue;
		}
		xgrow(&rec->recs, &rec->cap, rec->n + 1, sizeof(rec->recs[0]));
		rec->recs[rec->n].kind = k;
		rec->recs[rec->n].arg = xstrdup(sp + 1);
		rec->n++;
	}
	return 0;
}

int nlab_state_read(struct nlab_state *st, struct nlab_record *rec,
		    struct nlab_err *e)
{
	int fd;

	memset(rec, 0, sizeof(*rec));
	fd = openat(st->dirfd, RECORD, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT
			       ? 0
			       : nlab_err_set(e, errno, "read lab record");
	return read_record(fd, rec, e);
}

int nlab_state_peek(const char *lab, struct nlab_record *rec,
		    struct nlab_err *e)
{
	char path[128];
	int fd;

	memset(rec, 0, sizeof(*rec));
	snprintf(path, sizeof(path), NLAB_STATE_DIR "/%s/" RECORD, lab);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			return nlab_err_set(e, errno, "read %s", path);
		/* A lab dir without a record is a lab `up` just began. */
		snprintf(path, sizeof(path), NLAB_STATE_DIR "/%s", lab);
		return access(path, F_OK) == 0 ? 0 : 1;
	}
	return read_record(fd, rec, e);
}

void nlab_record_free(struct nlab_record *rec)
{
	for (size_t i = 0; i < rec->n; i++)
		free(rec->recs[i].arg);
	free(rec->recs);
	memset(rec, 0, sizeof(*rec));
}

int nlab_state_write(struct nlab_state *st, const char *file, const char *data,
		     size_t len, struct nlab_err *e)
{
	cleanup_close int fd =
		openat(st->dirfd, file,
		       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		return nlab_err_set(e, errno, "write %s/%s/%s", NLAB_STATE_DIR,
				    st->lab, file);
	return 0;
}

char *nlab_state_slurp(const char *lab, const char *file)
{
	char path[256];
	cleanup_fclose FILE *f = NULL;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	snprintf(path, sizeof(path), NLAB_STATE_DIR "/%s/%s", lab, file);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	n = getdelim(&buf, &cap, '\0', f);
	if (n < 0) {
		free(buf);
		return xstrdup("");
	}
	return buf;
}

int nlab_state_destroy(struct nlab_state *st, struct nlab_err *e)
{
	char path[128];
	cleanup_close int fd = -1;
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
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(st->dirfd, de->d_name, 0) < 0 && errno != ENOENT) {
			int err = errno;

			closedir(d);
			return nlab_err_set(e, err, "remove %s/%s", path,
					    de->d_name);
		}
	}
	closedir(d);
	if (rmdir(path) < 0 && errno != ENOENT)
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
	DIR *d = opendir(NLAB_STATE_DIR);
	struct dirent *de;
	size_t cap = 0;

	*labs = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT
			       ? 0
			       : nlab_err_set(e, errno, "open " NLAB_STATE_DIR);
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
