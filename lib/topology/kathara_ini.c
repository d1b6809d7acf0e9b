// SPDX-License-Identifier: MIT
/*
 * A Kathará lab as netlab topology text: the mapping, in one place.
 *
 *   device D                [node D] (a name netlab cannot take, such as
 *                           _r1, becomes x_r1, said in a note)
 *   D[N]=CD[/MAC]           ethN = SEGMENT [mac=MAC]; SEGMENT is CD in
 *                           lower case, made unique against the devices'
 *                           names and the other collision domains (A and a
 *                           are two of them); [lab] labels keeps CD
 *   a CD with one device    [switch SEGMENT]: a stub LAN
 *   every device            Kathará's sysctls (its DockerMachine.py): IPv4
 *                           forwarding, rp_filter off, no ICMP rate limit,
 *                           IPv6 off unless D[ipv6]; then D[sysctl]s
 *   D[env]                  env =
 *   shared.startup, D.startup, D[exec]
 *                           run = "... -x shared.startup; ... -x
 *                           D.startup; ... -c 'EXEC'", with /bin/bash or
 *                           D[shell], as Kathará runs them (with set -x);
 *                           CR LF scripts through sed, as Kathará turns
 *                           them into LF; D[ulimit] through prlimit first
 *                           systemctl/service start frr lines become
 *                           frrinit.sh start through sed (kathara_node.c)
 *   D/                      files = D
 *   shared/, D[volume]      bind = shared:/shared, HOST:GUEST[:ro]
 *   LAB_*                   [lab] name (LAB_NAME, else the directory's
 *                           name), description
 *   lab.dep                 the order of the [node] sections
 *   the rest                a note each: what is not applied, and why
 *
 * Kathará's devices have no hosts file listing the others: hosts = no.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "topology/kathara_lab.h"
#include "topology/load.h"
#include "base/seen.h"
#include "base/text.h"
#include "base/util.h"

/* iniparser's limit on a logical line (see iniscan.c) */
#define INI_LINE_MAX 1022
/* devices named in a note before "and N more" */
#define NOTE_NAMES 6

#define SAFE_PATH                                                              \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"       \
	"_./+@%-"

void kat_note(struct kat_lab *lab, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lab->notes =
		xrealloc(lab->notes, (lab->n_notes + 1) * sizeof(*lab->notes));
	lab->notes[lab->n_notes++] = nlab_vstrfmt(fmt, ap);
	va_end(ap);
}

void kat_error(struct kat_lab *lab, const char *file, int line, const char *fmt,
	       ...)
{
	cleanup_free char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = nlab_vstrfmt(fmt, ap);
	va_end(ap);
	if (line)
		nlab_diag_add(lab->d, "%s:%d: %s", file, line, what);
	else
		nlab_diag_add(lab->d, "%s: %s", file, what);
}

/* ---- the text and its map --------------------------------------------- */

struct out {
	struct kat_lab *lab;
	struct nlab_kathara *k;
	const char *base; /* before every path: "" or "DIR/" */
	size_t cap, cap_map;
};

