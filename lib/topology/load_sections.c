// SPDX-License-Identifier: MIT
/*
 * Sections: what kind each is, the one name space of nodes and switches,
 * the [lab] and [switch NAME] settings, and the order the rest is read in.
 */
#include <string.h>

#include "topology/load.h"
#include "base/text.h"
#include "base/util.h"

enum kind { SEC_SKIP, SEC_LAB, SEC_NODE, SEC_SWITCH, SEC_TEST, SEC_HOST };

static const struct {
	const char *name;
	enum kind kind;
} kinds[] = {
	{ "lab", SEC_LAB },   { "node", SEC_NODE }, { "switch", SEC_SWITCH },
	{ "test", SEC_TEST }, { "host", SEC_HOST },
};

int load_yes_no(struct loadctx *c, const struct ini_key *k, bool *out)
{
	if (nlab_is_yes_no(k->value, out))
		return 0;
	load_error(c, k->line, k->name, "expected yes or no, not '%s'",
		   k->value);
	return -1;
}

int load_uint(struct loadctx *c, const struct ini_key *k, const char *what,
	      const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (!nlab_parse_uint(s, max, out) && *out >= min)
		return 0;
	load_error(c, k->line, k->name,
		   "%s must be a whole number from %llu to %llu, not '%s'",
		   what, (unsigned long long)min, (unsigned long long)max, s);
	return -1;
}

int load_size(struct loadctx *c, const struct ini_key *k, uint64_t min,
	      uint64_t max, uint64_t *out)
{
	char lo[32], hi[32];

	if (nlab_parse_size(k->value, UINT64_MAX, out)) {
		load_error(c, k->line, k->name,
			   "'%s' is not a size (bytes, or a number with k, m "
			   "or g: 4m)",
			   k->value);
		return -1;
	}
	if (*out >= min && *out <= max)
		return 0;
	load_error(c, k->line, k->name, "must be from %s to %s, not '%s'",
		   nlab_size_str(min, lo, sizeof(lo)),
		   nlab_size_str(max, hi, sizeof(hi)), k->value);
	return -1;
}

/* ---- [lab] ------------------------------------------------------------ */

static void lab_name(struct loadctx *c, void *t, const struct ini_key *k)
{
	struct nlab_topology *topo = t;

	if (!nlab_valid_name(k->value)) {
		load_error(c, k->line, k->name,
			   "'%s' is not a valid lab name "
			   "([a-z0-9][a-z0-9_-]{0,31})",
			   k->value);
		return;
	}
	snprintf(topo->name, sizeof(topo->name), "%s", k->value);
}

static void lab_description(struct loadctx *c, void *t, const struct ini_key *k)
{
	struct nlab_topology *topo = t;

	(void)c;
	free(topo->description);
	topo->description = *k->value ? xstrdup(k->value) : NULL;
}

/* SEGMENT=TEXT, ...: kept until the segments are known (load_segments). */
static void label_one(struct loadctx *c, struct nlab_node *n,
		      const struct ini_key *k, char *item)
{
	char *eq = strchr(item, '='), *seg, *text;
	struct load_label *l;

	(void)n;
	if (!eq) {
		load_error(c, k->line, k->name, "'%s': expected SEGMENT=TEXT",
			   item);
		return;
	}
	*eq = '\0';
	seg = nlab_trim(item);
	text = nlab_trim(eq + 1);
	if (!*seg || !*text) {
		load_error(c, k->line, k->name,
			   "'%s=%s': expected SEGMENT=TEXT", seg, text);
		return;
	}
	for (size_t i = 0; i < c->n_labels; i++)
		if (!strcmp(c->labels[i].segment, seg)) {
			load_error(c, k->line, k->name,
				   "segment '%s' is given twice", seg);
			return;
		}
	l = load_push(&c->labels, c->n_labels++, sizeof(*l));
	l->segment = xstrdup(seg);
	l->text = xstrdup(text);
	l->line = k->line;
}

static void lab_labels(struct loadctx *c, void *t, const struct ini_key *k)
{
	(void)t;
	load_each_item(c, NULL, k, label_one);
}

static void lab_hosts(struct loadctx *c, void *t, const struct ini_key *k)
{
	enum nlab_hosts_mode *mode = &((struct nlab_topology *)t)->hosts;
	bool yes;

	if (!strcmp(k->value, "private"))
		*mode = NLAB_HOSTS_PRIVATE;
	else if (nlab_is_yes_no(k->value, &yes))
		*mode = yes ? NLAB_HOSTS_SHARED : NLAB_HOSTS_NO;
	else
		load_error(c, k->line, k->name,
			   "expected yes, no or private, not '%s'", k->value);
}

