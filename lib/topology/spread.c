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
 *    with pinned nodes go first.  A segment's members are scanned once per
 * host, so a switch of 10,000 members costs 10,000 steps, not 10,000².
 * 3. Refinement: greedy single moves that lower the cost and keep each
 *    host within its bounds, and swaps (a move out and one back between
 *    the same two hosts) where the bounds allow no single move; then
 *    Fiduccia-Mattheyses passes between every two hosts: nodes moved one
 *    at a time, the best gain first, each once, also at a loss, and the
 *    best balanced prefix kept (so that a boundary can shift across a
 *    plateau: a grid cut along its diagonal is cut straight).  Each kept
 *    step lowers the cost, so it ends; rounds are capped all the same.
 *
 * The cost: a segment on k > 1 hosts costs k (a VXLAN device per host it
 * touches), one on a single host nothing.  No randomness anywhere: nodes,
 * hosts and segments are always taken in file order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology/part.h"
#include "topology/spread.h"
#include "base/util.h"

#define PASSES_MAX    16
#define SWAP_LIST_MAX 1024 /* moves a pass tries to pair */
#define NEIGH_SCAN    256  /* members of a segment scanned for a partner */
#define FM_STALL      64   /* FM moves without a new best before it stops */

struct spread {
	const struct nlab_spread_graph *g;
	int *host;
	size_t n, h;
	size_t *nstart, *nseg; /* node -> its segments, each once */
	size_t *cnt;	       /* cnt[s * h + x]: s's members on host x */
	size_t *span;	       /* hosts segment s touches */
	size_t *size, *low, *cap, *target;
	size_t *seen; /* per host: a stamp, for candidate hosts */
	size_t stamp;
};

#define SEGS(c, v)                                                             \
	for (size_t _i = (c)->nstart[v], s;                                    \
	     _i < (c)->nstart[(v) + 1] && (s = (c)->nseg[_i], 1); _i++)

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

static long seg_cost(size_t span)
{
	return span > 1 ? (long)span : 0;
}

/* What moving @v to host @b saves (negative: what it costs). */
static long gain(const struct spread *c, size_t v, size_t b)
{
	size_t a = (size_t)c->host[v];
	long d = 0;

	SEGS(c, v)
	{
		size_t sp = c->span[s], ns = sp;

		ns -= c->cnt[s * c->h + a] == 1;
		ns += c->cnt[s * c->h + b] == 0;
		d += seg_cost(sp) - seg_cost(ns);
	}
	return d;
}

static void move(struct spread *c, size_t v, size_t b)
{
	size_t a = (size_t)c->host[v];

	SEGS(c, v)
	{
		if (!--c->cnt[s * c->h + a])
			c->span[s]--;
		if (!c->cnt[s * c->h + b]++)
			c->span[s]++;
	}
	c->size[a]--;
	c->size[b]++;
	c->host[v] = (int)b;
}

/* The best host for @v among those its segments touch: *b and the gain
 * (below any real gain: none).  @bounded: only where both hosts stay in bounds.
 */
static long best_move(struct spread *c, size_t v, bool bounded, size_t *b)
{
	size_t a = (size_t)c->host[v];
	long best = -(long)c->n * 1000 - 1;

	if (bounded && c->size[a] <= c->low[a])
		return best;
	c->stamp++;
	SEGS(c, v)
	{
		for (size_t x = 0; x < c->h; x++) {
			long gx;

			if (x == a || !c->cnt[s * c->h + x] ||
			    c->seen[x] == c->stamp)
				continue;
			c->seen[x] = c->stamp;
			if (bounded && c->size[x] >= c->cap[x])
				continue;
			gx = gain(c, v, x);
			if (gx > best || (gx == best && x < *b)) {
				best = gx;
				*b = x;
			}
		}
	}
	return best;
}

static bool is_free(const struct spread *c, size_t v)
{
	return c->g->pin[v] < 0;
}

/* Single moves within the bounds; whether one was made. */
static bool pass_moves(struct spread *c)
{
	bool any = false;

	for (size_t v = 0; v < c->n; v++) {
		size_t b = 0;

		if (is_free(c, v) && best_move(c, v, true, &b) > 0) {
			move(c, v, b);
			any = true;
		}
	}
	return any;
}

