// SPDX-License-Identifier: MIT
/*
 * lab.conf, read as Kathará reads it (its LabParser, Lab, Machine and
 * Interface classes), so that a lab Kathará accepts is accepted and one
 * it refuses is refused, with the line:
 *
 *  - each line is stripped of white space at both ends (so CR LF files
 *    read as LF ones), then must match
 *      ^([a-z0-9_]{1,30})\[(\w+)\]=(["']?)([^"']+)(\3)(\s+#.*)?$
 *    matched as Python's re matches it (greedy, backtracking: an inline
 *    comment after an unquoted value is part of the value unless a quote
 *    follows it; after a quoted value it needs white space before '#');
 *  - a line that does not match may be blank, a comment ('#' in the
 *    first column, before stripping), or LAB_NAME=..., LAB_DESCRIPTION,
 *    LAB_VERSION, LAB_AUTHOR, LAB_EMAIL, LAB_WEB (in the first column,
 *    one '=', quotes dropped); anything else is an error;
 *  - DEVICE[N] with N a decimal number is interface ethN on collision
 *    domain VALUE (CD or CD/MAC, CD of [A-Za-z0-9_]); interfaces of a
 *    device are numbered from 0 without gaps; a device joins a collision
 *    domain once; 'shared' and '_test' are no devices' names;
 *  - DEVICE[OPTION]: the options of kathara-lab.conf(5), checked as
 *    Kathará checks them, at parse time or (mem, cpus, num_terms, ipv6)
 *    when it starts the device; a repeated option replaces the earlier
 *    value (Kathará warns), but exec adds a command, and sysctl, env,
 *    ulimit, port and volume add one entry per key.
 *
 * Kathará stops at the first error; this reader reports each (up to the
 * diag's limit), which needs care only in not repeating an error as
 * another (a bad interface line still takes its number).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "topology/kathara_lab.h"
#include "topology/load.h"
#include "base/text.h"
#include "base/util.h"

#define LOWER  "abcdefghijklmnopqrstuvwxyz"
#define DIGIT  "0123456789"
#define WORDCH "ABCDEFGHIJKLMNOPQRSTUVWXYZ" LOWER DIGIT "_"

const char *const kat_meta_names[KAT_LAB__MAX] = {
	[KAT_LAB_NAME] = "LAB_NAME",
	[KAT_LAB_DESCRIPTION] = "LAB_DESCRIPTION",
	[KAT_LAB_VERSION] = "LAB_VERSION",
	[KAT_LAB_AUTHOR] = "LAB_AUTHOR",
	[KAT_LAB_EMAIL] = "LAB_EMAIL",
	[KAT_LAB_WEB] = "LAB_WEB",
};

/* ---- Python's string rules -------------------------------------------- */

static bool kspace(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

char *kat_strip(char *s)
{
	size_t n;

	while (kspace(*s))
		s++;
	n = strlen(s);
	while (n && kspace(s[n - 1]))
		s[--n] = '\0';
	return s;
}

bool kat_word(const char *s)
{
	return *s && !s[strspn(s, WORDCH)];
}

/* A new copy of @s, stripped. */
static char *strip_dup(const char *s)
{
	cleanup_free char *c = xstrdup(s);

	return xstrdup(kat_strip(c));
}

/* -?\d+ */
static bool int_text(const char *s)
{
	s += *s == '-';
	return *s && strspn(s, DIGIT) == strlen(s);
}

/* [0-9](_?[0-9])*: the digits Python's int() reads (no sign here). */
static bool py_digits(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s; s++) {
		if (*s == '_' && isdigit((unsigned char)s[1]) &&
		    isdigit((unsigned char)s[-1]))
			continue;
		if (!isdigit((unsigned char)*s))
			return false;
		v = v > 100000000 ? v : v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

/* int(s): white space around, an optional sign. */
static bool py_int(const char *s, long *out)
{
	cleanup_free char *c = xstrdup(s);
	char *p = kat_strip(c);
	bool neg = *p == '-';
	unsigned long v;

	if (*p == '-' || *p == '+')
		p++;
	if (!py_digits(p, &v))
		return false;
	*out = neg ? -(long)v : (long)v;
	return true;
}

/* float(s), near enough: a decimal number, inf or nan. */
static bool py_float(const char *s)
{
	cleanup_free char *c = xstrdup(s);
	char *p = kat_strip(c), *end;

	if (!*p || strpbrk(p, "xX"))
		return false;
	errno = 0;
	strtod(p, &end);
	return !*end;
}

/* strtobool(): y, yes, t, true, on, 1 / n, no, f, false, off, 0. */
static int py_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "y", "yes", "t", "true", "on", "1" };
	static const char *const no[] = { "n", "no", "f", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]))
			return *out = true, 0;
		if (!strcasecmp(s, no[i]))
			return *out = false, 0;
	}
	return -1;
}