/* One line of text, from @line of @file (NULL: lab.conf), key @what. */
static void put(struct out *o, const char *file, int line, const char *what,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void put(struct out *o, const char *file, int line, const char *what,
		const char *fmt, ...)
{
	struct nlab_kathara *k = o->k;
	cleanup_free char *s = NULL;
	struct nlab_src *src;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	s = nlab_vstrfmt(fmt, ap);
	va_end(ap);
	n = strlen(s);
	xgrow(&k->ini, &o->cap, k->ini_len + n + 2, 1);
	memcpy(k->ini + k->ini_len, s, n);
	k->ini_len += n;
	k->ini[k->ini_len++] = '\n';
	k->ini[k->ini_len] = '\0';
	xgrow(&k->map, &o->cap_map, k->n_map + 1, sizeof(*k->map));
	src = &k->map[k->n_map++];
	src->file = xstrdup(file ? file : o->lab->conf);
	src->line = line;
	src->what = what ? xstrdup(what) : NULL;
}

/* A comment, wrapped at 76 columns. */
static void comment(struct out *o, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strlen(p), cut = n;

		if (n > 74) {
			for (cut = 74; cut && p[cut] != ' '; cut--)
				;
			if (!cut)
				cut = strcspn(p, " ");
		}
		put(o, NULL, 0, NULL, "; %.*s", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

/* KEY = VALUE, quoted when iniparser would cut it; too long is an error
 * at @line, since a longer line is what the loader cannot read.  A long
 * @list (", "-separated) continues on a line per item. */
static void setting(struct out *o, int line, const char *what, const char *key,
		    const char *value, bool list, const char *note)
{
	size_t vl = strlen(value);
	bool quote = strpbrk(value, ";#") ||
		     (vl && (isspace((unsigned char)value[0]) ||
			     isspace((unsigned char)value[vl - 1])));
	cleanup_free char *v =
		quote ? nlab_strfmt("\"%s\"", value) : xstrdup(value);
	size_t len = strlen(key) + 3 + strlen(v);
	char *cur = v, *next;

	if (len > INI_LINE_MAX) {
		kat_error(o->lab, o->lab->conf, line,
			  "%s: netlab's %s for it would be %zu bytes, over "
			  "the %d of a topology line",
			  what, key, len, INI_LINE_MAX);
		return;
	}
	if (note) {
		put(o, NULL, line, what, "%-7s = %-24s ; %s", key, v, note);
		return;
	}
	if (!list || len <= 78) {
		put(o, NULL, line, what, "%-7s = %s", key, v);
		return;
	}
	for (bool first = true; (next = strstr(cur, ", ")); first = false) {
		next[1] = '\0';
		put(o, NULL, line, what, "%-7s %c %s \\", first ? key : "",
		    first ? '=' : ' ', cur);
		cur = next + 2;
	}
	put(o, NULL, line, what, "%-7s   %s", "", cur);
}

/* ---- names -----------------------------------------------------------------
 */

/* @want made a valid name (lower case, [a-z0-9_-], a letter or digit
 * first, at most NLAB_NAME_MAX) that @taken does not hold; then taken. */
static void unique(struct nlab_seen *taken, const char *want,
		   char out[NLAB_NAME_MAX + 1])
{
	char base[NLAB_NAME_MAX + 1];
	size_t n = 0;

	if (!isalnum((unsigned char)want[0]) || (want[0] & 0x80))
		base[n++] = 'x';
	for (const char *p = want; *p && n < NLAB_NAME_MAX; p++) {
		char c = (char)tolower((unsigned char)*p);

		base[n++] = isalnum((unsigned char)c) || c == '_' || c == '-'
				    ? c
				    : '-';
	}
	base[n] = '\0';
	snprintf(out, NLAB_NAME_MAX + 1, "%s", base);
	for (unsigned i = 2; nlab_seen_find(taken, out, strlen(out)); i++) {
		char sfx[16];
		int l = snprintf(sfx, sizeof(sfx), "-%u", i);

		snprintf(out, NLAB_NAME_MAX + 1, "%.*s%s",
			 (int)(NLAB_NAME_MAX - (size_t)l), base, sfx);
	}
	nlab_seen_add(taken, out, strlen(out), 0, 0, NULL);
}

/* A collision domain and its segment. */
struct cd {
	const char *name; /* Kathará's */
	char seg[NLAB_NAME_MAX + 1];
	size_t members;
	int line;	 /* first use */
	const char *dev; /* first member, for messages */
};

struct cds {
	struct cd *v;
	size_t n;
	struct nlab_seen idx; /* name -> index */
};

static struct cd *cd_of(struct cds *cs, const char *name)
{
	struct nlab_seen_ent *e = nlab_seen_find(&cs->idx, name, strlen(name));

	return e ? &cs->v[e->idx] : NULL;
}

/*
 * Names: devices keep theirs when netlab can take them; then collision
 * domains whose name is a valid one keep it unless a device has it;
 * the others get one made from theirs.  Nodes, switches and segments
 * share one name space in netlab, not in Kathará.
 */
static void names(struct out *o, struct cds *cs)
{
	struct kat_lab *lab = o->lab;
	struct nlab_seen taken = { 0 };

	for (size_t i = 0; i < lab->n_devs; i++) {
		struct kat_device *d = &lab->devs[i];

		if (nlab_valid_name(d->name)) {
			snprintf(d->node, sizeof(d->node), "%s", d->name);
			nlab_seen_add(&taken, d->name, strlen(d->name), 0, 0,
				      NULL);
		}
	}
	for (size_t i = 0; i < lab->n_devs; i++) {
		struct kat_device *d = &lab->devs[i];

		if (d->node[0])
			continue;
		unique(&taken, d->name, d->node);
		kat_note(lab,
			 "device %s is node %s (a netlab name starts with a "
			 "letter or a digit); its host name is %s too",
			 d->name, d->node, d->node);
	}
	for (size_t i = 0; i < lab->n_devs; i++)
		for (size_t f = 0; f < lab->devs[i].n_ifaces; f++) {
			const struct kat_iface *fi = &lab->devs[i].ifaces[f];
			struct cd *c = cd_of(cs, fi->cd);

			if (!c) {
				c = load_push(&cs->v, cs->n, sizeof(*c));
				nlab_seen_add(&cs->idx, fi->cd, strlen(fi->cd),
					      cs->n++, 0, NULL);
				c->name = fi->cd;
				c->line = fi->line;
				c->dev = lab->devs[i].name;
			}
			c->members++;
		}
	for (size_t i = 0; i < cs->n; i++) {
		struct cd *c = &cs->v[i];

		if (nlab_valid_name(c->name) &&
		    !nlab_seen_add(&taken, c->name, strlen(c->name), 0, 0,
				   NULL))
			snprintf(c->seg, sizeof(c->seg), "%s", c->name);
	}
	for (size_t i = 0; i < cs->n; i++)
		if (!cs->v[i].seg[0])
			unique(&taken, cs->v[i].name, cs->v[i].seg);
	nlab_seen_free(&taken);
}

/* "r1, r2, r3, and 4 more" */
static char *list_devices(struct kat_lab *lab, const struct kat_option *kind,
			  const char *name)
{
	char *s = xstrdup("");
	size_t n = 0;

	for (size_t i = 0; i < lab->n_devs; i++) {
		const struct kat_device *d = &lab->devs[i];
		bool has = false;

		for (size_t j = 0; j < d->n_opts && !has; j++)
			has = d->opts[j].kind == kind &&
			      (!name || !strcmp(d->opts[j].name, name));
		if (!has)
			continue;
		if (n++ < NOTE_NAMES) {
			char *t = nlab_strfmt("%s%s%s", s, n > 1 ? ", " : "",
					      d->name);

			free(s);
			s = t;
		}
	}
	if (n > NOTE_NAMES) {
		char *t = nlab_strfmt("%s, and %zu more", s, n - NOTE_NAMES);

		free(s);
		s = t;
	}
	if (!n) {
		free(s);
		return NULL;
	}
	return s;
}

/* One note per option that is not applied or approximated, naming the
 * devices that have it. */
static void option_notes(struct kat_lab *lab)
{
	struct nlab_seen seen = { 0 };

	for (size_t i = 0; i < lab->n_devs; i++)
		for (size_t j = 0; j < lab->devs[i].n_opts; j++) {
			const struct kat_opt *op = &lab->devs[i].opts[j];
			const struct kat_option *kind = op->kind;
			bool unknown = kind->map == KAT_UNKNOWN;
			cleanup_free char *devs = NULL;

			if (!kind->note ||
			    nlab_seen_add(&seen, op->name, strlen(op->name), 0,
					  0, NULL))
				continue;
			devs = list_devices(lab, kind,
					    unknown ? op->name : NULL);
			kat_note(lab, "%s: %s (%s): %s",
				 kind->map == KAT_SHELL ||
						 kind->map == KAT_ULIMIT
					 ? "approximated"
				 : kind->map == KAT_NOTHING ? "no need"
							    : "not applied",
				 op->name, devs, kind->note);
		}
	nlab_seen_free(&seen);
}

/* ---- one device ---------------------------------------------------------- */

static void ifaces(struct out *o, struct cds *cs, const struct kat_device *d)
{
	for (unsigned long num = 0; num < d->n_ifaces; num++)
		for (size_t i = 0; i < d->n_ifaces; i++) {
			const struct kat_iface *f = &d->ifaces[i];
			const struct cd *c;
			cleanup_free char *what = NULL;
			cleanup_free char *value = NULL;
			cleanup_free char *note = NULL;

			if (f->num != num)
				continue;
			c = cd_of(cs, f->cd);
			what = nlab_strfmt("%s[%lu]", d->name, num);
			value = f->mac ? nlab_strfmt("%s mac=%s", c->seg,
						     f->mac)
				       : xstrdup(c->seg);
			for (char *p = value; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			note = nlab_strfmt("%s=%s%s%s", what, f->cd,
					   f->mac ? "/" : "",
					   f->mac ? f->mac : "");
			put(o, NULL, f->line, what, "eth%-4lu = %-24s ; %s",
			    num, value, note);
		}
}

static void node(struct out *o, struct cds *cs, const struct kat_device *d)
{
	cleanup_free char *what = nlab_strfmt("device %s", d->name);
	cleanup_free char *sys = kat_sysctls(o->lab, d);
	cleanup_free char *vars = kat_env(o->lab, d);
	cleanup_free char *cmd = kat_run(o->lab, o->base, d);
	cleanup_free char *mounts = kat_binds(o->lab, o->base, d);
	cleanup_free char *tree = NULL;
	cleanup_free char *k = NULL;

	put(o, NULL, 0, NULL, "%s", "");
	put(o, NULL, d->line, what, "[node %s]", d->node);
	ifaces(o, cs, d);
	k = nlab_strfmt("%s[sysctl]", d->name);
	setting(o, kat_opt_line(d, "sysctl"), k, "sysctl", sys, true, NULL);
	if (vars) {
		free(k);
		k = nlab_strfmt("%s[env]", d->name);
		setting(o, kat_opt_line(d, "env"), k, "env", vars, true, NULL);
	}
	if (cmd) {
		free(k);
		k = nlab_strfmt("%s.startup", d->name);
		setting(o, d->line, k, "run", cmd, false, NULL);
	}
	if (d->tree) {
		free(k);
		k = nlab_strfmt("%s/", d->name);
		tree = nlab_strfmt("%s%s", o->base, d->name);
		setting(o, d->line, k, "files", tree, false, NULL);
	}
	if (mounts) {
		free(k);
		k = nlab_strfmt("%s[volume]", d->name);
		setting(o, kat_opt_line(d, "volume"), k, "bind", mounts, true,
			NULL);
	}
}

/* ---- the lab
 * ------------------------------------------------------------------ */

/* LAB_NAME, else the directory's name, made a valid lab name. */
static void lab_name(struct kat_lab *lab, const char *want,
		     char out[NLAB_NAME_MAX + 1])
{
	cleanup_free char *copy = xstrdup(lab->dir);
	struct nlab_seen none = { 0 };
	const char *from = lab->meta[KAT_LAB_NAME];
	char *end;

	if (want) {
		snprintf(out, NLAB_NAME_MAX + 1, "%s", want);
		return;
	}
	if (!from || !*from)
		from = basename(copy);
	unique(&none, from, out);
	nlab_seen_free(&none);
	for (end = out + strlen(out); end > out + 1 && end[-1] == '-';)
		*--end = '\0';
}

static void header(struct out *o)
{
	struct kat_lab *lab = o->lab;
	cleanup_free char *intro = nlab_strfmt(
		"netlab's topology of the Kathará lab in %s, as netlab "
		"convert prints it; netlab up %s runs the same lab.",
		lab->shown_dir, lab->shown_dir);

	comment(o, intro);
	if (*o->base)
		comment(o, "The paths below are relative to the directory "
			   "netlab convert ran in: keep this file there.");
	put(o, NULL, 0, NULL, ";");
	comment(o, "Each node has the sysctls Kathará gives each device "
		   "(IPv4 forwarding on, rp_filter off, no ICMP rate limit, "
		   "IPv6 off unless DEVICE[ipv6]), then the device's own. "
		   "Its run is what Kathará runs in the device: "
		   "shared.startup, DEVICE.startup (with /bin/bash or "
		   "DEVICE[shell], and -x for Kathará's set -x), then "
		   "DEVICE[exec]; netlab log LAB NODE shows their output.");
	comment(o, "The startup scripts set the addresses and routes: "
		   "netlab does not know them, so netlab ping has nothing to "
		   "ping, and netlab link ... up does not put them back "
		   "(netlab status shows them, read from the nodes).");
	if (lab->dep)
		comment(o, "lab.dep: the nodes are in the order it gives, "
			   "which is the order they start in; as with "
			   "Kathará, a node does not wait for the startup of "
			   "the one before to end.");
	for (size_t i = 0; i < lab->n_notes; i++) {
		put(o, NULL, 0, NULL, ";");
		comment(o, lab->notes[i]);
	}
}

static void lab_section(struct out *o, struct cds *cs, const char *name)
{
	struct kat_lab *lab = o->lab;
	char valid[NLAB_NAME_MAX + 1];
	cleanup_free char *desc = NULL;
	cleanup_free char *more = NULL;
	cleanup_free char *labels = NULL;

	lab_name(lab, name, valid);
	put(o, NULL, 0, NULL, "%s", "");
	put(o, NULL, 0, NULL, "[lab]");
	setting(o, lab->meta_line[KAT_LAB_NAME], "LAB_NAME", "name", valid,
		false,
		lab->meta[KAT_LAB_NAME] ? "LAB_NAME" : "the directory's name");
	for (int m = KAT_LAB_VERSION; m < KAT_LAB__MAX; m++)
		if (lab->meta[m] && *lab->meta[m]) {
			char *t = nlab_strfmt(
				"%s%s%s%s", more ? more : "", more ? "; " : "",
				m == KAT_LAB_VERSION ? "version " : "",
				lab->meta[m]);

			free(more);
			more = t;
		}
	if (lab->meta[KAT_LAB_DESCRIPTION] && *lab->meta[KAT_LAB_DESCRIPTION])
		desc = nlab_strfmt("%s%s%s%s", lab->meta[KAT_LAB_DESCRIPTION],
				   more ? " (" : "", more ? more : "",
				   more ? ")" : "");
	else if (more)
		desc = xstrdup(more);
	if (desc)
		setting(o, lab->meta_line[KAT_LAB_DESCRIPTION],
			"LAB_DESCRIPTION", "description", desc, false, NULL);
	put(o, NULL, 0, NULL, "hosts   = no                       ; %s",
	    "as in Kathará, no hosts file of the nodes");
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].seg, cs->v[i].name))
			kat_add(&labels, "%s=%s", cs->v[i].seg, cs->v[i].name);
	if (labels && strlen(labels) + 10 > INI_LINE_MAX)
		kat_note(lab, "the collision domains' own names are not shown "
			      "by status and graph: too many to list");
	else if (labels) {
		comment(o, "the collision domains' own names, for status and "
			   "graph");
		setting(o, 0, "labels", "labels", labels, true, NULL);
	}
}

static void switches(struct out *o, struct cds *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		const struct cd *c = &cs->v[i];
		cleanup_free char *what = NULL;

		if (c->members != 1)
			continue;
		what = nlab_strfmt("collision domain %s", c->name);
		put(o, NULL, 0, NULL, "%s", "");
		put(o, NULL, c->line, what,
		    "[switch %s]                 ; %s has one device, %s: a "
		    "stub LAN",
		    c->seg, c->name, c->dev);
	}
}

