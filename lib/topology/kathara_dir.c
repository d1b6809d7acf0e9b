// SPDX-License-Identifier: MIT
/*
 * A Kathará lab's directory around its lab.conf (kathara-lab-dirs(7)):
 * DEVICE.startup and shared.startup (shell scripts run when a device
 * starts, shared.startup first), DEVICE/ (files copied over the device's
 * root), shared/ (mounted at /shared in every device), DEVICE.shutdown
 * and shared.shutdown, lab.dep (the order devices start in, see
 * kathara-lab.dep(5)) and lab.ext (host interfaces in collision domains).
 * Only what lab.conf names is a device: other directories and scripts
 * are left alone, as Kathará leaves them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "topology/kathara_lab.h"
#include "topology/load.h"
#include "base/text.h"
#include "base/util.h"

/* lab.conf and lab.dep are a few kilobytes; scripts are read to see
 * their line ends only. */
#define TEXT_MAX (16u << 20)

#define WORDCH "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"

/* The whole of a regular file; -1 with errno (EISDIR, EFBIG, ...). */
static int slurp(int dirfd, const char *name, char **out, size_t *len)
{
	cleanup_close int fd = openat(
		dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	cleanup_free char *buf = NULL;
	size_t n = 0, cap = 0;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	for (;;) {
		ssize_t r;

		xgrow(&buf, &cap, n + 65536, 1);
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (!r)
			break;
		n += (size_t)r;
		if (n > TEXT_MAX) {
			errno = EFBIG;
			return -1;
		}
	}
	xgrow(&buf, &cap, n + 1, 1);
	buf[n] = '\0';
	*out = steal_ptr(buf);
	*len = n;
	return 0;
}

/* Text as Kathará reads it: UTF-8 (Python's decode fails otherwise). */
static int check_utf8(struct kat_lab *lab, const char *file, const char *s,
		      size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	int line = 1;

	for (size_t i = 0; i < len;) {
		unsigned c = p[i];
		size_t n = c < 0x80		    ? 1
			   : c >= 0xc2 && c <= 0xdf ? 2
			   : c >= 0xe0 && c <= 0xef ? 3
			   : c >= 0xf0 && c <= 0xf4 ? 4
						    : 0;

		for (size_t j = 1; n && j < n; j++)
			if (i + j >= len || (p[i + j] & 0xc0) != 0x80)
				n = 0;
		if (!c) {
			kat_error(lab, file, line,
				  "binary data (a NUL byte), not text");
			return -1;
		}
		if (!n) {
			kat_error(lab, file, line,
				  "not UTF-8 text (byte 0x%02x)", c);
			return -1;
		}
		line += c == '\n';
		i += n;
	}
	return 0;
}

int kat_read_conf(struct kat_lab *lab, const char *path, char **text,
		  size_t *len)
{
	if (slurp(AT_FDCWD, path, text, len) < 0) {
		if (errno == ENOENT)
			kat_error(lab, lab->conf, 0,
				  "no such file: a Kathará lab is a directory "
				  "with a lab.conf");
		else
			kat_error(lab, lab->conf, 0, "cannot read: %s",
				  strerror(errno));
		return -1;
	}
	return check_utf8(lab, lab->conf, *text, *len);
}

/* ---- what is there ------------------------------------------------------ */

static bool is_kind(int dirfd, const char *name, mode_t kind)
{
	struct stat st;

	return !fstatat(dirfd, name, &st, 0) && (st.st_mode & S_IFMT) == kind;
}

/* A script: is it there, are its lines CR LF (which Kathará turns into
 * LF when it copies the script), and which start a service (*svc)? */
static bool script(struct kat_lab *lab, int dirfd, const char *name, bool *cr,
		   unsigned *svc)
{
	cleanup_free char *text = NULL;
	cleanup_free char *shown = NULL;
	size_t len;

	if (!is_kind(dirfd, name, S_IFREG))
		return false;
	if (slurp(dirfd, name, &text, &len) < 0) {
		shown = nlab_strfmt("%s/%s", lab->shown_dir, name);
		kat_error(lab, shown, 0, "cannot read: %s", strerror(errno));
		return false;
	}
	*cr = memmem(text, len, "\r\n", 2) != NULL;
	*svc = kat_services(lab, name, text, len);
	return true;
}

static struct kat_device *find_device(struct kat_lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->n_devs; i++)
		if (!strcmp(lab->devs[i].name, name))
			return &lab->devs[i];
	return NULL;
}