/* ^\s+#.*$ */
static bool comment_tail(const char *r)
{
	if (!kspace(*r))
		return false;
	while (kspace(*r))
		r++;
	return *r == '#' && !strchr(r, '\n');
}

/*
 * The assignment regex (top of the file) on the stripped line @s: cuts
 * @s into *key, *arg and *value in place, or returns false.
 */
static bool match_assign(char *s, char **key, char **arg, char **value)
{
	size_t k = strspn(s, LOWER DIGIT "_"), a;
	char *r;

	if (k < 1 || k > 30 || s[k] != '[')
		return false;
	a = strspn(s + k + 1, WORDCH);
	if (a < 1 || s[k + 1 + a] != ']' || s[k + 2 + a] != '=')
		return false;
	r = s + k + 3 + a;
	if (*r == '"' || *r == '\'') {
		/* [^"']+ runs to the next quote of either kind, which must
		 * be the same as the opening one */
		size_t p = 1 + strcspn(r + 1, "\"'");

		if (p < 2 || r[p] != *r ||
		    (r[p + 1] && !comment_tail(r + p + 1)))
			return false;
		r[p] = '\0';
		*value = r + 1;
	} else {
		size_t q = strcspn(r, "\"'"), e;

		/* the longest value before a quote that leaves either
		 * nothing or an inline comment */
		for (e = q; e >= 1; e--)
			if ((!r[e] && e == strlen(r)) || comment_tail(r + e))
				break;
		if (e < 1)
			return false;
		r[e] = '\0';
		*value = r;
	}
	s[k] = '\0';
	s[k + 1 + a] = '\0';
	*key = s;
	*arg = s + k + 1;
	return true;
}

/* ---- devices ------------------------------------------------------------ */

struct kparse {
	struct kat_lab *lab;
	int line;
	const char *dev; /* "pc1[0]", for messages */
};

