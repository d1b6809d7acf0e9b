// SPDX-License-Identifier: MIT
/*
 * Segments: the wires.  Each interface names one; a segment with exactly
 * two members and no [switch] section is a veth pair, one with three or
 * more, or with a [switch], a bridge in its own netns LAB.SEGMENT (hence
 * the one name space of nodes, switches and segments).  A [switch] with
 * one member is a stub LAN: a bridge with that one port, so the member
 * has carrier (a customer network, a prefix to announce).  One member
 * without a [switch] is usually a typo, and an error.
 */
#include <stdio.h>
#include <string.h>

#include "topology/load.h"
#include "base/text.h"
#include "base/util.h"

/* Point messages at the member's own line: "[node r1] eth0". */
static void in_node(struct loadctx *c, const struct nlab_iface *i, char *label,
		    size_t len)
{
	snprintf(label, len, "[node %s]", i->node->name);
	c->sect = label;
}

static void lone_member(struct loadctx *c, const struct nlab_segment *s,
			const char **names)
{
	const struct nlab_iface *i = s->members[0];
	const char *near;
	char label[64];

	in_node(c, i, label, sizeof(label));
	near = nlab_suggest(s->name, names, c->t->n_segments, sizeof(*names));
	load_error(c, i->line, i->name,
		   "segment '%s' has no other member (a segment joins two or "
		   "more interfaces; a stub LAN of this one interface needs "
		   "a [switch %s] section)%s%s%s",
		   s->name, s->name, near ? "; did you mean '" : "",
		   near ? near : "", near ? "'?" : "");
}

/* Two members of one segment with one MAC cannot talk. */
static void check_macs(struct loadctx *c, const struct nlab_segment *s)
{
	struct nlab_seen macs = { 0 };
	char label[64], where[96];

	for (size_t m = 0; m < s->n_members; m++) {
		const struct nlab_iface *i = s->members[m];
		struct nlab_seen_ent *e;

		if (!i->has_mac)
			continue;
		snprintf(where, sizeof(where), "[node %s] %s", i->node->name,
			 i->name);
		e = nlab_seen_add(&macs, i->mac, 6, 0, i->line, where);
		if (e) {
			in_node(c, i, label, sizeof(label));
			load_error(c, i->line, i->name,
				   "mac %02x:%02x:%02x:%02x:%02x:%02x is also "
				   "used by %s (line %d) on segment '%s'",
				   i->mac[0], i->mac[1], i->mac[2], i->mac[3],
				   i->mac[4], i->mac[5], e->where,
				   load_line(c, e->line), s->name);
		}
	}
	nlab_seen_free(&macs);
}

/* Which segment each member is on, in order of first use; a new name must
 * not be a node's. */
static size_t number_segments(struct loadctx *c, struct nlab_seen *segs,
			      size_t *seg_of, size_t **count)
{
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < c->n_members; i++) {
		const struct load_member *m = &c->members[i];
		size_t len = strlen(m->segment);
		struct nlab_seen_ent *e = nlab_seen_find(segs, m->segment, len);
		struct nlab_seen_ent *other;
		char label[64];

		if (e) {
			seg_of[i] = e->idx;
			(*count)[e->idx]++;
			continue;
		}
		other = nlab_seen_find(&c->names, m->segment, len);
		if (other && !LOAD_NAME_IS_SWITCH(other->idx)) {
			in_node(c, &c->t->nodes[m->node].ifaces[m->iface],
				label, sizeof(label));
			load_error(c, m->line,
				   c->t->nodes[m->node].ifaces[m->iface].name,
				   "segment '%s' has the name of %s (line %d): "
				   "nodes, switches and segments share one "
				   "name space",
				   m->segment, other->where,
				   load_line(c, other->line));
		}
		nlab_seen_add(segs, m->segment, len, n, m->line, NULL);
		xgrow(count, &cap, n + 1, sizeof(**count));
		(*count)[n] = 1;
		seg_of[i] = n++;
	}
	return n;
}

void load_segments(struct loadctx *c)
{
	struct nlab_topology *t = c->t;
	struct nlab_seen segs = { 0 };
	cleanup_free size_t *seg_of = xcalloc(c->n_members, sizeof(size_t));
	cleanup_free size_t *count = NULL;
	cleanup_free const char **names = NULL;

	t->n_segments = number_segments(c, &segs, seg_of, &count);
	t->segments = xcalloc(t->n_segments, sizeof(*t->segments));
	names = xcalloc(t->n_segments, sizeof(*names));
	for (size_t s = 0; s < t->n_segments; s++)
		t->segments[s].members =
			xcalloc(count[s], sizeof(*t->segments[s].members));
	for (size_t i = 0; i < c->n_members; i++) {
		const struct load_member *m = &c->members[i];
		struct nlab_segment *s = &t->segments[seg_of[i]];
		struct nlab_iface *iface = &t->nodes[m->node].ifaces[m->iface];

		if (!s->n_members) {
			snprintf(s->name, sizeof(s->name), "%s", m->segment);
			names[seg_of[i]] = s->name;
		}
		s->members[s->n_members++] = iface;
		iface->segment = s;
	}

	for (size_t i = 0; i < t->n_segments; i++) {
		struct nlab_segment *s = &t->segments[i];
		struct nlab_seen_ent *e =
			nlab_seen_find(&c->names, s->name, strlen(s->name));

		if (e && LOAD_NAME_IS_SWITCH(e->idx))
			s->sw = &t->switches[LOAD_NAME_INDEX(e->idx)];
		s->kind = s->sw || s->n_members >= 3 ? NLAB_SEG_BRIDGE
						     : NLAB_SEG_VETH;
		if (s->n_members == 1 && !s->sw) {
			names[i] = ""; /* not a suggestion for itself */
			lone_member(c, s, names);
			names[i] = s->name;
		}
		check_macs(c, s);
	}

	for (size_t i = 0; i < c->n_labels; i++) {
		const struct load_label *l = &c->labels[i];
		struct nlab_seen_ent *e =
			nlab_seen_find(&segs, l->segment, strlen(l->segment));

		c->sect = "[lab]";
		if (!e)
			load_error(c, l->line, "labels",
				   "no segment '%s' in this lab", l->segment);
		else
			t->segments[e->idx].label = xstrdup(l->text);
	}

	for (size_t i = 0; i < t->n_switches; i++) {
		const struct nlab_switch *sw = &t->switches[i];
		char label[64];

		if (nlab_seen_find(&segs, sw->name, strlen(sw->name)))
			continue;
		snprintf(label, sizeof(label), "[switch %s]", sw->name);
		c->sect = label;
		load_error(c, sw->line, NULL,
			   "no interface is plugged into segment '%s'",
			   sw->name);
	}
	c->sect = NULL;
	nlab_seen_free(&segs);
}
