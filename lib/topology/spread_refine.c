// SPDX-License-Identifier: MIT
/*
 * Step 3 of `up --spread` (spread.c): the regions grown, their boundaries
 * improved under the balance.  First greedy single moves that lower the
 * cost and keep each host within its bounds, and swaps (a move out and
 * one back between the same two hosts) where the bounds allow no single
 * move; then Fiduccia-Mattheyses passes between every two hosts: nodes
 * moved one at a time, the best gain first, each once, also at a loss,
 * and the best balanced prefix kept (so that a boundary can shift across
 * a plateau: a grid cut along its diagonal is cut straight).  Each kept
 * step lowers the cost, so it ends; rounds are capped all the same.
 * Ties go to the lower node or host: deterministic.
 */
#include <stdlib.h>

#include "topology/spread_int.h"
#include "base/util.h"

#define SWAP_LIST_MAX 1024 /* moves a pass tries to pair */
#define FM_STALL      64   /* FM moves without a new best before it stops */

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

void spread_refine(struct spread *c)
{
	for (int pass = 0; pass < PASSES_MAX; pass++) {
		bool moved = pass_moves(c);

		if (!pass_swaps(c) && !moved)
			break;
	}
	refine_fm(c);
}