/* Directories and scripts of no device, for a note: a typo shows. */
static void strays(struct kat_lab *lab, int dirfd)
{
	cleanup_close int fd =
		openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!dir)
		return;
	fd = -1; /* the DIR owns it */
	while ((de = readdir(dir))) {
		cleanup_free char *name = xstrdup(de->d_name);
		size_t n = strlen(name);
		bool dir_entry;

		if (name[0] == '.' || !strcmp(name, "shared"))
			continue;
		dir_entry = is_kind(dirfd, name, S_IFDIR);
		if (!dir_entry && n > 8 && !strcmp(name + n - 8, ".startup"))
			name[n - 8] = '\0';
		else if (!dir_entry)
			continue;
		if (!strcmp(name, "shared") || find_device(lab, name))
			continue;
		lab->stray = xrealloc(lab->stray,
				      (lab->n_stray + 1) * sizeof(*lab->stray));
		lab->stray[lab->n_stray++] =
			nlab_strfmt("%s%s", de->d_name, dir_entry ? "/" : "");
	}
	closedir(dir);
	/* readdir's order is the file system's: sort, for stable notes */
	for (size_t i = 1; i < lab->n_stray; i++)
		for (size_t j = i;
		     j && strcmp(lab->stray[j - 1], lab->stray[j]) > 0; j--) {
			char *t = lab->stray[j];

			lab->stray[j] = lab->stray[j - 1];
			lab->stray[j - 1] = t;
		}
}

/* ---- lab.dep --------------------------------------------------------------
 */

struct dep {
	char *name;
	char **needs;
	size_t n_needs;
	int line;
	int state; /* DFS: 0 new, 1 on the path, 2 done */
	unsigned level;
};

struct deps {
	struct dep *v;
	size_t n;
};

static struct dep *dep_find(struct deps *ds, const char *name)
{
	for (size_t i = 0; i < ds->n; i++)
		if (!strcmp(ds->v[i].name, name))
			return &ds->v[i];
	return NULL;
}

static void deps_free(struct deps *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		free(ds->v[i].name);
		for (size_t j = 0; j < ds->v[i].n_needs; j++)
			free(ds->v[i].needs[j]);
		free(ds->v[i].needs);
	}
	free(ds->v);
}

/* ^(\w+):\s?((\w+ ?)+)$ on the stripped line, as Kathará's DepParser. */
static bool dep_line(struct deps *ds, char *s, int line)
{
	size_t k = strspn(s, WORDCH);
	char *p = s + k + 1, *name;
	struct dep *d;

	if (!k || s[k] != ':')
		return false;
	if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	for (char *q = p;;) {
		size_t n = strspn(q, WORDCH);

		if (!n)
			return false;
		q += n;
		if (*q == ' ')
			q++;
		if (!*q)
			break;
	}
	s[k] = '\0';
	d = dep_find(ds, s);
	if (d) { /* a later line replaces an earlier one */
		for (size_t j = 0; j < d->n_needs; j++)
			free(d->needs[j]);
		d->n_needs = 0;
	} else {
		d = load_push(&ds->v, ds->n++, sizeof(*d));
		d->name = xstrdup(s);
	}
	d->line = line;
	while ((name = strsep(&p, " ")))
		if (*name) {
			d->needs = xrealloc(d->needs,
					    (d->n_needs + 1) * sizeof(char *));
			d->needs[d->n_needs++] = xstrdup(name);
		}
	return true;
}

/* The depth of @d's needs; a loop is reported (once) and ends it. */
static int dep_level(struct kat_lab *lab, const char *file, struct deps *ds,
		     struct dep *d)
{
	unsigned level = 0;