static void dir_notes(struct kat_lab *lab)
{
	cleanup_free char *down = NULL;

	for (size_t i = 0; i < lab->n_devs; i++)
		if (lab->devs[i].shutdown)
			kat_add(&down, "%s.shutdown", lab->devs[i].name);
	if (lab->shared_shutdown)
		kat_add(&down, "shared.shutdown");
	if (down)
		kat_note(lab,
			 "not applied: %s: netlab runs nothing when a "
			 "node stops",
			 down);
	if (lab->shared_dir && access("/shared", F_OK))
		kat_note(lab,
			 "not applied: shared/ is not mounted at /shared: "
			 "this host has no /shared, and netlab makes no "
			 "directory outside its own places (mkdir /shared, "
			 "and it is)");
	if (lab->n_stray) {
		char *list = NULL;

		for (size_t i = 0; i < lab->n_stray; i++)
			kat_add(&list, "%s", lab->stray[i]);
		kat_note(lab,
			 "not used: %s: no device of lab.conf has the name "
			 "(Kathará does not use them either)",
			 list);
		free(list);
	}
}

/* Devices in the order they start: lab.dep's, else lab.conf's. */
static size_t *start_order(const struct kat_lab *lab)
{
	size_t *ord = xcalloc(lab->n_devs ? lab->n_devs : 1, sizeof(*ord));

	for (size_t i = 0; i < lab->n_devs; i++) {
		size_t j = i;

		for (; j &&
		       lab->devs[ord[j - 1]].dep_level > lab->devs[i].dep_level;
		     j--)
			ord[j] = ord[j - 1];
		ord[j] = i;
	}
	return ord;
}

