// SPDX-License-Identifier: MIT
#include "dot.h"

#include <string.h>

/* A DOT string: every ID and label is quoted; '"' and '\' are escaped and
 * a newline becomes DOT's centred line break. */
static void quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* "eth0\n10.0.0.1/24\ndelay=10ms": one end of a cable. */
static void iface_label(const struct nlab_iface *i, char *buf, size_t len)
{
	size_t used = 0;
	char tmp[256];

#define PUT(...)                                                               \
	do {                                                                   \
		int _w = snprintf(buf + used, len - used, __VA_ARGS__);        \
		if (_w < 0 || (size_t)_w >= len - used) {                      \
			buf[used] = '\0';                                      \
			return;                                                \
		}                                                              \
		used += (size_t)_w;                                            \
	} while (0)

	buf[0] = '\0';
	PUT("%s", i->name);
	for (size_t a = 0; a < i->n_addrs; a++)
		PUT("\n%s", nlab_prefix_str(&i->addrs[a], tmp, sizeof(tmp)));
	if (i->mtu)
		PUT("\nmtu=%u", i->mtu);
	if (i->impair.set)
		PUT("\n%s", nlab_impair_str(&i->impair, tmp, sizeof(tmp)));
#undef PUT
}

/* A veth segment: one edge between the nodes, each end labelled with its
 * interface; a bridge port: an edge to the switch labelled in the middle,
 * where dot keeps labels clear of each other. */
static void edge(FILE *f, const char *a, const char *b, const char *label,
		 const struct nlab_iface *tail, const struct nlab_iface *head)
{
	char buf[1024];

	fputc('\t', f);
	quoted(f, a);
	fputs(" -- ", f);
	quoted(f, b);
	fputs(" [", f);
	iface_label(tail, buf, sizeof(buf));
	if (!head) {
		fputs("label=", f);
		quoted(f, buf);
		fputs("];\n", f);
		return;
	}
	/* long enough that the two ends' labels do not meet */
	fputs("minlen=2, label=", f);
	quoted(f, label);
	fputs(", taillabel=", f);
	quoted(f, buf);
	iface_label(head, buf, sizeof(buf));
	fputs(", headlabel=", f);
	quoted(f, buf);
	fputs("];\n", f);
}

void nlab_topology_dot(const struct nlab_topology *t, FILE *f)
{
	fputs("graph ", f);
	quoted(f, t->name);
	fputs(" {\n\tgraph [label=", f);
	quoted(f, t->name);
	fputs(", labelloc=t, fontname=\"Helvetica\", nodesep=0.6, "
	      "ranksep=1.2];\n"
	      "\tnode [fontname=\"Helvetica\"];\n"
	      "\tedge [fontname=\"Helvetica\", fontsize=9, labelfontsize=9, "
	      "labeldistance=2.5];\n",
	      f);
	for (size_t i = 0; i < t->n_nodes; i++) {
		fputc('\t', f);
		quoted(f, t->nodes[i].name);
		fputs(" [shape=box];\n", f);
	}
	for (size_t i = 0; i < t->n_segments; i++) {
		if (t->segments[i].kind != NLAB_SEG_BRIDGE)
			continue;
		fputc('\t', f);
		quoted(f, t->segments[i].name);
		fputs(" [shape=ellipse, style=filled, "
		      "fillcolor=\"#e0e0e0\"];\n",
		      f);
	}
	for (size_t i = 0; i < t->n_segments; i++) {
		const struct nlab_segment *s = &t->segments[i];

		if (s->kind == NLAB_SEG_VETH && s->n_members == 2) {
			edge(f, s->members[0]->node->name,
			     s->members[1]->node->name, s->name, s->members[0],
			     s->members[1]);
			continue;
		}
		for (size_t m = 0; m < s->n_members; m++)
			edge(f, s->members[m]->node->name, s->name, NULL,
			     s->members[m], NULL);
	}
	fputs("}\n", f);
}
