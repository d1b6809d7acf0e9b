// SPDX-License-Identifier: MIT
/* The model of a topology that loaded, read as its users read it. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "topology/dot.h"
#include "exercise.h"
#include "topology/labtest.h"
#include "lab/nodeenv.h"
#include "run/ping.h"

static bool is_node(const struct nlab_topology *t, const struct nlab_node *n)
{
	return n >= t->nodes && n < t->nodes + t->n_nodes;
}

static void nodes(const struct nlab_topology *t)
{
	char buf[256];

	for (size_t n = 0; n < t->n_nodes; n++) {
		const struct nlab_node *node = &t->nodes[n];
		char **env;

		if (nlab_topology_node(t, node->name) != node ||
		    !nlab_valid_name(node->name) ||
		    node->log_max < NLAB_LOG_MAX_MIN ||
		    node->log_max > NLAB_LOG_MAX_MAX ||
		    (node->ready && !*node->ready))
			abort();
		for (size_t i = 0; i < node->n_ifaces; i++) {
			const struct nlab_iface *ifc = &node->ifaces[i];

			if (ifc->node != node || !ifc->segment ||
			    !nlab_valid_ifname(ifc->name) ||
			    nlab_node_iface(node, ifc->name) != ifc)
				abort();
			nlab_impair_str(&ifc->impair, buf, sizeof(buf));
			for (size_t a = 0; a < ifc->n_addrs; a++)
				nlab_prefix_str(&ifc->addrs[a], buf,
						sizeof(buf));
		}
		for (size_t i = 0; i < node->n_env; i++)
			if (nlab_env_reserved(node->env[i].name))
				abort();
		env = nlab_node_environ(t->name, node, "dumb");
		if (!env)
			abort();
		nlab_environ_free(env);
	}
}

/* One member only on a stub LAN, which is a bridge. */
static void segments(const struct nlab_topology *t)
{
	for (size_t s = 0; s < t->n_segments; s++) {
		const struct nlab_segment *seg = &t->segments[s];

		if (seg->n_members < 2 &&
		    (seg->n_members < 1 || seg->kind != NLAB_SEG_BRIDGE))
			abort();
		for (size_t m = 0; m < seg->n_members; m++)
			if (seg->members[m]->segment != seg)
				abort();
		if (!*nlab_segment_shown(seg))
			abort();
	}
}

static void steps(const struct nlab_topology *t, const struct nlab_test *test)
{
	char buf[256];

	for (size_t i = 0; i < test->n_steps; i++) {
		const struct nlab_step *s = &test->steps[i];

		/* each step a check, a do or a wait */
		if (!s->text || s->kind > NLAB_STEP_IMPAIR ||
		    (nlab_step_is_check(s) + nlab_step_is_do(s) +
		     (s->kind == NLAB_STEP_WAIT)) != 1)
			abort();
		if (s->node && !is_node(t, s->node))
			abort();
		switch (s->kind) {
		case NLAB_STEP_REACH:
			for (size_t n = 0; n < s->n_nodes; n++)
				if (!is_node(t, s->nodes[n]))
					abort();
			break;
		case NLAB_STEP_UNREACH:
			for (size_t n = 0; n < s->n_targets; n++)
				if (!is_node(t, s->targets[n].from) ||
				    (s->targets[n].to &&
				     !is_node(t, s->targets[n].to)) ||
				    (!s->targets[n].to &&
				     s->targets[n].family != AF_INET &&
				     s->targets[n].family != AF_INET6))
					abort();
			break;
		case NLAB_STEP_ROUTE:
		case NLAB_STEP_LINK:
			if (!s->node)
				abort();
			break;
		case NLAB_STEP_EXEC:
			if (!s->node || !s->cmd)
				abort();
			break;
		case NLAB_STEP_WAIT:
			if (s->wait_ms > NLAB_WAIT_MAX_MS)
				abort();
			break;
		case NLAB_STEP_IMPAIR:
			if (!s->node)
				abort();
			nlab_impair_str(&s->impair, buf, sizeof(buf));
			break;
		}
	}
}

static void tests(const struct nlab_topology *t)
{
	for (size_t i = 0; i < t->n_tests; i++)
		if (nlab_topology_test(t, t->tests[i].name) != &t->tests[i] ||
		    !nlab_valid_name(t->tests[i].name))
			abort();
		else
			steps(t, &t->tests[i]);
}

void fuzz_exercise(const struct nlab_topology *t, FILE *sink)
{
	struct nlab_ping_probe *probes = NULL;
	struct nlab_counts c;
	size_t n = 0;

	if (!nlab_valid_name(t->name) || !t->n_nodes || !t->source)
		abort();
	nlab_topology_counts(t, &c);
	if (c.nodes != t->n_nodes)
		abort();
	nlab_topology_dot(t, sink);
	nodes(t);
	segments(t);
	tests(t);
	nlab_ping_plan(t, 0, &probes, &n);
	free(probes);
	fuzz_self_plan(t);
}
