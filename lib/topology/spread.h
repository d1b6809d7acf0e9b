/* SPDX-License-Identifier: MIT */
/*
 * `up --spread`: place the nodes without `host =` over a lab's [host]s
 * (spread.c).  Balanced node counts first (each host gets floor(N/H) or
 * ceil(N/H) nodes, pinned ones included, or as near as the pins allow),
 * then as few VXLAN devices as possible: a segment whose members are on
 * k > 1 hosts costs k (one per host it touches), one on a single host
 * nothing.  Deterministic: the same file gives the same placement.
 */
#ifndef NLAB_SPREAD_H
#define NLAB_SPREAD_H

#include <stddef.h>

#include "topology/topology.h"

/* The lab as the partitioner sees it: nodes 0..n_nodes-1, hosts
 * 0..n_hosts-1, each segment a list of member nodes (CSR: segment s has
 * seg_node[seg_start[s] .. seg_start[s + 1]), a node may appear twice). */
struct nlab_spread_graph {
	size_t n_nodes, n_hosts, n_segs;
	const int *pin;		 /* per node: its host, or -1 to place it */
	const size_t *seg_start; /* n_segs + 1 entries */
	const size_t *seg_node;
};

struct nlab_spread_stats {
	size_t cut;  /* segments on more than one host */
	size_t cost; /* their hosts, summed: VXLAN devices */
};

/* Fill host[n_nodes] (pinned nodes keep theirs).  n_hosts must be >= 1. */
void nlab_spread(const struct nlab_spread_graph *g, int *host,
		 struct nlab_spread_stats *st);

/* Place @t's nodes without a host (n->spread set on each); @st may be
 * NULL.  Nothing to do without [host]s. */
void nlab_topology_spread(struct nlab_topology *t,
			  struct nlab_spread_stats *st);

/* The placement as it travels to the hosts and into the records: one
 * "NODE HOST\n" line per node --spread placed ("" for none).  Free it. */
char *nlab_spread_text(const struct nlab_topology *t, size_t *len);

/* What `up --spread` prints: a line per host, its node count and its
 * nodes (runs of numbered names as r1..r500), then the crossing
 * segments.  Free it. */
char *nlab_spread_describe(const struct nlab_topology *t);

#endif