int kat_write_ini(struct kat_lab *lab, bool from_cwd, const char *name,
		  struct nlab_kathara *k)
{
	struct out o = { .lab = lab, .k = k };
	struct cds cs = { 0 };
	const char *base = from_cwd ? lab->shown_dir : "";
	cleanup_free char *prefix = NULL;
	cleanup_free size_t *ord = NULL;
	size_t before = lab->d->total;

	if (base[strspn(base, SAFE_PATH)]) {
		kat_error(lab, lab->shown_dir, 0,
			  "a path netlab's topology cannot carry (it holds "
			  "characters other than letters, digits and "
			  "_./+@%%-): convert it from its own directory, "
			  "netlab convert .");
		return -1;
	}
	prefix = *base && strcmp(base, ".")
			 ? nlab_strfmt("%s%s", base,
				       base[strlen(base) - 1] == '/' ? "" : "/")
			 : xstrdup("");
	o.base = prefix;
	names(&o, &cs);
	option_notes(lab);
	dir_notes(lab);
	kat_service_notes(lab);
	header(&o);
	lab_section(&o, &cs, name);
	ord = start_order(lab);
	for (size_t i = 0; i < lab->n_devs; i++)
		node(&o, &cs, &lab->devs[ord[i]]);
	switches(&o, &cs);
	free(cs.v);
	nlab_seen_free(&cs.idx);
	return lab->d->total > before ? -1 : 0;
}

