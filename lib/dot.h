/* SPDX-License-Identifier: MIT */
/* A topology as a Graphviz DOT graph (`netlab graph`). */
#ifndef NLAB_DOT_H
#define NLAB_DOT_H

#include <stdio.h>

#include "topology.h"

/* Nodes are boxes, bridges ellipses; a veth segment is one edge between
 * its two nodes, a bridge one edge per member.  Each end of an edge is
 * labelled with the interface, its addresses and its impairments. */
void nlab_topology_dot(const struct nlab_topology *t, FILE *f);

#endif
