/* SPDX-License-Identifier: MIT */
/* A topology as a Graphviz DOT graph (`netlab graph`). */
#ifndef NLAB_DOT_H
#define NLAB_DOT_H

#include <stdio.h>

#include "topology/topology.h"

/* Nodes are tables of their interfaces (routers with a double outline),
 * bridges grey ellipses; a veth segment is one edge between its two
 * nodes labelled with its name, a bridge one edge per member.  A hub of
 * many leaves makes the layout radial (twopi). */
void nlab_topology_dot(const struct nlab_topology *t, FILE *f);

#endif
