/* SPDX-License-Identifier: MIT */
/* One host's part of a lab spread over several [host]s (part.c). */
#ifndef NLAB_PART_H
#define NLAB_PART_H

#include <stdbool.h>
#include <stddef.h>

#include "topology/topology.h"

/* Has segment @s a member on host @h? */
bool nlab_segment_on(const struct nlab_segment *s, const struct nlab_host *h);

/* The topology text of @h's part of @t (a lab with [host]s): the nodes
 * on @h, its segments, a [switch] with the VXLAN MTU for each segment
 * that crosses hosts.  Line numbers are the file's.  Free it. */
char *nlab_topology_part(const struct nlab_topology *t,
			 const struct nlab_host *h, size_t *len);

#endif
