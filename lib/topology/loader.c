// SPDX-License-Identifier: MIT
/*
 * nlab_topology_load(): read the file, pre-pass and iniparser (iniscan.c),
 * then the sections (load_*.c), then the segments.  Errors are collected
 * on the way and handed back sorted by line, so the user reads them top
 * to bottom; see load.h for the parts.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "topology/load.h"
#include "base/text.h"
#include "base/util.h"

/* A topology is a few kilobytes; a hundred megabytes is the wrong file. */
#define TOPOLOGY_MAX_BYTES (16u << 20)
/* Errors kept for sorting; more are only counted. */
#define STORED_ERRORS_MAX 10000

void load_error(struct loadctx *c, int line, const char *key, const char *fmt,
		...)
{
	struct load_error *e;
	char what[1024];
	va_list ap;

	c->total_errs++;
	if (c->n_errs >= STORED_ERRORS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	xgrow(&c->errs, &c->cap_errs, c->n_errs + 1, sizeof(*c->errs));
	e = &c->errs[c->n_errs];
	e->line = line;
	e->seq = c->n_errs++;
	if (c->map && line > 0 && (size_t)line <= c->n_map) {
		/* a translated topology: the line it was made from */
		const struct nlab_src *src = &c->map[line - 1];

		e->line = src->line;
		if (src->line && src->what)
			e->msg = nlab_strfmt("%s:%d: %s: %s", src->file,
					     src->line, src->what, what);
		else if (src->line)
			e->msg = nlab_strfmt("%s:%d: %s", src->file, src->line,
					     what);
		else if (src->what)
			e->msg = nlab_strfmt("%s: %s: %s", src->file, src->what,
					     what);
		else
			e->msg = nlab_strfmt("%s: %s", src->file, what);
	} else if (!line)
		e->msg = nlab_strfmt("%s: %s", c->path, what);
	else if (c->sect && key)
		e->msg = nlab_strfmt("%s:%d: %s %s: %s", c->path, line, c->sect,
				     key, what);
	else if (c->sect)
		e->msg = nlab_strfmt("%s:%d: %s: %s", c->path, line, c->sect,
				     what);
	else if (key)
		e->msg = nlab_strfmt("%s:%d: %s: %s", c->path, line, key, what);
	else
		e->msg = nlab_strfmt("%s:%d: %s", c->path, line, what);
}

int load_line(const struct loadctx *c, int line)
{
	if (c->map && line > 0 && (size_t)line <= c->n_map)
		return c->map[line - 1].line;
	return line;
}

void *load_push(void *arr, size_t n, size_t size)
{
	void **a = arr;
	size_t cap = 4;

	while (cap < n)
		cap *= 2;
	if (!n || n == cap)
		*a = xrealloc(*a, (n ? cap * 2 : cap) * size);
	memset((char *)*a + n * size, 0, size);
	return (char *)*a + n * size;
}

void load_each_item(struct loadctx *c, struct nlab_node *n,
		    const struct ini_key *k, load_item_fn *one)
{
	cleanup_free char *list = xstrdup(k->value);
	char *cur = list, *item;

	while ((item = nlab_next_item(&cur, ','))) {
		if (!*item)
			load_error(c, k->line, k->name,
				   "empty entry in the list");
		else
			one(c, n, k, item);
	}
}

/* By line, in order of discovery within a line; file-level ones last. */
static int by_line(const void *pa, const void *pb)
{
	const struct load_error *a = pa, *b = pb;
	unsigned la = a->line ? (unsigned)a->line : ~0u;
	unsigned lb = b->line ? (unsigned)b->line : ~0u;

	if (la != lb)
		return la < lb ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void hand_errors(struct loadctx *c, struct nlab_diag *d)
{
	qsort(c->errs, c->n_errs, sizeof(*c->errs), by_line);
	for (size_t i = 0; i < c->n_errs; i++) {
		if (d)
			nlab_diag_add(d, "%s", c->errs[i].msg);
		free(c->errs[i].msg);
	}
	if (d)
		d->total += c->total_errs - c->n_errs;
	free(c->errs);
	c->errs = NULL;
	c->n_errs = c->cap_errs = 0;
}

static int read_file(struct loadctx *c, char **out, size_t *len)
{
	cleanup_close int fd =
		open(c->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	cleanup_free char *buf = NULL;
	size_t n = 0, cap = 0;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		load_error(c, 0, NULL, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		load_error(c, 0, NULL, "is a directory, not a topology file");
		return -1;
	}
	/* a pipe is fine: `netlab check /dev/stdin < lab.ini` */
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		load_error(c, 0, NULL, "not a regular file");
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	for (;;) {
		ssize_t r;

		xgrow(&buf, &cap, n + 65536, 1);
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			load_error(c, 0, NULL, "cannot read: %s",
				   strerror(errno));
			return -1;
		}
		if (!r)
			break;
		n += (size_t)r;
		if (n > TOPOLOGY_MAX_BYTES) {
			load_error(c, 0, NULL, "too large (over %u MiB)",
				   TOPOLOGY_MAX_BYTES >> 20);
			return -1;
		}
	}
	*out = steal_ptr(buf);
	*len = n;
	return 0;
}

static char *absolute(const char *p)
{
	cleanup_free char *cwd = NULL;
	char *s;

	if (p[0] == '/')
		return xstrdup(p);
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return xstrdup(p);
	s = nlab_strfmt("%s/%s", cwd, p);
	return s;
}

/* The directory relative host paths resolve against. */
static char *file_dir(const char *path, const struct nlab_load_opts *o)
{
	cleanup_free char *copy = xstrdup(path);
	char *dir, *real;

	if (o->dir)
		return absolute(o->dir);
	dir = dirname(copy);
	real = realpath(dir, NULL);
	return real ? real : absolute(dir);
}

/* The lab's name: the one the caller imposes, else [lab]'s, else the
 * file's base name less .ini. */
static void default_name(struct loadctx *c)
{
	struct nlab_topology *t = c->t;
	cleanup_free char *copy = NULL;
	char *base;
	size_t n;

	if (c->opts->rename) {
		if (nlab_valid_name(c->opts->rename))
			snprintf(t->name, sizeof(t->name), "%s",
				 c->opts->rename);
		else
			load_error(c, 0, NULL,
				   "'%s' is not a valid lab name "
				   "([a-z0-9][a-z0-9_-]{0,31})",
				   c->opts->rename);
		return;
	}
	if (t->name[0])
		return;
	if (c->opts->name && nlab_valid_name(c->opts->name)) {
		snprintf(t->name, sizeof(t->name), "%s", c->opts->name);
		return;
	}
	copy = xstrdup(c->path);
	base = basename(copy);
	n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".ini"))
		base[n - 4] = '\0';
	if (!nlab_valid_name(base)) {
		c->sect = NULL;
		load_error(
			c, 0, NULL,
			"the file name gives the lab name '%s', which is not "
			"valid ([a-z0-9][a-z0-9_-]{0,31}); add [lab] with "
			"name = ...",
			base);
		return;
	}
	snprintf(t->name, sizeof(t->name), "%s", base);
}