/* ---- the public side
 * --------------------------------------------------------- */

bool nlab_kathara_path(const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	struct stat st;

	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return true;
	return !strcmp(basename(copy), "lab.conf");
}

void kat_lab_free(struct kat_lab *lab)
{
	for (size_t i = 0; i < lab->n_devs; i++) {
		struct kat_device *d = &lab->devs[i];

		for (size_t j = 0; j < d->n_ifaces; j++) {
			free(d->ifaces[j].cd);
			free(d->ifaces[j].mac);
		}
		for (size_t j = 0; j < d->n_opts; j++) {
			free(d->opts[j].name);
			free(d->opts[j].key);
			free(d->opts[j].value);
		}
		free(d->ifaces);
		free(d->opts);
		free(d->name);
	}
	for (int m = 0; m < KAT_LAB__MAX; m++)
		free(lab->meta[m]);
	for (size_t i = 0; i < lab->n_stray; i++)
		free(lab->stray[i]);
	for (size_t i = 0; i < lab->n_notes; i++)
		free(lab->notes[i]);
	free(lab->stray);
	free(lab->notes);
	free(lab->init_lines);
	free(lab->devs);
	free(lab->dir);
	free(lab->conf);
	free(lab->shown_dir);
	memset(lab, 0, sizeof(*lab));
}