static void perr(struct kparse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void perr(struct kparse *p, const char *fmt, ...)
{
	cleanup_free char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = nlab_vstrfmt(fmt, ap);
	va_end(ap);
	if (p->dev)
		kat_error(p->lab, p->lab->conf, p->line, "%s: %s", p->dev,
			  what);
	else
		kat_error(p->lab, p->lab->conf, p->line, "%s", what);
}

static struct kat_device *device(struct kat_lab *lab, const char *name,
				 int line)
{
	struct kat_device *d;

	for (size_t i = 0; i < lab->n_devs; i++)
		if (!strcmp(lab->devs[i].name, name))
			return &lab->devs[i];
	d = load_push(&lab->devs, lab->n_devs++, sizeof(*d));
	d->name = xstrdup(name);
	d->line = line;
	return d;
}

static bool mac_ok(const char *m)
{
	if (strlen(m) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? m[i] != ':' : !isxdigit((unsigned char)m[i]))
			return false;
	return true;
}

/* DEVICE[N]=CD[/MAC] */
static void interface(struct kparse *p, struct kat_device *d, unsigned long num,
		      char *value)
{
	cleanup_free char *v = xstrdup(value);
	char *cd = v, *mac = NULL, *cur = v, *part;
	struct kat_iface *f;
	size_t parts = 0;
	bool bad = false;

	if (strchr(v, '/')) {
		/* Kathará drops empty parts: "A//MAC" is "A/MAC" */
		cd = mac = NULL;
		while ((part = strsep(&cur, "/")))
			if (*part) {
				parts++;
				if (parts == 1)
					cd = part;
				else if (parts == 2)
					mac = part;
			}
		if (parts != 2) {
			perr(p,
			     "'%s' is no interface: the value is "
			     "COLLISION_DOMAIN or COLLISION_DOMAIN/MAC",
			     value);
			bad = true;
		}
	}
	if (!bad && !kat_word(cd)) {
		perr(p,
		     "collision domain '%s' holds characters other than "
		     "letters, digits and '_'",
		     cd);
		bad = true;
	}
	for (size_t i = 0; i < d->n_ifaces; i++) {
		if (d->ifaces[i].num == num) {
			if (!bad)
				perr(p,
				     "interface %lu is set already (line %d)",
				     num, d->ifaces[i].line);
			return;
		}
		if (!bad && d->ifaces[i].cd && !strcmp(d->ifaces[i].cd, cd)) {
			perr(p,
			     "device %s is on collision domain %s already "
			     "(line %d)",
			     d->name, cd, d->ifaces[i].line);
			bad = true;
		}
	}
	if (!bad && mac && !mac_ok(mac)) {
		perr(p, "'%s' is no MAC address (XX:XX:XX:XX:XX:XX)", mac);
		bad = true;
	}
	f = load_push(&d->ifaces, d->n_ifaces++, sizeof(*f));
	f->num = num;
	f->line = p->line;
	if (!bad) {
		f->cd = xstrdup(cd);
		f->mac = mac ? xstrdup(mac) : NULL;
	}
}

/* ---- options --------------------------------------------------------------
 */

#define NO_HOST "netlab never connects a lab to the host's network"

static const struct kat_option options[] = {
	{ "image", KAT_IGNORED,
	  "nodes run the host's own programs, not container images" },
	{ "mem", KAT_IGNORED, "netlab sets no memory limit on a node" },
	{ "cpus", KAT_IGNORED, "netlab sets no CPU limit on a node" },
	{ "port", KAT_IGNORED, "no host port leads into a lab: " NO_HOST },
	{ "bridged", KAT_IGNORED,
	  "no interface to the host's network: " NO_HOST },
	{ "num_terms", KAT_IGNORED,
	  "netlab opens no terminals: netlab exec LAB NODE opens a shell" },
	{ "entrypoint", KAT_IGNORED,
	  "there is no image, so no entrypoint to replace; the startup "
	  "scripts are the node's run" },
	{ "args", KAT_IGNORED,
	  "there is no image, so no entrypoint to give arguments to" },
	{ "privileged", KAT_NOTHING,
	  "every node runs with all of root's privileges anyway" },
	{ "ipv6", KAT_IPV6, NULL },
	{ "exec", KAT_EXEC, NULL },
	{ "sysctl", KAT_SYSCTL, NULL },
	{ "env", KAT_ENV, NULL },
	{ "shell", KAT_SHELL,
	  "it runs the startup scripts; netlab exec LAB NODE starts "
	  "$SHELL (netlab exec LAB NODE bash starts bash)" },
	{ "ulimit", KAT_ULIMIT,
	  "set with prlimit for the startup scripts and what they start, "
	  "not for netlab exec" },
	{ "volume", KAT_VOLUME, NULL },
};

static const struct kat_option unknown_option = {
	"", KAT_UNKNOWN, "not an option of Kathará's (it ignores it too)"
};

/* prlimit's names, which are Docker's ulimit names too */
static const char *const ulimits[] = {
	"core",	   "cpu",      "data",	 "fsize",      "locks",
	"memlock", "msgqueue", "nice",	 "nofile",     "nproc",
	"rss",	   "rtprio",   "rttime", "sigpending", "stack",
};

/* net\.([\w-]+\.)+[\w-]+=[^=]* */
static int opt_sysctl(struct kparse *p, const char *v, char **key, char **val)
{
	const char *eq = strchr(v, '='), *c;
	size_t comps = 0;

	if (!eq || strchr(eq + 1, '=') || strncmp(v, "net.", 4))
		goto bad;
	for (c = v + 4; c < eq; c++) {
		size_t n = strspn(c, WORDCH "-");

		if (!n)
			goto bad;
		c += n;
		comps++;
		if (c == eq)
			break;
		if (*c != '.')
			goto bad;
	}
	if (comps < 2)
		goto bad;
	*key = xstrndup(v, (size_t)(eq - v));
	*val = strip_dup(eq + 1);
	return 0;
bad:
	perr(p,
	     "'%s' is no sysctl: expected net.KEY=VALUE (only net.* "
	     "keys)",
	     v);
	return -1;
}

/* \w+=.* */
static int opt_env(struct kparse *p, const char *v, char **key, char **val)
{
	const char *eq = strchr(v, '=');
	cleanup_free char *name = eq ? xstrndup(v, (size_t)(eq - v)) : NULL;

	if (!eq || !kat_word(name)) {
		perr(p, "'%s' is no environment variable: expected NAME=VALUE",
		     v);
		return -1;
	}
	*key = steal_ptr(name);
	*val = strip_dup(eq + 1);
	return 0;
}

/* NAME=SOFT[:HARD], -1 for unlimited */
static int opt_ulimit(struct kparse *p, const char *v, char **key, char **val)
{
	const char *eq = strchr(v, '=');
	cleanup_free char *name = eq ? xstrndup(v, (size_t)(eq - v)) : NULL;
	cleanup_free char *lim = eq ? xstrdup(eq + 1) : NULL;
	char *colon = lim ? strchr(lim, ':') : NULL;
	char s[32], h[32];
	long soft, hard;

	if (colon)
		*colon++ = '\0';
	if (!eq || !kat_word(name) || !int_text(lim) ||
	    (colon && !int_text(colon))) {
		perr(p, "'%s' is no ulimit: expected NAME=SOFT[:HARD]", v);
		return -1;
	}
	soft = strtol(lim, NULL, 10);
	hard = colon ? strtol(colon, NULL, 10) : soft;
	if (soft < -1 || hard < -1) {
		perr(p, "'%s': a limit is -1 (unlimited) or more", v);
		return -1;
	}
	if (soft == -1 && hard != -1) {
		perr(p, "'%s': the soft limit (unlimited) is over the hard one",
		     v);
		return -1;
	}
	if (soft != -1 && hard != -1 && soft > hard)
		soft = hard;
	if (!nlab_table_find(name, ulimits, ARRAY_SIZE(ulimits),
			     sizeof(*ulimits))) {
		perr(p,
		     "'%s' is no resource a ulimit sets (nofile, memlock, "
		     "...)",
		     name);
		return -1;
	}
	snprintf(s, sizeof(s), "%ld", soft);
	snprintf(h, sizeof(h), "%ld", hard);
	*key = steal_ptr(name);
	*val = nlab_strfmt("%s:%s", soft == -1 ? "unlimited" : s,
			   hard == -1 ? "unlimited" : h);
	return 0;
}

/* [HOST:]GUEST[/PROTOCOL]; the key is HOST/PROTOCOL, as Kathará's. */
static int opt_port(struct kparse *p, const char *v, char **key, char **val)
{
	cleanup_free char *c = xstrdup(v);
	char *slash = strchr(c, '/'), *colon;
	const char *host = "3000", *guest = c, *proto = "tcp";
	long h, g;

	if (slash) {
		*slash++ = '\0';
		if (strchr(slash, '/'))
			goto bad;
		for (char *q = slash; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		proto = slash;
	}
	colon = strchr(c, ':');
	if (colon) {
		*colon = '\0';
		host = c;
		guest = colon + 1;
		if (strchr(guest, ':'))
			goto bad;
	}
	if (strcmp(proto, "tcp") && strcmp(proto, "udp") &&
	    strcmp(proto, "sctp")) {
		perr(p, "'%s': the protocol is tcp, udp or sctp", v);
		return -1;
	}
	if (!py_int(host, &h) || !py_int(guest, &g))
		goto bad;
	*key = nlab_strfmt("%ld/%s", h, proto);
	*val = nlab_strfmt("%ld", g);
	return 0;
bad:
	perr(p, "'%s' is no port mapping: expected [HOST:]GUEST[/PROTOCOL]", v);
	return -1;
}

/* HOST|GUEST[|MODE]; the key is the host path. */
static int opt_volume(struct kparse *p, const char *v, char **key, char **val)
{
	cleanup_free char *c = xstrdup(v);
	char *cur = c, *part, *parts[3] = { NULL };
	size_t n = 0;

	while ((part = strsep(&cur, "|")))
		if (*part && n++ < 3)
			parts[n - 1] = part;
	if (n != 2 && n != 3) {
		perr(p, "'%s' is no volume: expected HOST|GUEST[|MODE]", v);
		return -1;
	}
	if (n == 3 && strcmp(parts[2], "ro") && strcmp(parts[2], "rw") &&
	    strcmp(parts[2], "rx")) {
		perr(p, "'%s': the mode is ro, rw or rx", parts[2]);
		return -1;
	}
	*key = xstrdup(parts[0]);
	*val = nlab_strfmt("%s|%s", parts[1], n == 3 ? parts[2] : "ro");
	return 0;
}

static int opt_bool(struct kparse *p, const char *v, char **key, char **val)
{
	bool b;

	(void)key;
	if (py_bool(v, &b)) {
		perr(p, "'%s' is neither true nor false", v);
		return -1;
	}
	*val = xstrdup(b ? "true" : "false");
	return 0;
}

static int opt_keyed(struct kparse *p, const struct kat_option *o,
		     const char *v, char **key, char **val)
{
	switch (o->map) {
	case KAT_SYSCTL:
		return opt_sysctl(p, v, key, val);
	case KAT_ENV:
		return opt_env(p, v, key, val);
	case KAT_ULIMIT:
		return opt_ulimit(p, v, key, val);
	case KAT_VOLUME:
		return opt_volume(p, v, key, val);
	default:
		break;
	}
	if (!strcmp(o->name, "port"))
		return opt_port(p, v, key, val);
	if (!strcmp(o->name, "privileged") || !strcmp(o->name, "bridged"))
		return opt_bool(p, v, key, val);
	*val = xstrdup(v);
	return 0;
}

static void option(struct kparse *p, struct kat_device *d, const char *name,
		   const char *value)
{
	const struct kat_option *o = nlab_table_find(name, NLAB_TABLE(options));
	char *key = NULL, *val = NULL;
	struct kat_opt *opt;

	if (!o)
		o = &unknown_option;
	if (opt_keyed(p, o, value, &key, &val))
		return;
	for (size_t i = 0; o->map != KAT_EXEC && i < d->n_opts; i++) {
		opt = &d->opts[i];
		if (strcmp(opt->name, name) || (key && strcmp(opt->key, key)))
			continue;
		kat_note(p->lab,
			 "%s:%d: %s replaces the value of line %d (Kathará "
			 "warns and does the same)",
			 p->lab->conf, p->line, p->dev, opt->line);
		free(opt->value);
		free(key);
		opt->value = val;
		opt->line = p->line;
		return;
	}
	opt = load_push(&d->opts, d->n_opts++, sizeof(*opt));
	opt->kind = o;
	opt->name = xstrdup(name);
	opt->key = key;
	opt->value = val;
	opt->line = p->line;
}

/* What Kathará checks only when it starts a device. */
static void deploy_checks(struct kat_lab *lab, struct kat_device *d)
{
	for (size_t i = 0; i < d->n_opts; i++) {
		const struct kat_opt *o = &d->opts[i];
		cleanup_free char *dev =
			nlab_strfmt("%s[%s]", d->name, o->name);
		struct kparse p = { .lab = lab, .line = o->line, .dev = dev };
		size_t n = strlen(o->value);
		cleanup_free char *num = xstrdup(o->value);
		long v;
		bool b;

		if (!strcmp(o->name, "mem")) {
			if (n && strchr("bkmgBKMG", num[n - 1]))
				num[n - 1] = '\0';
			if (!py_int(num, &v))
				perr(&p,
				     "'%s' is no amount of memory (a number, "
				     "with b, k, m or g)",
				     o->value);
		} else if (!strcmp(o->name, "cpus")) {
			if (!py_float(o->value))
				perr(&p, "'%s' is no number of CPUs", o->value);
		} else if (!strcmp(o->name, "num_terms")) {
			if (!py_int(o->value, &v) || v < 0)
				perr(&p,
				     "'%s' is no number of terminals (0 or "
				     "more)",
				     o->value);
		} else if (!strcmp(o->name, "ipv6")) {
			if (py_bool(o->value, &b))
				perr(&p, "'%s' is neither true nor false",
				     o->value);
		}
	}
}

/* Interfaces are numbered from 0 without gaps (Machine.check()). */
static void check_numbers(struct kat_lab *lab, const struct kat_device *d)
{
	for (unsigned long want = 0; want < d->n_ifaces; want++) {
		const struct kat_iface *above = NULL;
		bool found = false;

		for (size_t i = 0; i < d->n_ifaces; i++) {
			if (d->ifaces[i].num == want)
				found = true;
			else if (d->ifaces[i].num > want &&
				 (!above || d->ifaces[i].num < above->num))
				above = &d->ifaces[i];
		}
		if (found)
			continue;
		kat_error(lab, lab->conf, above->line,
			  "%s[%lu]: device %s has no interface %lu: its "
			  "interfaces are numbered from 0 without gaps",
			  d->name, above->num, d->name, want);
		return;
	}
}

/* ---- lines ------------------------------------------------------------- */

/* A line that is no assignment: a comment, blank, LAB_*=..., or an
 * error. */
static void other_line(struct kparse *p, char *raw)
{
	struct kat_lab *lab = p->lab;
	cleanup_free char *copy = xstrdup(raw);
	char *s = kat_strip(copy), *eq, *q;

	if (raw[0] == '#' || !*s)
		return;
	for (int m = 0; m < KAT_LAB__MAX; m++) {
		size_t n = strlen(kat_meta_names[m]);
		char *v, *w, *r;

		if (strncmp(raw, kat_meta_names[m], n) || raw[n] != '=')
			continue;
		if (strchr(raw + n + 1, '=')) {
			perr(p, "%s: a value with '=' is refused by Kathará",
			     kat_meta_names[m]);
			return;
		}
		v = xstrdup(raw + n + 1);
		for (r = w = v; *r; r++) /* quotes dropped, anywhere */
			if (*r != '"' && *r != '\'')
				*w++ = *r;
		*w = '\0';
		free(lab->meta[m]);
		lab->meta[m] = strip_dup(v);
		lab->meta_line[m] = p->line;
		free(v);
		return;
	}
	/* Say what Kathará would not, where it can be told. */
	if (s[0] == '#')
		perr(p, "syntax error: a comment starts with '#' in the "
			"first column");
	else if (!strncmp(s, "LAB_", 4) || !strncmp(raw, "LAB_", 4))
		perr(p, "syntax error: expected LAB_NAME, LAB_DESCRIPTION, "
			"LAB_VERSION, LAB_AUTHOR, LAB_EMAIL or LAB_WEB, then "
			"'=' in the first column");
	else if ((eq = strchr(s, '=')) &&
		 ((eq > s && kspace(eq[-1])) || kspace(eq[1])))
		perr(p, "syntax error: no white space goes around '='");
	else if (eq && (q = strpbrk(eq, "\"'")))
		perr(p, "syntax error: %s",
		     !strpbrk(q + 1, "\"'") ? "a quote that is not closed"
		     : *strpbrk(q + 1, "\"'") != *q
			     ? "quotes that do not match"
			     : "text after the closing quote (an inline "
			       "comment needs white space before its '#')");
	else if (strchr(s, '[') && strchr(s, ']'))
		perr(p, "syntax error: expected DEVICE[N]=COLLISION_DOMAIN or "
			"DEVICE[OPTION]=VALUE, DEVICE of [a-z0-9_] (at most "
			"30), N or OPTION of [A-Za-z0-9_]");
	else
		perr(p, "syntax error: expected DEVICE[ARG]=VALUE, "
			"LAB_...=VALUE, a comment or a blank line");
}

static void assignment(struct kparse *p, char *key, char *arg, char *value)
{
	struct kat_lab *lab = p->lab;
	cleanup_free char *dev = nlab_strfmt("%s[%s]", key, arg);
	struct kat_device *d;
	unsigned long num;

	p->dev = dev;
	if (!strcmp(key, "shared") || !strcmp(key, "_test")) {
		perr(p, "'%s' is a reserved name: no device can have it", key);
		p->dev = NULL;
		return;
	}
	d = device(lab, key, p->line);
	if (py_digits(arg, &num))
		interface(p, d, num, value);
	else
		option(p, d, arg, value);
	p->dev = NULL;
}

int kat_parse_conf(struct kat_lab *lab, const char *text, size_t len)
{
	struct kparse p = { .lab = lab };
	size_t pos = 0, before = lab->d->total;

	if (!len) {
		kat_error(lab, lab->conf, 0, "the file is empty");
		return -1;
	}
	/* an editor's byte order mark (Kathará refuses the line) */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		cleanup_free char *raw = xstrndup(text + pos, n);
		cleanup_free char *s = xstrdup(raw);
		char *key, *arg, *value;

		p.line++;
		pos += n + 1;
		if (match_assign(kat_strip(s), &key, &arg, &value))
			assignment(&p, key, arg, value);
		else
			other_line(&p, raw);
	}
	if (lab->d->total > before)
		return -1;
	if (!lab->n_devs) {
		kat_error(lab, lab->conf, 0,
			  "no devices (a line DEVICE[0]=COLLISION_DOMAIN "
			  "makes one)");
		return -1;
	}
	for (size_t i = 0; i < lab->n_devs; i++) {
		check_numbers(lab, &lab->devs[i]);
		deploy_checks(lab, &lab->devs[i]);
	}
	return lab->d->total > before ? -1 : 0;
}
