// SPDX-License-Identifier: MIT
/*
 * `netlab graph`: the topology as Graphviz DOT, for `dot`.
 *
 * Each node is a table of its interfaces (name, segment, addresses,
 * options), so edges carry nothing but a segment's name as their middle
 * label, which dot lays out like a node: labels never overlap.  A lab
 * with a hub of many leaves (a star: a router or switch with a host on
 * each port) would be one very wide row in dot's ranks; it is laid out
 * radially around that hub instead (twopi, which `dot -T...` runs when
 * the graph asks for it).
 */
#include "topology/dot.h"

#include <string.h>

#include "base/text.h"
#include "base/util.h"

/* A node or switch with more leaves than this makes the layout radial. */
#define RADIAL_FROM 8

/* A DOT string: every ID and label is quoted; '"' and '\' are escaped. */
static void quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* Text inside an HTML-like label. */
static void html(FILE *f, const char *s)
{
	nlab_xml_put(f, s, false);
}

/* One row: <b>eth0</b> <i>lan</i> 10.0.0.1/24<br/>mtu=1400<br/>rate=1mbit */
static void iface_row(FILE *f, const struct nlab_iface *i)
{
	const char *sep = "";
	char tmp[256];

	fputs("<tr><td align=\"left\"><b>", f);
	html(f, i->name);
	fputs("</b></td><td align=\"left\"><i>", f);
	html(f, i->segment ? nlab_segment_shown(i->segment) : "");
	fputs("</i></td><td align=\"left\">", f);
#define LINE(s)                                                                \
	do {                                                                   \
		fputs(sep, f);                                                 \
		html(f, s);                                                    \
		sep = "<br align=\"left\"/>";                                  \
	} while (0)
	for (size_t a = 0; a < i->n_addrs; a++)
		LINE(nlab_prefix_str(&i->addrs[a], tmp, sizeof(tmp)));
	if (i->mtu) {
		snprintf(tmp, sizeof(tmp), "mtu=%u", i->mtu);
		LINE(tmp);
	}
	if (i->impair.set)
		LINE(nlab_impair_str(&i->impair, tmp, sizeof(tmp)));
#undef LINE
	fputs("</td></tr>", f);
}

/* A router (forward = yes): a double outline and a tinted title. */
static void node_table(FILE *f, const struct nlab_node *n)
{
	fputc('\t', f);
	quoted(f, n->name);
	fprintf(f,
		" [label=<<table border=\"%d\" cellborder=\"0\" "
		"cellspacing=\"0\" cellpadding=\"2\"><tr><td colspan=\"3\" "
		"bgcolor=\"%s\"><b>",
		n->forward ? 2 : 1, n->forward ? "#cfe2ff" : "#ffffff");
	html(f, n->name);
	fputs(n->forward ? "</b> <i>router</i>" : "</b>", f);
	fputs("</td></tr>", f);
	for (size_t i = 0; i < n->n_ifaces; i++)
		iface_row(f, &n->ifaces[i]);
	fputs("</table>>];\n", f);
}

static bool is_leaf(const struct nlab_iface *i)
{
	return i->node->n_ifaces == 1;
}

/* The hub a segment's member @m hangs off as a leaf (a node with one
 * interface): the switch, or the node at the other end; SIZE_MAX when it
 * is no leaf.  Hubs are numbered nodes first, then segments. */
static size_t leaf_hub(const struct nlab_topology *t,
		       const struct nlab_segment *s, size_t m)
{
	if (!is_leaf(s->members[m]))
		return SIZE_MAX;
	if (s->kind == NLAB_SEG_BRIDGE)
		return t->n_nodes + (size_t)(s - t->segments);
	if (s->n_members != 2 || is_leaf(s->members[1 - m]))
		return SIZE_MAX;
	return (size_t)(s->members[1 - m]->node - t->nodes);
}

/* The name of the hub with the most leaves, if over RADIAL_FROM. */
static const char *radial_root(const struct nlab_topology *t)
{
	size_t n = t->n_nodes + t->n_segments, best = 0;
	cleanup_free size_t *leaves = xcalloc(n + 1, sizeof(*leaves));

	for (size_t i = 0; i < t->n_segments; i++)
		for (size_t m = 0; m < t->segments[i].n_members; m++) {
			size_t h = leaf_hub(t, &t->segments[i], m);

			if (h != SIZE_MAX && ++leaves[h] > leaves[best])
				best = h;
		}
	if (leaves[best] <= RADIAL_FROM)
		return NULL;
	return best < t->n_nodes ? t->nodes[best].name
				 : t->segments[best - t->n_nodes].name;
}

static void edge(FILE *f, const char *a, const char *b, const char *label)
{
	fputc('\t', f);
	quoted(f, a);
	fputs(" -- ", f);
	quoted(f, b);
	if (label) {
		fputs(" [label=", f);
		quoted(f, label);
		fputc(']', f);
	}
	fputs(";\n", f);
}

void nlab_topology_dot(const struct nlab_topology *t, FILE *f)
{
	const char *root = radial_root(t);

	fputs("graph ", f);
	quoted(f, t->name);
	fputs(" {\n\tgraph [label=", f);
	if (t->description) { /* the name, and what the lab is for below */
		fputs("<<b>", f);
		html(f, t->name);
		fputs("</b><br/>", f);
		html(f, t->description);
		fputc('>', f);
	} else {
		quoted(f, t->name);
	}
	fputs(", labelloc=t, fontname=\"Helvetica\", nodesep=0.3, "
	      "ranksep=0.5",
	      f);
	if (root) {
		fputs(", layout=twopi, overlap=false, root=", f);
		quoted(f, root);
	}
	fputs("];\n"
	      "\tnode [fontname=\"Helvetica\", shape=plain];\n"
	      "\tedge [fontname=\"Helvetica\", fontsize=9, "
	      "fontcolor=\"#505050\"];\n",
	      f);
	for (size_t i = 0; i < t->n_nodes; i++)
		node_table(f, &t->nodes[i]);
	for (size_t i = 0; i < t->n_segments; i++) {
		if (t->segments[i].kind != NLAB_SEG_BRIDGE)
			continue;
		fputc('\t', f);
		quoted(f, t->segments[i].name);
		fputs(" [shape=ellipse, style=filled, fillcolor=\"#e0e0e0\", "
		      "fontsize=10",
		      f);
		if (t->segments[i].label) {
			fputs(", label=", f);
			quoted(f, t->segments[i].label);
		}
		fputs("];\n", f);
	}
	for (size_t i = 0; i < t->n_segments; i++) {
		const struct nlab_segment *s = &t->segments[i];

		/* a leaf's own table names its segment: in a radial layout
		 * the label would only crowd the middle */
		if (s->kind == NLAB_SEG_VETH && s->n_members == 2) {
			bool leaf = leaf_hub(t, s, 0) != SIZE_MAX ||
				    leaf_hub(t, s, 1) != SIZE_MAX;

			edge(f, s->members[0]->node->name,
			     s->members[1]->node->name,
			     root && leaf ? NULL : nlab_segment_shown(s));
			continue;
		}
		for (size_t m = 0; m < s->n_members; m++)
			edge(f, s->members[m]->node->name, s->name, NULL);
	}
	fputs("}\n", f);
}
