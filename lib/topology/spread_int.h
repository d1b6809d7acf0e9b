/* SPDX-License-Identifier: MIT */
/*
 * The partitioner's insides (spread.c, spread_refine.c), not an API: the
 * state of one run, and the cost of moving a node.
 */
#ifndef NLAB_SPREAD_INT_H
#define NLAB_SPREAD_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "topology/spread.h"

#define PASSES_MAX 16  /* rounds of each refinement */
#define NEIGH_SCAN 256 /* members of a segment scanned for neighbours */

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

/* The cost: a segment on k > 1 hosts costs k (a VXLAN device per host
 * it touches), one on a single host nothing. */
static inline long seg_cost(size_t span)
{
	return span > 1 ? (long)span : 0;
}

/* What moving @v to host @b saves (negative: what it costs). */
static inline long gain(const struct spread *c, size_t v, size_t b)
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

static inline void move(struct spread *c, size_t v, size_t b)
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
static inline bool is_free(const struct spread *c, size_t v)
{
	return c->g->pin[v] < 0;
}

/* Step 3 (spread_refine.c): lower the cost, each host within its
 * bounds. */
void spread_refine(struct spread *c);

#endif