/* The best partner to move from @b to @a once @v went from @a to @b:
 * among @v's neighbours on @b and the pass's other candidates. */
static long partner(struct spread *c, size_t v, size_t a, size_t b,
		    const size_t *cand, size_t n_cand, size_t *u)
{
	const struct nlab_spread_graph *g = c->g;
	long best = -(long)c->n * 1000 - 1;

	SEGS(c, v)
	{
		size_t end = g->seg_start[s + 1];

		if (end - g->seg_start[s] > NEIGH_SCAN)
			end = g->seg_start[s] + NEIGH_SCAN;
		for (size_t i = g->seg_start[s]; i < end; i++) {
			size_t w = g->seg_node[i];
			long gw;

			if (w == v || !is_free(c, w) || c->host[w] != (int)b)
				continue;
			gw = gain(c, w, a);
			if (gw > best) {
				best = gw;
				*u = w;
			}
		}
	}
	for (size_t i = 0; i < n_cand; i++) {
		size_t w = cand[i];
		long gw;

		if (w == v || c->host[w] != (int)b)
			continue;
		gw = gain(c, w, a);
		if (gw > best) {
			best = gw;
			*u = w;
		}
	}
	return best;
}

/* Swaps where the bounds stop a single move; whether one was made. */
static bool pass_swaps(struct spread *c)
{
	size_t *cand = xcalloc(SWAP_LIST_MAX, sizeof(size_t));
	size_t n_cand = 0;
	bool any = false;

	for (size_t v = 0; v < c->n && n_cand < SWAP_LIST_MAX; v++) {
		size_t b = 0;

		/* the movers, and the partners that lose nothing */
		if (is_free(c, v) && best_move(c, v, false, &b) >= 0)
			cand[n_cand++] = v;
	}
	for (size_t i = 0; i < n_cand; i++) {
		size_t v = cand[i], a = (size_t)c->host[v], b = 0, u = 0;
		long g1 = best_move(c, v, false, &b), g2;

		if (g1 <= 0)
			continue;
		move(c, v, b);
		g2 = partner(c, v, a, b, cand, n_cand, &u);
		if (g1 + g2 > 0) {
			move(c, u, a);
			any = true;
		} else {
			move(c, v, a);
		}
	}
	free(cand);
	return any;
}

/* ---- Fiduccia-Mattheyses between two hosts ------------------------------ */

struct fm_item {
	long gain;
	size_t v;
	unsigned ver;
};

struct fm_heap {
	struct fm_item *a;
	size_t n, cap;
};

/* Higher gain first, then file order: deterministic. */
static bool fm_before(const struct fm_item *x, const struct fm_item *y)
{
	return x->gain > y->gain || (x->gain == y->gain && x->v < y->v);
}

static void fm_push(struct fm_heap *h, struct fm_item it)
{
	size_t i;

	xgrow(&h->a, &h->cap, h->n + 1, sizeof(*h->a));
	i = h->n++;
	while (i && fm_before(&it, &h->a[(i - 1) / 2])) {
		h->a[i] = h->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->a[i] = it;
}

static void fm_pop(struct fm_heap *h)
{
	struct fm_item last = h->a[--h->n];
	size_t i = 0;

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct fm_item *best = &last;

		if (l < h->n && fm_before(&h->a[l], best)) {
			m = l;
			best = &h->a[l];
		}
		if (r < h->n && fm_before(&h->a[r], best))
			m = r;
		if (m == i)
			break;
		h->a[i] = h->a[m];
		i = m;
	}
	if (h->n)
		h->a[i] = last;
}

struct fm {
	struct fm_heap side[2]; /* nodes on a, nodes on b */
	unsigned *ver;		/* per node: its live heap entry */
	size_t *locked;		/* per node: moved in this pass (a stamp) */
	size_t *log, n_log, stamp;
};

/* Queue @v (on @a or @b) with its gain for a move to the other. */
static void fm_queue(struct spread *c, struct fm *f, size_t v, size_t a,
		     size_t b)
{
	bool on_b = (size_t)c->host[v] == b;
	struct fm_item it = { gain(c, v, on_b ? a : b), v, ++f->ver[v] };

	fm_push(&f->side[on_b], it);
}