/* The default of every node's log_max (load_node.c). */
static void lab_log_max(struct loadctx *c, void *t, const struct ini_key *k)
{
	load_log_max(c, k, &((struct nlab_topology *)t)->log_max);
}

/* The default of every node's shared (load_mount.c). */
static void lab_shared(struct loadctx *c, void *t, const struct ini_key *k)
{
	load_shared(c, k, &((struct nlab_topology *)t)->shared);
}

static const struct load_setting lab_settings[] = {
	{ "name", lab_name, "the lab's name (default: the file's base name)" },
	{ "description", lab_description,
	  "what the lab is for, in a few words (shown by graph)" },
	{ "labels", lab_labels,
	  "SEGMENT=TEXT, ...: names to show for segments in status and "
	  "graph" },
	{ "hosts", lab_hosts,
	  "yes|private|no: write /etc/netns/LAB.NODE/hosts (yes: one file "
	  "every node shares; private: a copy per node)" },
	{ "log_max", lab_log_max,
	  "SIZE: default log_max of every node (default 4m)" },
	{ "shared", lab_shared,
	  "default shared of every node (default none: every node has its "
	  "own /tmp, /var/tmp, /run, /var/log)" },
};

/* ---- [switch NAME] ---------------------------------------------------- */

static void sw_stp(struct loadctx *c, void *obj, const struct ini_key *k)
{
	load_yes_no(c, k, &((struct nlab_switch *)obj)->stp);
}

static void sw_vlan_filtering(struct loadctx *c, void *obj,
			      const struct ini_key *k)
{
	load_yes_no(c, k, &((struct nlab_switch *)obj)->vlan_filtering);
}

static void sw_mtu(struct loadctx *c, void *obj, const struct ini_key *k)
{
	struct nlab_switch *sw = obj;
	uint64_t v;

	if (!load_uint(c, k, "mtu", k->value, 68, 65535, &v))
		sw->mtu = (uint32_t)v;
}

static void sw_ageing(struct loadctx *c, void *obj, const struct ini_key *k)
{
	struct nlab_switch *sw = obj;
	cleanup_free char *s = xstrdup(k->value);
	size_t n = strlen(s);
	uint64_t v;

	if (n > 1 && s[n - 1] == 's') /* "300s" reads as well as "300" */
		s[n - 1] = '\0';
	/* the kernel keeps it in centiseconds in 32 bits */
	if (!load_uint(c, k, "ageing (seconds)", s, 0, 1000000, &v)) {
		sw->ageing_s = (uint32_t)v;
		sw->has_ageing = true;
	}
}

static const struct load_setting switch_settings[] = {
	{ "stp", sw_stp, "yes|no: spanning tree (default no)" },
	{ "vlan_filtering", sw_vlan_filtering,
	  "yes|no: bridge VLAN filtering (default no)" },
	{ "mtu", sw_mtu, "the MTU of the bridge and all its ports" },
	{ "ageing", sw_ageing, "seconds a learnt MAC address is kept" },
};

const struct load_setting *load_setting_find(const struct load_setting *table,
					     size_t n, const char *name)
{
	return nlab_table_find(name, table, n, sizeof(*table));
}

void load_settings(struct loadctx *c, const struct ini_file *f,
		   const struct ini_section *s,
		   const struct load_setting *table, size_t n, void *obj)
{
	for (size_t i = 0; i < s->n_keys; i++) {
		const struct ini_key *k = &f->keys[s->keys[i]];
		const struct load_setting *set;
		const char *near;
		char list[256];

		if (k->shadowed)
			continue;
		set = load_setting_find(table, n, k->name);
		if (set) {
			set->parse(c, obj, k);
			continue;
		}
		near = nlab_suggest(k->name, table, n, sizeof(*table));
		nlab_table_names(list, sizeof(list), table, n, sizeof(*table));
		if (near)
			load_error(c, k->line, NULL,
				   "unknown setting '%s' (did you mean '%s'?)",
				   k->name, near);
		else
			load_error(c, k->line, NULL,
				   "unknown setting '%s' (settings: %s)",
				   k->name, list);
	}
}

/* ---- what each section is --------------------------------------------- */

/*
 * "node r1" -> SEC_NODE and "r1".  Reports what is wrong and returns
 * SEC_SKIP for a section that cannot be read: its keys are then ignored,
 * since anything said about them would follow from the first error.
 */
