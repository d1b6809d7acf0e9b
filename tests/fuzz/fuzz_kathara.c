// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for Kathará labs (`make fuzz`):
 *   build/fuzz/fuzz-kathara -max_len=4096 -dict=tests/fuzz/kathara.dict \
 *       WORK-DIR tests/fuzz/kathara-corpus
 *
 * An input is a lab: its text is lab.conf, up to a line "@@FILE" that
 * starts another of the lab's files, FILE one of lab.dep, lab.ext,
 * WORD.startup, WORD.shutdown or WORD/ (a directory; text after it is
 * dropped), WORD of [A-Za-z0-9_] (a CR before its LF is no part of it);
 * any other line is text.  The lab is written to a private temporary
 * directory (emptied for each input) and:
 *
 *  - translated (nlab_kathara_load): an error has diagnostics, success
 *    none; each says FILE: or FILE:LINE: of a file of the lab, LINE in
 *    that file, and so is a line it refers to ("(line N)"); the text's
 *    map has a line for each of its lines;
 *  - when it translates, loaded as a topology: the same rules for the
 *    errors (which the map must turn into the lab's lines: an error of
 *    the loader never names the text's own sections), and a lab that
 *    loads is run through what reads the model (exercise.c);
 *  - the translated text (as `netlab convert` prints it) loaded as a
 *    topology file must load exactly when the lab does, to the same
 *    nodes, segments and switches.
 *
 * FUZZ_VERBOSE=1 in the environment prints the diagnostics (to see what
 * a seed reaches: FUZZ_VERBOSE=1 build/fuzz/fuzz-kathara SEED).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exercise.h"
#include "topology/kathara.h"

#define MAX_FILES 8
#define NAME_MAX_ 40

struct lab_file {
	char name[NAME_MAX_ + 2]; /* "lab.conf", "r1.startup", "r1/" */
	const char *text;
	size_t len;
};

static char labdir[64]; /* TMP/lab: the lab is called "lab" */
static char topdir[64];
static struct lab_file files[MAX_FILES];
static size_t n_files;

static void remove_lab(void)
{
	for (size_t i = 0; i < n_files; i++) {
		char path[160];
		size_t n = strlen(files[i].name);

		snprintf(path, sizeof(path), "%s/%.*s", labdir,
			 (int)(files[i].name[n - 1] == '/' ? n - 1 : n),
			 files[i].name);
		if ((files[i].name[n - 1] == '/' ? rmdir(path)
						 : unlink(path)) &&
		    errno != ENOENT)
			abort();
	}
	n_files = 0;
}

static void remove_all(void)
{
	remove_lab();
	rmdir(labdir);
	rmdir(topdir);
}

/* "@@FILE" naming a file the lab may have: its name, else NULL. */
static bool marker(const char *s, size_t n, char name[NAME_MAX_ + 2])
{
	static const char *const tails[] = { ".startup", ".shutdown", "/" };
	size_t w;

	if (n && s[n - 1] == '\r') /* a CR LF input */
		n--;
	if (n < 3 || n > NAME_MAX_ + 2 || s[0] != '@' || s[1] != '@')
		return false;
	s += 2;
	n -= 2;
	memcpy(name, s, n);
	name[n] = '\0';
	if (!strcmp(name, "lab.dep") || !strcmp(name, "lab.ext"))
		return true;
	w = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789_");
	for (size_t i = 0; w && i < sizeof(tails) / sizeof(*tails); i++)
		if (!strcmp(name + w, tails[i]))
			return true;
	return false;
}

/* Cut the input into the lab's files. */
static void split(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct lab_file *cur = &files[0];

	n_files = 1;
	snprintf(cur->name, sizeof(cur->name), "lab.conf");
	cur->text = p;
	cur->len = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char name[NAME_MAX_ + 2];

		if (n_files < MAX_FILES && marker(p, n, name)) {
			for (cur = files; cur < files + n_files; cur++)
				if (!strcmp(cur->name, name))
					break;
			if (cur == files + n_files)
				n_files++;
			memcpy(cur->name, name, sizeof(name));
			cur->text = nl ? nl + 1 : end;
			cur->len = 0;
		} else {
			cur->len = (size_t)((nl ? nl + 1 : end) - cur->text);
		}
		p = nl ? nl + 1 : end;
	}
}

static void write_lab(void)
{
	for (size_t i = 0; i < n_files; i++) {
		char path[160];
		size_t n = strlen(files[i].name);
		int fd;

		snprintf(path, sizeof(path), "%s/%s", labdir, files[i].name);
		if (files[i].name[n - 1] == '/') {
			path[strlen(path) - 1] = '\0';
			if (mkdir(path, 0700))
				abort();
			continue;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 ||
		    (files[i].len && write(fd, files[i].text, files[i].len) !=
					     (ssize_t)files[i].len))
			abort();
		close(fd);
	}
}

static size_t lines_of(const struct lab_file *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->len; i++)
		n += f->text[i] == '\n';
	return n + (f->len && f->text[f->len - 1] != '\n');
}

/*
 * "LABDIR: what", "LABDIR/FILE: what" or "LABDIR/FILE:LINE: what", FILE
 * a file of the lab and LINE in it; a translated topology's error never
 * names the text's own sections ("[node r1] ...").
 */
