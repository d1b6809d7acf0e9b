// SPDX-License-Identifier: MIT
/*
 * `up --spread` (spread.h): nodes placed over a lab's hosts.
 *
 * 1. Targets: each host's node count.  L is the smallest level with
 *    sum(max(pinned[h], L)) >= N; a host gets max(pinned[h], L) or one
 *    less, so that the counts add up to N: floor(N/H) or ceil(N/H)
 *    without pins, as near as the pins allow with them.
 * 2. Growth: host by host, a breadth-first region from its pinned nodes
 *    (or, without, from the far end of the first free node's part of the
 *    graph) over the segments, until the host has its count.  Hosts
 *    with pinned nodes go first.  A segment's members are scanned once
 *    per host, so a switch of 10,000 members costs 10,000 steps, not
 *    10,000².
 * 3. Refinement (spread_refine.c): greedy moves and swaps, then
 *    Fiduccia-Mattheyses passes between every two hosts.
 *
 * The cost: a segment on k > 1 hosts costs k (a VXLAN device per host it
 * touches), one on a single host nothing.  No randomness anywhere: nodes,
 * hosts and segments are always taken in file order.
 */
#include <string.h>

#include "topology/spread_int.h"
#include "base/util.h"

/* node -> segments, each segment once per node. */
static void index_nodes(struct spread *c)
{
	const struct nlab_spread_graph *g = c->g;
	size_t *last = xcalloc(c->n, sizeof(size_t));
	size_t *fill;

	c->nstart = xcalloc(c->n + 1, sizeof(size_t));
	for (size_t s = 0; s < g->n_segs; s++)
		for (size_t i = g->seg_start[s]; i < g->seg_start[s + 1]; i++) {
			size_t v = g->seg_node[i];

			if (last[v] != s + 1) {
				last[v] = s + 1;
				c->nstart[v + 1]++;
			}
		}
	for (size_t v = 0; v < c->n; v++)
		c->nstart[v + 1] += c->nstart[v];
	c->nseg = xcalloc(c->nstart[c->n] + 1, sizeof(size_t));
	fill = xcalloc(c->n, sizeof(size_t));
	memset(last, 0, c->n * sizeof(size_t));
	for (size_t s = 0; s < g->n_segs; s++)
		for (size_t i = g->seg_start[s]; i < g->seg_start[s + 1]; i++) {
			size_t v = g->seg_node[i];

			if (last[v] == s + 1)
				continue;
			last[v] = s + 1;
			c->nseg[c->nstart[v] + fill[v]++] = s;
		}
	free(fill);
	free(last);
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Step 1: low, cap and target per host. */
static void targets(struct spread *c, const size_t *pinned)
{
	size_t lo = 0, hi = c->n, level, sum = 0, extra;

	while (lo < hi) { /* the smallest level whose sum reaches n */
		size_t mid = lo + (hi - lo) / 2, t = 0;

		for (size_t x = 0; x < c->h; x++)
			t += max_sz(pinned[x], mid);
		if (t >= c->n)
			hi = mid;
		else
			lo = mid + 1;
	}
	level = lo;
	for (size_t x = 0; x < c->h; x++)
		sum += max_sz(pinned[x], level);
	for (size_t x = 0; x < c->h; x++) {
		c->cap[x] = max_sz(pinned[x], level);
		c->low[x] = sum == c->n || !level
				    ? c->cap[x]
				    : max_sz(pinned[x], level - 1);
	}
	sum = 0;
	for (size_t x = 0; x < c->h; x++)
		sum += c->low[x];
	extra = c->n - sum;
	for (size_t x = 0; x < c->h; x++) {
		c->target[x] = c->low[x];
		if (extra && c->cap[x] > c->low[x]) {
			c->target[x]++;
			extra--;
		}
	}
}

/* A node far from @v among the free nodes not placed yet: of those a
 * breadth-first walk from @v reaches last, the first in file order.  A
 * region grown from there does not split the rest in two (a chain from
 * its end, not its middle). */
static size_t far_end(struct spread *c, size_t v, size_t *queue, size_t *nmark,
		      size_t *smark, size_t stamp)
{
	const struct nlab_spread_graph *g = c->g;
	size_t qh = 0, qt = 0, level = 0, level_end = 1, best;

	nmark[v] = stamp;
	queue[qt++] = v;
	while (qh < qt) {
		if (qh == level_end) { /* the next level starts */
			level = qh;
			level_end = qt;
		}
		v = queue[qh++];
		SEGS(c, v)
		{
			if (smark[s] == stamp)
				continue;
			smark[s] = stamp;
			for (size_t i = g->seg_start[s];
			     i < g->seg_start[s + 1]; i++) {
				size_t u = g->seg_node[i];

				if (c->host[u] >= 0 || nmark[u] == stamp)
					continue;
				nmark[u] = stamp;
				queue[qt++] = u;
			}
		}
	}
	best = queue[level];
	for (size_t i = level; i < qt; i++)
		if (queue[i] < best)
			best = queue[i];
	return best;
}

/* Step 2: breadth-first regions, host by host. */
static void grow(struct spread *c, const size_t *pinned)
{
	const struct nlab_spread_graph *g = c->g;
	size_t *queue = xcalloc(c->n, sizeof(size_t));
	size_t *walk = xcalloc(c->n, sizeof(size_t));
	size_t *mark = xcalloc(g->n_segs + 1, sizeof(size_t));
	size_t *nmark = xcalloc(c->n, sizeof(size_t));
	size_t *smark = xcalloc(g->n_segs + 1, sizeof(size_t));
	size_t next = 0, stamp = 0;

	/* Hosts with pinned nodes first: their regions grow from their
	 * pins before the others take the nodes around them. */
	for (size_t k = 0; k < 2 * c->h; k++) {
		size_t x = k % c->h, need = c->target[x] - pinned[x];
		size_t qh = 0, qt = 0;

		if ((k < c->h) != (pinned[x] > 0))
			continue;

		for (size_t v = 0; v < c->n && pinned[x]; v++)
			if (c->host[v] == (int)x)
				queue[qt++] = v;
		while (need) {
			size_t v;

			if (qh == qt) { /* a new region: the first free node */
				size_t seed;

				while (c->host[next] >= 0)
					next++;
				/* twice: an end, then the end far from it
				 * (a chain from its first node) */
				seed = far_end(c, next, walk, nmark, smark,
					       ++stamp);
				seed = far_end(c, seed, walk, nmark, smark,
					       ++stamp);
				c->host[seed] = (int)x;
				queue[qt++] = seed;
				need--;
				continue;
			}
			v = queue[qh++];
			SEGS(c, v)
			{
				if (mark[s] == x + 1)
					continue;
				mark[s] = x + 1;
				for (size_t i = g->seg_start[s];
				     i < g->seg_start[s + 1] && need; i++) {
					size_t u = g->seg_node[i];

					if (c->host[u] >= 0)
						continue;
					c->host[u] = (int)x;
					queue[qt++] = u;
					need--;
				}
				if (!need)
					break;
			}
		}
	}
	free(mark);
	free(nmark);
	free(smark);
	free(walk);
	free(queue);
}

void nlab_spread(const struct nlab_spread_graph *g, int *host,
		 struct nlab_spread_stats *st)
{
	struct spread c = {
		.g = g, .host = host, .n = g->n_nodes, .h = g->n_hosts
	};
	size_t *pinned = xcalloc(c.h, sizeof(size_t));

	for (size_t v = 0; v < c.n; v++) {
		host[v] = g->pin[v];
		if (g->pin[v] >= 0)
			pinned[g->pin[v]]++;
	}
	c.low = xcalloc(c.h, sizeof(size_t));
	c.cap = xcalloc(c.h, sizeof(size_t));
	c.target = xcalloc(c.h, sizeof(size_t));
	c.size = xcalloc(c.h, sizeof(size_t));
	c.seen = xcalloc(c.h, sizeof(size_t));
	index_nodes(&c);
	targets(&c, pinned);
	grow(&c, pinned);
	c.cnt = xcalloc(g->n_segs * c.h + 1, sizeof(size_t));
	c.span = xcalloc(g->n_segs + 1, sizeof(size_t));
	for (size_t v = 0; v < c.n; v++) {
		c.size[host[v]]++;
		SEGS(&c, v)
		{
			if (!c.cnt[s * c.h + (size_t)host[v]]++)
				c.span[s]++;
		}
	}
	if (c.h > 1)
		spread_refine(&c);
	if (st) {
		memset(st, 0, sizeof(*st));
		for (size_t s = 0; s < g->n_segs; s++)
			if (c.span[s] > 1) {
				st->cut++;
				st->cost += c.span[s];
			}
	}
	free(c.cnt);
	free(c.span);
	free(c.nstart);
	free(c.nseg);
	free(c.low);
	free(c.cap);
	free(c.target);
	free(c.size);
	free(c.seen);
	free(pinned);
}

void nlab_topology_spread(struct nlab_topology *t, struct nlab_spread_stats *st)
{
	struct nlab_spread_graph g = { .n_nodes = t->n_nodes,
				       .n_hosts = t->n_machines,
				       .n_segs = t->n_segments };
	cleanup_free int *pin = NULL, *host = NULL;
	cleanup_free size_t *start = NULL, *node = NULL;
	size_t k = 0;

	if (st)
		memset(st, 0, sizeof(*st));
	if (!t->n_machines || !t->n_nodes)
		return;
	pin = xcalloc(t->n_nodes, sizeof(int));
	host = xcalloc(t->n_nodes, sizeof(int));
	for (size_t i = 0; i < t->n_nodes; i++)
		pin[i] = t->nodes[i].host
				 ? (int)(t->nodes[i].host - t->machines)
				 : -1;
	start = xcalloc(t->n_segments + 1, sizeof(size_t));
	for (size_t s = 0; s < t->n_segments; s++)
		k += t->segments[s].n_members;
	node = xcalloc(k + 1, sizeof(size_t));
	k = 0;
	for (size_t s = 0; s < t->n_segments; s++) {
		const struct nlab_segment *seg = &t->segments[s];

		start[s] = k;
		for (size_t m = 0; m < seg->n_members; m++)
			node[k++] = (size_t)(seg->members[m]->node - t->nodes);
	}
	start[t->n_segments] = k;
	g.pin = pin;
	g.seg_start = start;
	g.seg_node = node;
	nlab_spread(&g, host, st);
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct nlab_node *n = &t->nodes[i];

		if (n->host || n->host_line) /* a bad host = is reported */
			continue;
		n->host = &t->machines[host[i]];
		n->spread = true;
	}
}