void nlab_kathara_free(struct nlab_kathara *k)
{
	for (size_t i = 0; i < k->n_map; i++) {
		free(k->map[i].file);
		free(k->map[i].what);
	}
	for (size_t i = 0; i < k->n_notes; i++)
		free(k->notes[i]);
	free(k->map);
	free(k->notes);
	free(k->ini);
	free(k->dir);
	free(k->conf);
	memset(k, 0, sizeof(*k));
}

int nlab_kathara_load(const char *path, bool from_cwd, const char *name,
		      struct nlab_kathara *k, struct nlab_diag *d)
{
	struct kat_lab lab = { .d = d };
	cleanup_free char *copy = xstrdup(path);
	cleanup_free char *text = NULL;
	struct stat st;
	size_t len = 0;
	int ret = -2;

	memset(k, 0, sizeof(*k));
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		size_t n = strlen(path);

		lab.shown_dir = xstrdup(path);
		while (n > 1 && lab.shown_dir[n - 1] == '/')
			lab.shown_dir[--n] = '\0';
		lab.conf = nlab_strfmt("%s/lab.conf", lab.shown_dir);
		if (access(lab.conf, F_OK) && errno == ENOENT) {
			kat_error(&lab, lab.shown_dir, 0,
				  "is a directory without a lab.conf: neither "
				  "a topology file nor a Kathará lab");
			goto out;
		}
	} else {
		lab.shown_dir = xstrdup(dirname(copy));
		lab.conf = xstrdup(path);
	}
	lab.dir = realpath(lab.shown_dir, NULL);
	if (!lab.dir) {
		kat_error(&lab, lab.shown_dir, 0, "%s", strerror(errno));
		goto out;
	}
	if (kat_read_conf(&lab, lab.conf, &text, &len) ||
	    kat_parse_conf(&lab, text, len) || kat_scan_dir(&lab) ||
	    kat_write_ini(&lab, from_cwd, name, k))
		goto out;
	k->dir = steal_ptr(lab.dir);
	k->conf = steal_ptr(lab.conf);
	k->notes = steal_ptr(lab.notes);
	k->n_notes = lab.n_notes;
	lab.n_notes = 0;
	ret = 0;
out:
	if (ret)
		nlab_kathara_free(k);
	kat_lab_free(&lab);
	return ret;
}