static enum kind classify(struct loadctx *c, const struct ini_section *s,
			  const char **name)
{
	cleanup_free char *word = xstrdup(s->name);
	char *rest = word + strcspn(word, " \t");
	const char *near;
	size_t i;

	if (*rest)
		*rest++ = '\0';
	rest = nlab_trim(rest);
	*name = s->name + (rest - word);
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(word, kinds[i].name))
			break;
	if (i == ARRAY_SIZE(kinds)) {
		near = nlab_suggest(word, NLAB_TABLE(kinds));
		if (near)
			load_error(c, s->line, NULL,
				   "unknown section (did you mean [%s%s%s]?)",
				   near, *rest ? " " : "", rest);
		else
			load_error(c, s->line, NULL,
				   "unknown section (sections: [lab], "
				   "[node NAME], [switch NAME], [test NAME], "
				   "[host NAME])");
		return SEC_SKIP;
	}
	if (kinds[i].kind == SEC_NODE)
		c->node_sections++;
	if (kinds[i].kind == SEC_LAB) {
		if (*rest) {
			load_error(c, s->line, NULL,
				   "[lab] takes no name (set it with "
				   "name = %s)",
				   rest);
			return SEC_SKIP;
		}
		return SEC_LAB;
	}
	if (!*rest) {
		load_error(c, s->line, NULL, "needs a name: [%s NAME]", word);
		return SEC_SKIP;
	}
	if (!nlab_valid_name(rest)) {
		load_error(c, s->line, NULL,
			   "'%s' is not a valid %s name "
			   "([a-z0-9][a-z0-9_-]{0,31})",
			   rest, word);
		return SEC_SKIP;
	}
	return kinds[i].kind;
}

/* Nodes and switches share one name space (their netns is LAB.NAME). */
static bool claim_name(struct loadctx *c, const struct ini_section *s,
		       const char *name, size_t idx)
{
	struct nlab_seen_ent *e;

	e = nlab_seen_add(&c->names, name, strlen(name), idx, s->line,
			  s->label);
	if (!e)
		return true;
	load_error(c, s->line, NULL,
		   "the name '%s' is already taken by %s "
		   "(line %d)",
		   name, e->where, load_line(c, e->line));
	return false;
}

void load_sections(struct loadctx *c, const struct ini_file *f)
{
	struct nlab_topology *t = c->t;
	cleanup_free enum kind *kind = xcalloc(f->n_sections, sizeof(*kind));
	cleanup_free const char **name = xcalloc(f->n_sections, sizeof(*name));
	size_t n_nodes = 0, n_switches = 0;

	for (size_t i = 0; i < f->n_sections; i++) {
		const struct ini_section *s = &f->sections[i];

		c->sect = s->label;
		kind[i] = classify(c, s, &name[i]);
		if (kind[i] == SEC_NODE || kind[i] == SEC_SWITCH) {
			bool sw = kind[i] == SEC_SWITCH;

			if (!claim_name(c, s, name[i],
					LOAD_NAME_IDX(sw ? n_switches : n_nodes,
						      sw)))
				kind[i] = SEC_SKIP;
			else if (sw)
				n_switches++;
			else
				n_nodes++;
		}
	}
	t->nodes = xcalloc(n_nodes, sizeof(*t->nodes));
	t->switches = xcalloc(n_switches, sizeof(*t->switches));

	for (size_t i = 0; i < f->n_sections; i++) {
		const struct ini_section *s = &f->sections[i];
		struct nlab_switch *sw;

		c->sect = s->label;
		if (kind[i] == SEC_LAB) {
			load_settings(c, f, s, lab_settings,
				      ARRAY_SIZE(lab_settings), t);
		} else if (kind[i] == SEC_SWITCH) {
			sw = &t->switches[t->n_switches++];
			snprintf(sw->name, sizeof(sw->name), "%s", name[i]);
			sw->line = s->line;
			nlab_seen_add(&c->segwords, sw->name, strlen(sw->name),
				      0, 0, NULL);
			load_settings(c, f, s, switch_settings,
				      ARRAY_SIZE(switch_settings), sw);
		} else if (kind[i] == SEC_NODE) {
			load_segment_words(c, f, s);
		} else if (kind[i] == SEC_HOST) {
			load_host_section(c, f, s, name[i]);
		}
	}
	load_hosts_check(c);

	/* Nodes last: telling an interface from a mistyped setting looks at
	 * the segment names used everywhere else (load_node.c). */
	for (size_t i = 0; i < f->n_sections; i++) {
		const struct ini_section *s = &f->sections[i];
		struct nlab_node *n;

		if (kind[i] != SEC_NODE)
			continue;
		c->sect = s->label;
		n = &t->nodes[t->n_nodes++];
		snprintf(n->name, sizeof(n->name), "%s", name[i]);
		n->line = s->line;
		n->log_max = t->log_max; /* [lab] is read by now */
		n->shared = t->shared;
		load_node(c, f, s, n);
	}

	/* Tests last of all: they name nodes and their interfaces. */
	for (size_t i = 0; i < f->n_sections; i++) {
		if (kind[i] != SEC_TEST)
			continue;
		c->sect = f->sections[i].label;
		load_test(c, f, &f->sections[i], name[i]);
	}
	c->sect = NULL;
}
