// SPDX-License-Identifier: MIT
/*
 * The pre-pass over a topology file, and the call to iniparser.
 *
 * iniparser 4.1 reads the INI syntax (quotes, comments, continuations), but
 * it hides what a user needs to hear about: it keeps the last of two equal
 * keys, merges a repeated section into the first, drops keys before any
 * section, accepts an unterminated quote, gives no line numbers, and fails
 * outright on a logical line of 1023 bytes or more.  So this file walks the
 * text first, the way iniparser_load() does (the same joining of `\`
 * continuations, the same stripping and case folding), records every
 * section and key with its line, and reports those cases itself.
 *
 * iniparser then reads a copy of the text that differs in two respects: a
 * comment after a section header (`[switch lan] ; ...`, as in the SPEC's
 * own example) is cut, since iniparser 4.1 calls that line a syntax error;
 * and in a [test NAME] section, where keys repeat by design (each line is
 * a step, labtest.h), every key is renamed to its own index in the file,
 * so that iniparser keeps every value and still is the one to read them
 * (quotes, comments, continuations).  Line numbers stay the same.  Its
 * values are taken per key afterwards.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <iniparser/iniparser.h>

#include "topology/load.h"
#include "base/text.h"
#include "base/util.h"

/* iniparser reads a line into 1024 bytes with fgets, NUL included: a
 * logical line of 1023 bytes or more (continuations joined) fails. */
#define INI_LINE_MAX 1022

/* ---- text checks ---------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	unsigned c = p[0];
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

/* A topology is UTF-8 text: no NUL bytes, no control characters but tab,
 * CR and LF.  Anything else is most likely the wrong file. */
static int check_text(struct loadctx *c, const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;
	int line = 1;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(p + i, len - i);

		if (n == 1 && ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
				p[i] != '\r') ||
			       p[i] == 0x7f))
			n = 0;
		if (!n && !p[i]) {
			load_error(c, line, NULL,
				   "binary data (a NUL byte); a topology is "
				   "UTF-8 text");
			return -1;
		}
		if (!n) {
			load_error(c, line, NULL,
				   "not a text file (byte 0x%02x); a topology "
				   "is UTF-8 text",
				   p[i]);
			return -1;
		}
		line += p[i] == '\n';
		i += n;
	}
	return 0;
}

/* ---- building the record ---------------------------------------------- */

static void text_append(struct ini_file *f, const char *s, size_t n)
{
	xgrow(&f->text, &f->cap, f->len + n + 1, 1);
	memcpy(f->text + f->len, s, n);
	f->len += n;
	f->text[f->len] = '\0';
}