static void check_line(const char *msg)
{
	size_t dl = strlen(labdir), fl;
	const struct lab_file *f = NULL;
	const char *p;
	char *end;
	unsigned long line;

	if (strncmp(msg, labdir, dl))
		abort();
	p = msg + dl;
	if (!strncmp(p, ": ", 2))
		return;
	if (*p++ != '/')
		abort();
	for (size_t i = 0; i < n_files && !f; i++) {
		fl = strlen(files[i].name);
		if (!strncmp(p, files[i].name, fl) && p[fl] == ':')
			f = &files[i];
	}
	if (!f)
		abort();
	p += fl + 1;
	if (*p == ' ') {
		p++;
	} else {
		line = strtoul(p, &end, 10);
		if (end == p || *end != ':' || end[1] != ' ' || !line ||
		    line > lines_of(f))
			abort();
		p = end + 2;
	}
	if (!*p || *p == '[')
		abort();
	/* "(line N)", "(first at line N)": a line of lab.conf too, not of
	 * the text (a value quoted in a message could say it as well, but
	 * the fuzzer does not know the words) */
	while ((p = strstr(p, "line "))) {
		p += 5;
		line = strtoul(p, &end, 10);
		if (end != p && *end == ')' && line > lines_of(&files[0]))
			abort();
	}
}

static void check_diag(int r, const struct nlab_diag *d)
{
	if (getenv("FUZZ_VERBOSE"))
		for (size_t i = 0; i < d->n; i++)
			fprintf(stderr, "%s\n", d->lines[i]);
	if (r != 0 && r != -2)
		abort();
	if (!r != !d->total || d->n > NLAB_MAX_ERRORS ||
	    d->n != (d->total < NLAB_MAX_ERRORS ? d->total : NLAB_MAX_ERRORS))
		abort();
	for (size_t i = 0; i < d->n; i++)
		check_line(d->lines[i]);
}

static void check_map(const struct nlab_kathara *k)
{
	size_t n = 0;

	if (!k->ini || !k->ini_len || k->ini[k->ini_len - 1] != '\n' ||
	    strlen(k->ini) != k->ini_len)
		abort();
	for (size_t i = 0; i < k->ini_len; i++)
		n += k->ini[i] == '\n';
	if (n != k->n_map)
		abort();
	for (size_t i = 0; i < k->n_map; i++)
		if (!k->map[i].file || k->map[i].line < 0)
			abort();
}

/* The text `convert` prints, as a topology file of its own. */
static struct nlab_topology *load_text(const struct nlab_kathara *k)
{
	static int fd = -1;
	struct nlab_topology *t = NULL;
	struct nlab_diag d = { 0 };
	char path[64];
	int r;

	if (fd < 0 && (fd = memfd_create("fuzz-convert", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(fd, 0) < 0 ||
	    pwrite(fd, k->ini, k->ini_len, 0) != (ssize_t)k->ini_len)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = nlab_topology_load(path, &t, &d);
	if ((r != 0 && r != -2) || !r != !!t || !r != !d.total)
		abort();
	nlab_diag_free(&d);
	return t;
}

/* @s less every "LABDIR/" in it: the text convert prints names the
 * lab's files through the directory, the lab itself does not (and the
 * fuzzer learns the directory's name, so the lab's own text may hold it
 * too). */
static char *unrooted(const char *s)
{
	size_t dl = strlen(labdir);
	char *c = strdup(s), *p = c;

	if (!c)
		abort();
	while ((p = strstr(p, labdir)))
		if (p[dl] == '/')
			memmove(p, p + dl + 1, strlen(p + dl + 1) + 1);
		else
			p += dl;
	return c;
}

static bool same_run(const char *lab, const char *text)
{
	char *a, *b;
	bool eq;

	if (!lab || !text)
		return !lab && !text;
	a = unrooted(lab);
	b = unrooted(text);
	eq = !strcmp(a, b);
	free(a);
	free(b);
	return eq;
}

static void same(const struct nlab_topology *a, const struct nlab_topology *b)
{
	if (!a != !b)
		abort();
	if (!a)
		return;
	if (strcmp(a->name, b->name) || a->n_nodes != b->n_nodes ||
	    a->n_segments != b->n_segments || a->n_switches != b->n_switches ||
	    a->hosts != b->hosts)
		abort();
	for (size_t i = 0; i < a->n_nodes; i++)
		if (strcmp(a->nodes[i].name, b->nodes[i].name) ||
		    a->nodes[i].n_ifaces != b->nodes[i].n_ifaces ||
		    a->nodes[i].n_sysctls != b->nodes[i].n_sysctls ||
		    a->nodes[i].n_mounts != b->nodes[i].n_mounts ||
		    a->nodes[i].n_env != b->nodes[i].n_env ||
		    !same_run(a->nodes[i].run, b->nodes[i].run))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct nlab_kathara k;
	struct nlab_topology *t = NULL, *t2 = NULL;
	struct nlab_diag d = { 0 };
	int r;

	if (!sink) {
		snprintf(topdir, sizeof(topdir), "%s",
			 "/tmp/fuzz-kathara.XXXXXX");
		if (!mkdtemp(topdir))
			abort();
		snprintf(labdir, sizeof(labdir), "%s/lab", topdir);
		if (mkdir(labdir, 0700))
			abort();
		atexit(remove_all);
		sink = fopen("/dev/null", "w");
		if (!sink)
			abort();
	}
	remove_lab();
	split(data, size);
	write_lab();

	r = nlab_kathara_load(labdir, true, NULL, &k, &d);
	check_diag(r, &d);
	nlab_diag_free(&d);
	if (r) {
		if (k.ini || k.map || k.notes)
			abort();
		return 0;
	}
	check_map(&k);

	r = nlab_topology_load_opts(labdir, NULL, &t, &d);
	check_diag(r, &d);
	nlab_diag_free(&d);
	if (!r != !!t)
		abort();
	if (t) {
		if (t->n_notes != k.n_notes)
			abort();
		fuzz_exercise(t, sink);
	}
	t2 = load_text(&k);
	same(t, t2);
	nlab_topology_free(t);
	nlab_topology_free(t2);
	nlab_kathara_free(&k);
	return 0;
}
