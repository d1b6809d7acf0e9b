// SPDX-License-Identifier: MIT
/* The model's own helpers: freeing, lookups, counts, interface names,
 * and the list of topology errors (rules.c: what a supervisor needs). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "topology/labtest.h"
#include "topology/load.h"
#include "base/text.h"
#include "topology/topology.h"
#include "base/util.h"

static void free_node(struct nlab_node *n)
{
	for (size_t i = 0; i < n->n_ifaces; i++)
		free(n->ifaces[i].addrs);
	for (size_t i = 0; i < n->n_sysctls; i++) {
		free(n->sysctls[i].key);
		free(n->sysctls[i].value);
	}
	for (size_t i = 0; i < n->n_mounts; i++) {
		free(n->mounts[i].source);
		free(n->mounts[i].target);
	}
	for (size_t i = 0; i < n->n_env; i++) {
		free(n->env[i].name);
		free(n->env[i].value);
	}
	free(n->ifaces);
	free(n->routes);
	free(n->env);
	free(n->sysctls);
	free(n->mounts);
	free(n->run);
	free(n->ready);
	free(n->files);
}

void nlab_topology_free(struct nlab_topology *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_nodes; i++)
		free_node(&t->nodes[i]);
	for (size_t i = 0; i < t->n_segments; i++) {
		free(t->segments[i].members);
		free(t->segments[i].label);
	}
	for (size_t i = 0; i < t->n_notes; i++)
		free(t->notes[i]);
	free(t->notes);
	for (size_t i = 0; i < t->n_machines; i++) {
		for (size_t a = 0; a < t->machines[i].argc; a++)
			free(t->machines[i].argv[a]);
		free(t->machines[i].argv);
	}
	free(t->machines);
	free(t->description);
	nlab_tests_free(t->tests, t->n_tests);
	free(t->nodes);
	free(t->switches);
	free(t->segments);
	free(t->path);
	free(t->dir);
	free(t->source);
	free(t);
}

struct nlab_node *nlab_topology_node(const struct nlab_topology *t,
				     const char *name)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return &t->nodes[i];
	return NULL;
}

struct nlab_iface *nlab_node_iface(const struct nlab_node *n, const char *name)
{
	for (size_t i = 0; i < n->n_ifaces; i++)
		if (!strcmp(n->ifaces[i].name, name))
			return &n->ifaces[i];
	return NULL;
}

/*
 * switches: bridges, declared by [switch] or not; links: veth pairs, one
 * per veth segment and one per bridge port.
 */
void nlab_topology_counts(const struct nlab_topology *t, struct nlab_counts *c)
{
	memset(c, 0, sizeof(*c));
	c->nodes = t->n_nodes;
	for (size_t i = 0; i < t->n_segments; i++) {
		const struct nlab_segment *s = &t->segments[i];

		if (s->kind == NLAB_SEG_BRIDGE) {
			c->switches++;
			c->links += s->n_members;
		} else {
			c->links++;
		}
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		c->routes += t->nodes[i].n_routes;
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++)
			c->addresses += t->nodes[i].ifaces[j].n_addrs;
	}
}

/* [a-z0-9][a-z0-9_.-]*, at most 15 bytes, not lo, not a node setting. */
bool nlab_valid_ifname(const char *s)
{
	return nlab_name_like(s, NLAB_IFNAME_MAX, "_.-") && strcmp(s, "lo") &&
	       !load_node_setting(s);
}

void nlab_diag_add(struct nlab_diag *d, const char *fmt, ...)
{
	va_list ap;

	d->total++;
	if (d->n >= NLAB_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	d->lines[d->n++] = nlab_vstrfmt(fmt, ap);
	va_end(ap);
}

void nlab_diag_free(struct nlab_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->lines[i]);
	memset(d, 0, sizeof(*d));
}

uint32_t nlab_iface_mtu(const struct nlab_iface *f)
{
	if (f->mtu)
		return f->mtu;
	if (f->segment->sw && f->segment->sw->mtu)
		return f->segment->sw->mtu;
	return 1500;
}