/* The best live move of side @x, its gain re-checked; false: none. */
static bool fm_head(struct spread *c, struct fm *f, int x, size_t a, size_t b,
		    struct fm_item *out)
{
	struct fm_heap *h = &f->side[x];
	size_t from = x ? b : a, to = x ? a : b;

	while (h->n) {
		struct fm_item top = h->a[0];
		long g;

		if (f->locked[top.v] == f->stamp || top.ver != f->ver[top.v] ||
		    (size_t)c->host[top.v] != from) {
			fm_pop(h);
			continue;
		}
		g = gain(c, top.v, to);
		if (g != top.gain) { /* stale: requeue at its true gain */
			fm_pop(h);
			top.gain = g;
			top.ver = ++f->ver[top.v];
			fm_push(h, top);
			continue;
		}
		*out = top;
		return true;
	}
	return false;
}

static bool in_bounds(const struct spread *c, size_t x, size_t slack)
{
	return c->size[x] + slack >= c->low[x] &&
	       c->size[x] <= c->cap[x] + slack;
}

/* One pass between hosts @a and @b: moves one node at a time, the best
 * first, each node once, also at a loss (the balance may be off by one
 * meanwhile), then keeps the best balanced prefix.  Whether it gained. */
static bool fm_pair(struct spread *c, struct fm *f, size_t a, size_t b)
{
	const struct nlab_spread_graph *g = c->g;
	long cum = 0, best = 0;
	size_t best_len = 0, stall = 0;

	f->stamp++;
	f->n_log = 0;
	f->side[0].n = f->side[1].n = 0;
	for (size_t v = 0; v < c->n; v++) {
		size_t x = (size_t)c->host[v], o = x == a ? b : a;
		bool edge = false;

		if (!is_free(c, v) || (x != a && x != b))
			continue;
		SEGS(c, v)
		{
			edge = edge || c->cnt[s * c->h + o];
		}
		if (edge)
			fm_queue(c, f, v, a, b);
	}
	while (stall < FM_STALL) {
		struct fm_item m[2];
		bool ok[2];
		int x;

		for (int k = 0; k < 2; k++) {
			size_t from = k ? b : a, to = k ? a : b;

			ok[k] = c->size[from] >= c->low[from] &&
				c->size[from] > 1 &&
				c->size[to] <= c->cap[to] &&
				fm_head(c, f, k, a, b, &m[k]);
		}
		if (!ok[0] && !ok[1])
			break;
		if (ok[0] && ok[1])
			x = m[1].gain > m[0].gain ||
			    (m[1].gain == m[0].gain && c->size[b] > c->size[a]);
		else
			x = ok[1];
		fm_pop(&f->side[x]);
		move(c, m[x].v, x ? a : b);
		f->locked[m[x].v] = f->stamp;
		f->log[f->n_log++] = m[x].v;
		cum += m[x].gain;
		if (cum > best && in_bounds(c, a, 0) && in_bounds(c, b, 0)) {
			best = cum;
			best_len = f->n_log;
			stall = 0;
		} else {
			stall++;
		}
		SEGS(c, m[x].v)
		{
			size_t end = g->seg_start[s + 1];

			if (end - g->seg_start[s] > NEIGH_SCAN)
				continue; /* its members' gains barely change */
			for (size_t i = g->seg_start[s]; i < end; i++) {
				size_t w = g->seg_node[i];
				size_t hw = (size_t)c->host[w];

				if (is_free(c, w) && f->locked[w] != f->stamp &&
				    (hw == a || hw == b))
					fm_queue(c, f, w, a, b);
			}
		}
	}
	while (f->n_log > best_len) { /* undo the moves past the best */
		size_t v = f->log[--f->n_log];

		move(c, v, (size_t)c->host[v] == a ? b : a);
	}
	return best > 0;
}