	if (d->state == 2)
		return 0;
	if (d->state == 1) {
		kat_error(lab, file, d->line,
			  "%s is in a loop of devices that need each "
			  "other to start first",
			  d->name);
		return -1;
	}
	d->state = 1;
	for (size_t i = 0; i < d->n_needs; i++) {
		struct dep *n = dep_find(ds, d->needs[i]);

		if (!n) { /* needs nothing itself: level 0 */
			if (level < 1)
				level = 1;
			continue;
		}
		if (dep_level(lab, file, ds, n) < 0)
			return -1;
		if (n->level + 1 > level)
			level = n->level + 1;
	}
	d->level = level;
	d->state = 2;
	return 0;
}

static void read_dep(struct kat_lab *lab, int dirfd)
{
	cleanup_free char *text = NULL;
	cleanup_free char *file = nlab_strfmt("%s/lab.dep", lab->shown_dir);
	struct deps ds = { 0 };
	char *cur, *raw;
	size_t len;
	int line = 0;
	bool bad = false;

	if (slurp(dirfd, "lab.dep", &text, &len) < 0) {
		if (errno != ENOENT)
			kat_error(lab, file, 0, "cannot read: %s",
				  strerror(errno));
		return;
	}
	if (!len) {
		kat_note(lab, "%s is empty: ignored (as Kathará does)", file);
		return;
	}
	if (check_utf8(lab, file, text, len))
		return;
	cur = text;
	while ((raw = strsep(&cur, "\n"))) {
		char *s = kat_strip(raw);

		line++;
		if (!*s || *s == '#')
			continue;
		if (!dep_line(&ds, s, line)) {
			kat_error(lab, file, line,
				  "syntax error: expected DEVICE: DEVICE "
				  "DEVICE... (one space between names)");
			bad = true;
		}
	}
	for (size_t i = 0; !bad && i < ds.n; i++)
		bad = dep_level(lab, file, &ds, &ds.v[i]) < 0;
	if (!bad) {
		/* Kathará: devices lab.dep does not name first, then the
		 * named ones by their depth of needs */
		for (size_t i = 0; i < ds.n; i++) {
			struct kat_device *d = find_device(lab, ds.v[i].name);

			if (d)
				d->dep_level = 1 + ds.v[i].level;
			for (size_t j = 0; j < ds.v[i].n_needs; j++) {
				struct dep *n = dep_find(&ds, ds.v[i].needs[j]);

				d = find_device(lab, ds.v[i].needs[j]);
				if (d && !n)
					d->dep_level = 1;
			}
		}
		lab->dep = true;
	}
	deps_free(&ds);
}

int kat_scan_dir(struct kat_lab *lab)
{
	cleanup_close int dirfd =
		open(lab->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t before = lab->d->total;

	if (dirfd < 0) {
		kat_error(lab, lab->shown_dir, 0, "cannot open: %s",
			  strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < lab->n_devs; i++) {
		struct kat_device *d = &lab->devs[i];
		cleanup_free char *startup = nlab_strfmt("%s.startup", d->name);
		cleanup_free char *shutdown =
			nlab_strfmt("%s.shutdown", d->name);

		d->startup = script(lab, dirfd, startup, &d->startup_cr,
				    &d->startup_svc);
		d->tree = is_kind(dirfd, d->name, S_IFDIR);
		d->shutdown = is_kind(dirfd, shutdown, S_IFREG);
	}
	lab->shared_dir = is_kind(dirfd, "shared", S_IFDIR);
	lab->shared_startup =
		script(lab, dirfd, "shared.startup", &lab->shared_startup_cr,
		       &lab->shared_startup_svc);
	lab->shared_shutdown = is_kind(dirfd, "shared.shutdown", S_IFREG);
	if (faccessat(dirfd, "lab.ext", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		cleanup_free char *ext =
			nlab_strfmt("%s/lab.ext", lab->shown_dir);

		kat_error(lab, ext, 0,
			  "host interfaces in collision domains are not "
			  "supported: netlab never connects a lab to the "
			  "host's network");
	}
	read_dep(lab, dirfd);
	strays(lab, dirfd);
	return lab->d->total > before ? -1 : 0;
}
