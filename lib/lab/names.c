// SPDX-License-Identifier: MIT
#include "lab/names.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lab/state.h"
#include "base/text.h"
#include "base/util.h"
#include "topology/nsname.h"

/* Room for the list within a message (struct nlab_err holds 1024). */
#define LIST_MAX 600

/* "WHAT: a, b, c (did you mean 'b'?)"; a long list ends "and N more". */
static void list_hint(char *buf, size_t len, const char *what,
		      const char *const *names, size_t n, const char *word)
{
	const char *near = nlab_suggest(word, names, n, sizeof(*names));
	size_t used, max = len < LIST_MAX ? len : LIST_MAX;
	int w;

	w = snprintf(buf, len, "%s: ", what);
	used = w < 0 ? 0 : (size_t)w;
	for (size_t i = 0; i < n && used < max; i++) {
		/* stop where the rest would not fit with its " and N more" */
		if (used + strlen(names[i]) + 24 > max) {
			snprintf(buf + used, len - used, "and %zu more", n - i);
			used = strlen(buf);
			break;
		}
		w = snprintf(buf + used, len - used, "%s%s", names[i],
			     i + 1 < n ? ", " : "");
		used += w < 0 ? 0 : (size_t)w;
	}
	if (near && used < len)
		snprintf(buf + used, len - used, " (did you mean '%s'?)", near);
}

void nlab_labs_hint(const char *lab, char *buf, size_t len)
{
	char **labs = NULL;
	size_t n = 0;
	struct nlab_err e;

	if (nlab_state_list(&labs, &n, &e) || !n)
		snprintf(buf, len, "no labs are running");
	else
		list_hint(buf, len, "running labs", (const char *const *)labs,
			  n, lab);
	for (size_t i = 0; i < n; i++)
		free(labs[i]);
	free(labs);
}

/* The message, with ENOENT kept in @e but not spelt out. */
static int not_found(struct nlab_err *e, const char *what, const char *hint)
{
	nlab_err_set(e, 0, "%s; %s", what, hint);
	e->errnum = ENOENT;
	return -1;
}

int nlab_err_no_lab(struct nlab_err *e, const char *lab)
{
	char what[128], hint[LIST_MAX + 64];

	snprintf(what, sizeof(what), "no lab named '%s'", lab);
	nlab_labs_hint(lab, hint, sizeof(hint));
	return not_found(e, what, hint);
}

int nlab_err_no_node(struct nlab_err *e, const struct nlab_topology *t,
		     const char *node, bool switches)
{
	cleanup_free const char **names =
		xcalloc(t->n_nodes + t->n_segments + 1, sizeof(*names));
	char what[128], hint[LIST_MAX + 64];
	size_t n = 0;

	for (size_t i = 0; i < t->n_nodes; i++)
		names[n++] = t->nodes[i].name;
	for (size_t i = 0; switches && i < t->n_segments; i++)
		if (t->segments[i].kind == NLAB_SEG_BRIDGE)
			names[n++] = t->segments[i].name;
	snprintf(what, sizeof(what), "lab %s has no %s '%s'", t->name,
		 switches ? "node or switch" : "node", node);
	list_hint(hint, sizeof(hint),
		  switches ? "its nodes and switches" : "its nodes", names, n,
		  node);
	return not_found(e, what, hint);
}

int nlab_err_no_iface(struct nlab_err *e, const struct nlab_node *n,
		      const char *ifname)
{
	cleanup_free const char **names =
		xcalloc(n->n_ifaces + 1, sizeof(*names));
	char what[128], hint[LIST_MAX + 64];

	for (size_t i = 0; i < n->n_ifaces; i++)
		names[i] = n->ifaces[i].name;
	snprintf(what, sizeof(what), "node %s has no interface '%s'", n->name,
		 ifname);
	if (n->n_ifaces)
		list_hint(hint, sizeof(hint), "its interfaces", names,
			  n->n_ifaces, ifname);
	else
		snprintf(hint, sizeof(hint), "it has none but lo");
	return not_found(e, what, hint);
}

int nlab_err_no_port(struct nlab_err *e, const struct nlab_segment *s,
		     const char *ifname)
{
	char(*ports)[NLAB_IFNAME_MAX + 1] =
		xcalloc(s->n_members + 1, sizeof(*ports));
	cleanup_free const char **names =
		xcalloc(s->n_members + 1, sizeof(*names));
	char what[128], hint[LIST_MAX + 64];

	names[0] = NLAB_BRIDGE_NAME;
	for (size_t m = 0; m < s->n_members; m++) {
		nlab_port_name(ports[m], sizeof(ports[m]), s, m);
		names[m + 1] = ports[m];
	}
	snprintf(what, sizeof(what), "switch %s has no interface '%s'", s->name,
		 ifname);
	list_hint(hint, sizeof(hint), "its interfaces", names, s->n_members + 1,
		  ifname);
	free(ports);
	return not_found(e, what, hint);
}