static void fold(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

/* Section names and keys are matched as iniparser matches them; a hash of
 * them keeps a file with thousands of sections linear. */
struct scan {
	struct loadctx *c;
	struct ini_file *f;
	struct nlab_seen sections; /* name -> index */
	struct nlab_seen keys;	   /* "SECTION-INDEX\0KEY" -> key index */
	long cur;		   /* current section, -1 before the first */
	long step;		   /* the key just read is a [test] step */
};

/* [test NAME], or a [test] that will be told it needs a name. */
static bool test_section(const char *name)
{
	return !strncmp(name, "test", 4) &&
	       (!name[4] || isspace((unsigned char)name[4]));
}

static void syntax(struct scan *s, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void syntax(struct scan *s, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->c->sect = NULL;
	load_error(s->c, line, NULL, "syntax error: %s", msg);
	s->f->broken = true;
}

static void add_section(struct scan *s, char *name, int line)
{
	struct ini_file *f = s->f;
	struct nlab_seen_ent *e;
	struct ini_section *sec;
	size_t len = strlen(name);

	e = nlab_seen_add(&s->sections, name, len, f->n_sections, line, NULL);
	if (e) {
		/* iniparser merges it into the first: so do we */
		s->cur = (long)e->idx;
		s->c->sect = f->sections[e->idx].label;
		load_error(s->c, line, NULL,
			   "duplicate section (first at line %d)",
			   load_line(s->c, e->line));
		return;
	}
	xgrow(&f->sections, &f->cap_sections, f->n_sections + 1, sizeof(*sec));
	sec = &f->sections[f->n_sections];
	sec->name = xstrdup(name);
	sec->label = xmalloc(len + 3);
	snprintf(sec->label, len + 3, "[%s]", name);
	sec->line = line;
	s->cur = (long)f->n_sections++;
}

static void add_key(struct scan *s, char *name, int line)
{
	struct ini_file *f = s->f;
	struct ini_section *sec;
	struct nlab_seen_ent *e;
	size_t nlen = strlen(name), klen;
	cleanup_free char *hkey = NULL;

	if (s->cur < 0) {
		s->c->sect = NULL;
		load_error(s->c, line, NULL,
			   "'%s' is outside any section (keys belong under "
			   "[lab], [node NAME] or [switch NAME])",
			   name);
		return;
	}
	sec = &f->sections[s->cur];
	if (test_section(sec->name)) {
		/* steps: keys repeat, and each one counts */
		s->step = (long)f->n_keys;
		goto add;
	}
	klen = (size_t)snprintf(NULL, 0, "%ld", s->cur) + 1 + nlen;
	hkey = xmalloc(klen + 1);
	snprintf(hkey, klen + 1, "%ld%c%s", s->cur, 0, name);
	e = nlab_seen_add(&s->keys, hkey, klen, f->n_keys, line, NULL);
	if (e) {
		/* iniparser keeps the last value: so the last key counts */
		s->c->sect = sec->label;
		load_error(s->c, line, name, "duplicate key (first at line %d)",
			   load_line(s->c, e->line));
		f->keys[e->idx].shadowed = true;
		e->idx = f->n_keys;
	}
add:
	xgrow(&f->keys, &f->cap_keys, f->n_keys + 1, sizeof(*f->keys));
	f->keys[f->n_keys] = (struct ini_key){
		.name = xstrdup(name),
		.line = line,
		.section = (size_t)s->cur,
		.step = s->step >= 0,
	};
	xgrow(&sec->keys, &sec->cap_keys, sec->n_keys + 1, sizeof(size_t));
	sec->keys[sec->n_keys++] = f->n_keys++;
}

/* ---- one logical line ------------------------------------------------- */

/* A section header: [NAME] with an optional comment after it.  Returns
 * true when the copy for iniparser must be cut after the ']'. */
static bool header(struct scan *s, char *t, int line, bool continued)
{
	char *close = strchr(t, ']'), *rest;
	bool cut = false;

	if (!close) {
		syntax(s, line, "section header without a closing ']'");
		return false;
	}
	*close = '\0';
	rest = close + 1;
	while (isspace((unsigned char)*rest))
		rest++;
	if (strchr(t + 1, '[')) {
		syntax(s, line, "'[' inside a section header");
		return false;
	}
	if (*rest == ';' || *rest == '#') {
		if (continued) {
			syntax(s, line,
			       "a continued section header cannot "
			       "have a comment");
			return false;
		}
		cut = true;
	} else if (*rest) {
		syntax(s, line, "unexpected text after ']'");
		return false;
	}
	t = nlab_trim(t + 1);
	if (!*t) {
		syntax(s, line, "empty section name");
		return false;
	}
	fold(t);
	add_section(s, t, line);
	return cut;
}

/* What iniparser cannot tell us about quotes.  It takes a value starting
 * with a quote up to the next quote and ignores the rest of the line, and
 * cuts an unquoted value at the first ';' or '#'. */
static void check_quotes(struct scan *s, const char *key, const char *v,
			 int line)
{
	const char *close, *rest;
	size_t n = 0;

	s->c->sect = s->cur >= 0 ? s->f->sections[s->cur].label : NULL;
	while (isspace((unsigned char)*v))
		v++;
	if (*v == '"' || *v == '\'') {
		close = strchr(v + 1, *v);
		if (!close) {
			load_error(s->c, line, key, "unterminated %s quote",
				   *v == '"' ? "double" : "single");
			s->f->broken = true;
			return;
		}
		rest = close + 1;
		while (isspace((unsigned char)*rest))
			rest++;
		if (*rest && *rest != ';' && *rest != '#') {
			load_error(s->c, line, key,
				   "text after the closing quote (quote the "
				   "whole value)");
			s->f->broken = true;
		}
		return;
	}
	for (; *v && *v != ';' && *v != '#'; v++)
		n += *v == '"';
	if (n % 2) {
		load_error(s->c, line, key,
			   "unterminated double quote (a ';' or '#' starts a "
			   "comment unless the whole value is in double "
			   "quotes)");
		s->f->broken = true;
	}
}

static bool logical_line(struct scan *s, char *text, int line, bool continued)
{
	char *t = text, *eq;

	while (isspace((unsigned char)*t))
		t++;
	if (!*t || *t == ';' || *t == '#')
		return false;
	if (*t == '[')
		return header(s, t, line, continued);
	eq = strchr(t, '=');
	if (!eq) {
		syntax(s, line, "expected 'KEY = VALUE' or '[SECTION]'");
		return false;
	}
	*eq = '\0';
	t = nlab_trim(t);
	if (!*t) {
		syntax(s, line, "no key before '='");
		return false;
	}
	fold(t);
	check_quotes(s, t, eq + 1, line);
	add_key(s, t, line);
	return false;
}

/*
 * In iniparser's copy of a [test] line (from @mark to the end), put the
 * key's index in place of its name: "reach = a b" becomes "7= a b".  The
 * key must be on the line's first physical line.
 */
static void rename_step(struct scan *s, size_t mark, int line)
{
	struct ini_file *f = s->f;
	const char *start = f->text + mark, *eq, *nl;
	size_t key_end, rest, n;
	char idx[24];

	nl = memchr(start, '\n', f->len - mark);
	eq = memchr(start, '=', nl ? (size_t)(nl - start) : f->len - mark);
	if (!eq) {
		syntax(s, line, "a key cannot go on over two lines");
		return;
	}
	key_end = (size_t)(eq - f->text);
	rest = f->len - key_end; /* from the '=' on */
	n = (size_t)snprintf(idx, sizeof(idx), "%ld", s->step);
	xgrow(&f->text, &f->cap, mark + n + rest + 1, 1);
	memmove(f->text + mark + n, f->text + key_end, rest + 1);
	memcpy(f->text + mark, idx, n);
	f->len = mark + n + rest;
}

static void rtrim(char *s, size_t *len)
{
	while (*len && isspace((unsigned char)s[*len - 1]))
		(*len)--;
	s[*len] = '\0';
}

/*
 * Walk the physical lines, joining continuations as iniparser_load() does:
 * trailing white space is stripped from the joined text, and a trailing
 * backslash is replaced by the next line, leading white space and all.
 */
static void scan_lines(struct scan *s, const char *buf, size_t len)
{
	cleanup_free char *lg = xmalloc(len + 1);
	size_t pos = 0;
	int ln = 0;

	/* An editor's byte order mark is not part of the first line. */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		int first = ln + 1, nphys = 0;
		size_t mark = s->f->len, last = 0, fill = 0, lglen = 0;
		bool cut;

		for (;;) {
			const char *nl = memchr(buf + pos, '\n', len - pos);
			size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

			ln++;
			nphys++;
			if (last + n > fill)
				fill = last + n;
			text_append(s->f, buf + pos, n + !!nl);
			memcpy(lg + last, buf + pos, n);
			lglen = last + n;
			pos += n + !!nl;
			rtrim(lg, &lglen);
			if (!lglen || lg[lglen - 1] != '\\')
				break;
			last = lglen - 1;
			if (pos >= len) {
				s->c->sect = NULL;
				load_error(s->c, first, NULL,
					   "the file ends in a continued line "
					   "(a trailing '\\')");
				s->f->broken = true;
				return;
			}
		}
		if (fill > INI_LINE_MAX) {
			s->c->sect = NULL;
			load_error(s->c, first, NULL,
				   "line too long (%zu bytes, limit %d)", fill,
				   INI_LINE_MAX);
			s->f->broken = true;
			continue;
		}
		s->step = -1;
		cut = logical_line(s, lg, first, nphys > 1);
		if (s->step >= 0)
			rename_step(s, mark, first);
		if (cut) {
			/* the header alone, for iniparser */
			const char *open = memchr(lg, '[', lglen);
			const char *close = strchr(open, '\0');

			s->f->len = mark;
			text_append(s->f, open, (size_t)(close - open));
			text_append(s->f, "]\n", 2);
		}
	}
}

int ini_scan(struct loadctx *c, const char *buf, size_t len, struct ini_file *f)
{
	struct scan s = { .c = c, .f = f, .cur = -1, .step = -1 };

	memset(f, 0, sizeof(*f));
	if (check_text(c, buf, len) < 0) {
		f->broken = true;
		return -1;
	}
	text_append(f, "", 0);
	scan_lines(&s, buf, len);
	nlab_seen_free(&s.sections);
	nlab_seen_free(&s.keys);
	c->sect = NULL;
	return f->broken ? -1 : 0;
}

/* ---- iniparser -------------------------------------------------------- */

/* iniparser reports through one global callback with no user pointer. */
static __thread struct loadctx *cb_ctx;
static __thread const char *cb_copy; /* the path iniparser was given */
static __thread bool cb_called;
static __thread int cb_line0; /* the file's line before the chunk's first */

static int errback(const char *fmt, ...)
{
	char msg[512], *what, *nl;
	const char *at;
	int line = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!cb_ctx)
		return 0;
	cb_called = true;
	what = msg;
	if (!strncmp(what, "iniparser: ", 11))
		what += 11;
	nl = strchr(what, '\n');
	if (nl)
		*nl = '\0';
	at = cb_copy ? strstr(what, cb_copy) : NULL;
	if (at && sscanf(at + strlen(cb_copy), " (%d)", &line) == 1 &&
	    line > 0) {
		/* "syntax error in PATH (N):" */
		what[at - what] = '\0';
		nlab_trim(what);
		if (strlen(what) > 3 && !strcmp(what + strlen(what) - 3, " in"))
			what[strlen(what) - 3] = '\0';
		load_error(cb_ctx, line + cb_line0, NULL, "%s", what);
	} else {
		load_error(cb_ctx, 0, NULL, "the INI parser failed: %s", what);
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Sections per call of iniparser: its dictionary finds a key by looking
 * at every entry (setting one too), so a file read whole costs O(keys^2),
 * a second at 5000 nodes; read a few sections at a time it costs O(keys).
 * A section never spans two chunks: each starts at a section's header. */
#define CHUNK_SECTIONS 32

/* Byte offset in @f->text of the start of line @line (1 = the first). */
static size_t line_offset(const struct ini_file *f, int line, size_t from,
			  int from_line)
{
	while (from_line < line && from < f->len) {
		const char *nl = memchr(f->text + from, '\n', f->len - from);

		from = nl ? (size_t)(nl - f->text) + 1 : f->len;
		from_line++;
	}
	return from;
}

/* The values of the keys of sections [@s0, @s1), read by iniparser from
 * @f->text's bytes [@b0, @b1) (lines from @line0 + 1), put in @fd. */
static int read_chunk(struct loadctx *c, struct ini_file *f, int fd, size_t s0,
		      size_t s1, size_t b0, size_t b1, int line0)
{
	char copy[64];
	dictionary *d;

	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
	    write_all(fd, f->text + b0, b1 - b0) < 0) {
		load_error(c, 0, NULL, "cannot make a copy to parse: %s",
			   strerror(errno));
		return -1;
	}
	snprintf(copy, sizeof(copy), "/proc/self/fd/%d", fd);
	iniparser_set_error_callback(errback);
	cb_ctx = c;
	cb_copy = copy;
	cb_called = false;
	cb_line0 = line0;
	d = iniparser_load(copy);
	cb_ctx = NULL;
	cb_copy = NULL;
	if (!d) {
		if (!cb_called)
			load_error(c, 0, NULL, "the INI parser failed");
		return -1;
	}
	for (size_t si = s0; si < s1; si++) {
		const struct ini_section *sec = &f->sections[si];

		for (size_t j = 0; j < sec->n_keys; j++) {
			size_t i = sec->keys[j];
			struct ini_key *k = &f->keys[i];
			size_t n = strlen(sec->name) + strlen(k->name) + 24;
			cleanup_free char *entry = xmalloc(n);
			const char *v;

			if (k->shadowed || k->value)
				continue;
			if (k->step) /* its index stands for it: rename_step()
				      */
				snprintf(entry, n, "%s:%zu", sec->name, i);
			else
				snprintf(entry, n, "%s:%s", sec->name, k->name);
			v = iniparser_getstring(d, entry, NULL);
			k->value = xstrdup(v ? v : "");
		}
	}
	iniparser_freedict(d);
	return 0;
}

int ini_read_values(struct loadctx *c, struct ini_file *f)
{
	cleanup_close int fd = memfd_create("netlab-topology", MFD_CLOEXEC);
	size_t b0 = 0;
	int line0 = 0;

	if (fd < 0) {
		load_error(c, 0, NULL, "cannot make a copy to parse: %s",
			   strerror(errno));
		return -1;
	}
	/* Chunk k holds sections [32k, 32k + 32), from the header of its
	 * first (the top of the file for the first) to the header of the
	 * next chunk's first. */
	for (size_t s0 = 0; s0 < f->n_sections || s0 == 0;
	     s0 += CHUNK_SECTIONS) {
		size_t s1 = s0 + CHUNK_SECTIONS < f->n_sections
				    ? s0 + CHUNK_SECTIONS
				    : f->n_sections;
		int end_line =
			s1 < f->n_sections ? f->sections[s1].line : INT_MAX;
		size_t b1 = line_offset(f, end_line, b0, line0 + 1);

		if (read_chunk(c, f, fd, s0, s1, b0, b1, line0))
			return -1;
		b0 = b1;
		line0 = end_line - 1;
		if (s1 >= f->n_sections)
			break;
	}
	/* A key of no section (before the first) has no value. */
	for (size_t i = 0; i < f->n_keys; i++)
		if (!f->keys[i].shadowed && !f->keys[i].value)
			f->keys[i].value = xstrdup("");
	return 0;
}

void ini_file_free(struct ini_file *f)
{
	for (size_t i = 0; i < f->n_sections; i++) {
		free(f->sections[i].name);
		free(f->sections[i].label);
		free(f->sections[i].keys);
	}
	for (size_t i = 0; i < f->n_keys; i++) {
		free(f->keys[i].name);
		free(f->keys[i].value);
	}
	free(f->sections);
	free(f->keys);
	free(f->text);
	memset(f, 0, sizeof(*f));
}
