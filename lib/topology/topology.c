// SPDX-License-Identifier: MIT
/* The model's own helpers: freeing, lookups, counts, name rules, and the
 * list of topology errors. */
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

const struct nlab_private_dir nlab_private_dirs[NLAB_N_PRIVATE_DIRS] = {
	{ "/tmp", NLAB_PRIV_TMP, NLAB_SKEL_NONE },
	{ "/var/tmp", NLAB_PRIV_VAR_TMP, NLAB_SKEL_NONE },
	{ "/run", NLAB_PRIV_RUN, NLAB_SKEL_SHARED },
	{ "/var/run", NLAB_PRIV_RUN, NLAB_SKEL_SHARED },
	{ "/var/log", NLAB_PRIV_VAR_LOG, NLAB_SKEL_DIRS },
};
const size_t nlab_n_private_dirs = ARRAY_SIZE(nlab_private_dirs);
_Static_assert(ARRAY_SIZE(nlab_private_dirs) == NLAB_N_PRIVATE_DIRS,
	       "NLAB_N_PRIVATE_DIRS");

bool nlab_path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

int nlab_node_private_of(const struct nlab_topology *t,
			 const struct nlab_node *n, const char *path)
{
	for (size_t i = 0; i < nlab_n_private_dirs; i++) {
		const char *d = nlab_private_dirs[i].path;

		if ((n->shared & nlab_private_dirs[i].bit) ||
		    !nlab_path_under(path, d))
			continue;
		/* The topology's directory in there is the host's. */
		if (t->dir && nlab_path_under(t->dir, d) &&
		    nlab_path_under(path, t->dir))
			return -1;
		return (int)i;
	}
	return -1;
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

/* [a-z0-9] then up to @max - 1 of [a-z0-9] and @more. */
static bool name_like(const char *s, size_t max, const char *more)
{
	for (size_t n = 0; s && n <= max; n++) {
		char ch = s[n];
		bool ok = (ch >= 'a' && ch <= 'z') ||
			  (ch >= '0' && ch <= '9') ||
			  (n && ch && strchr(more, ch));

		if (!ch)
			return n > 0;
		if (!ok || n == max)
			return false;
	}
	return false;
}

/* [a-z0-9][a-z0-9_-]{0,31}: also what makes LAB.NAME a safe file name. */
bool nlab_valid_name(const char *s)
{
	return name_like(s, NLAB_NAME_MAX, "_-");
}

/* [a-z0-9][a-z0-9_.-]*, at most 15 bytes, not lo, not a node setting. */
bool nlab_valid_ifname(const char *s)
{
	return name_like(s, NLAB_IFNAME_MAX, "_.-") && strcmp(s, "lo") &&
	       !load_node_setting(s);
}

bool nlab_env_reserved(const char *name)
{
	return !strcmp(name, NLAB_ENV_LAB) || !strcmp(name, NLAB_ENV_NODE);
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