/* A Kathará lab: its translation is the text, its directory the dir. */
static int read_kathara(struct loadctx *c, struct nlab_kathara *k, char **out,
			size_t *len, struct nlab_diag *diag)
{
	if (nlab_kathara_load(c->path, false, NULL, k, diag))
		return -1;
	c->path = k->conf;
	c->map = k->map;
	c->n_map = k->n_map;
	c->t->notes = steal_ptr(k->notes);
	c->t->n_notes = k->n_notes;
	k->n_notes = 0;
	*out = steal_ptr(k->ini);
	*len = k->ini_len;
	return 0;
}

int nlab_topology_load_opts(const char *path, const struct nlab_load_opts *o,
			    struct nlab_topology **out, struct nlab_diag *diag)
{
	static const struct nlab_load_opts defaults;
	struct loadctx c = { .path = path, .opts = o ? o : &defaults };
	struct nlab_kathara k = { 0 };
	struct ini_file f = { 0 };
	cleanup_free char *buf = NULL;
	size_t len = 0;
	bool kathara = nlab_kathara_path(path);
	int r;

	*out = NULL;
	c.t = xcalloc(1, sizeof(*c.t));
	c.t->path = xstrdup(path);
	c.t->hosts = NLAB_HOSTS_SHARED;
	c.t->log_max = NLAB_LOG_MAX_DEFAULT;
	if (kathara && read_kathara(&c, &k, &buf, &len, diag)) {
		nlab_topology_free(c.t);
		return -2;
	}
	r = kathara ? 0 : read_file(&c, &buf, &len);
	if (!r && !ini_scan(&c, buf, len, &f) && !ini_read_values(&c, &f)) {
		c.t->dir = kathara && !c.opts->dir ? xstrdup(k.dir)
						   : file_dir(path, c.opts);
		load_sections(&c, &f);
		load_segments(&c);
		default_name(&c);
		load_hosts_segments(&c);
		if (!c.node_sections) /* the whole file: its first line */
			load_error(&c, 1, NULL,
				   "no nodes: a lab needs at least one "
				   "[node NAME] section");
	}
	ini_file_free(&f);
	nlab_seen_free(&c.names);
	nlab_seen_free(&c.addrs);
	nlab_seen_free(&c.segwords);
	free(c.members);
	for (size_t i = 0; i < c.n_labels; i++) {
		free(c.labels[i].segment);
		free(c.labels[i].text);
	}
	free(c.labels);
	if (c.total_errs) {
		hand_errors(&c, diag);
		nlab_topology_free(c.t);
		nlab_kathara_free(&k);
		return -2;
	}
	nlab_kathara_free(&k);
	/* The very bytes that were validated: `up` stores these, rather
	 * than reading the file again after it may have changed. */
	c.t->source = steal_ptr(buf);
	c.t->source_len = len;
	*out = c.t;
	return 0;
}

int nlab_topology_load(const char *path, struct nlab_topology **out,
		       struct nlab_diag *diag)
{
	return nlab_topology_load_opts(path, NULL, out, diag);
}