/* FM between every two hosts, until a round gains nothing. */
static void refine_fm(struct spread *c)
{
	struct fm f = { 0 };
	bool any = true;

	f.ver = xcalloc(c->n, sizeof(unsigned));
	f.locked = xcalloc(c->n, sizeof(size_t));
	f.log = xcalloc(c->n + 1, sizeof(size_t));
	for (int round = 0; any && round < PASSES_MAX; round++) {
		any = false;
		for (size_t a = 0; a < c->h; a++)
			for (size_t b = a + 1; b < c->h; b++)
				any |= fm_pair(c, &f, a, b);
	}
	free(f.side[0].a);
	free(f.side[1].a);
	free(f.ver);
	free(f.locked);
	free(f.log);
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
	for (int pass = 0; pass < PASSES_MAX && c.h > 1; pass++) {
		bool moved = pass_moves(&c);

		if (!pass_swaps(&c) && !moved)
			break;
	}
	if (c.h > 1)
		refine_fm(&c);
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

char *nlab_spread_text(const struct nlab_topology *t, size_t *len)
{
	char *p = NULL;
	FILE *f = open_memstream(&p, len);

	for (size_t i = 0; f && i < t->n_nodes; i++)
		if (t->nodes[i].spread)
			fprintf(f, "%s %s\n", t->nodes[i].name,
				t->nodes[i].host->name);
	if (f)
		fclose(f);
	return p ? p : xstrdup("");
}

/* "r12": prefix length 1, number 12, digits 2; no number: false. */
static bool numbered(const char *name, size_t *plen, unsigned long *num,
		     size_t *digits)
{
	size_t n = strlen(name), i = n;

	while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
		i--;
	if (i == n || n - i > 9)
		return false;
	*plen = i;
	*digits = n - i;
	*num = strtoul(name + i, NULL, 10);
	return true;
}

/* Does @b follow @a: the same prefix, the number one more, the same
 * width when zero-padded? */
static bool follows(const char *a, const char *b)
{
	size_t pa, pb, da, db;
	unsigned long na, nb;

	if (!numbered(a, &pa, &na, &da) || !numbered(b, &pb, &nb, &db))
		return false;
	if (pa != pb || strncmp(a, b, pa) || nb != na + 1)
		return false;
	return da == db || (a[pa] != '0' && b[pb] != '0');
}

static void list_nodes(FILE *f, const struct nlab_topology *t,
		       const struct nlab_host *h)
{
	const char *first = NULL, *prev = NULL;
	size_t run = 0;
	bool any = false;

	for (size_t i = 0; i <= t->n_nodes; i++) {
		const char *name = i < t->n_nodes && t->nodes[i].host == h
					   ? t->nodes[i].name
					   : NULL;

		if (i < t->n_nodes && !name)
			continue;
		if (name && prev && follows(prev, name)) {
			prev = name;
			run++;
			continue;
		}
		if (first) { /* the run first..prev ends */
			fprintf(f, "%s%s", any ? ", " : " ", first);
			if (run == 2)
				fprintf(f, ", %s", prev);
			else if (run > 2)
				fprintf(f, "..%s", prev);
			any = true;
		}
		first = prev = name;
		run = 1;
	}
}

char *nlab_spread_describe(const struct nlab_topology *t)
{
	char *p = NULL;
	size_t len, cut = 0, shown = 0, ports = 0;
	FILE *f = open_memstream(&p, &len);

	if (!f)
		return xstrdup("");
	fprintf(f, "spread over %zu hosts:\n", t->n_machines);
	for (size_t x = 0; x < t->n_machines; x++) {
		const struct nlab_host *h = &t->machines[x];
		size_t n = 0, pinned = 0;

		for (size_t i = 0; i < t->n_nodes; i++)
			if (t->nodes[i].host == h) {
				n++;
				pinned += !t->nodes[i].spread;
			}
		fprintf(f, "  %s: %zu node%s", h->name, n, n == 1 ? "" : "s");
		if (pinned)
			fprintf(f, " (%zu by host =)", pinned);
		fputc(':', f);
		list_nodes(f, t, h);
		fputc('\n', f);
	}
	for (size_t s = 0; s < t->n_segments; s++)
		if (t->segments[s].spans) {
			cut++;
			for (size_t x = 0; x < t->n_machines; x++)
				ports += nlab_segment_on(&t->segments[s],
							 &t->machines[x]);
		}
	fprintf(f, "  %zu segment%s across hosts (%zu VXLAN port%s)", cut,
		cut == 1 ? "" : "s", ports, ports == 1 ? "" : "s");
	for (size_t s = 0; s < t->n_segments && shown < 10; s++)
		if (t->segments[s].spans)
			fprintf(f, "%s%s", shown++ ? ", " : ": ",
				t->segments[s].name);
	if (cut > shown)
		fprintf(f, ", ...");
	fputc('\n', f);
	fclose(f);
	return p;
}
