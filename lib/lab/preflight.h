/* SPDX-License-Identifier: MIT */
/* `up`'s checks of the host before it creates anything. */
#ifndef NLAB_PREFLIGHT_H
#define NLAB_PREFLIGHT_H

#include "base/err.h"
#include "topology/topology.h"

/* Everything that can be known wrong before touching the host: the lab
 * already (or half) up (EALREADY in e->errnum), a netns name taken, a
 * hosts file in the way, a kernel without bridge VLAN filtering or netem
 * where the topology asks for them.  Returns 0, or -1 with @e; nothing
 * is created either way. */
int nlab_up_preflight(const struct nlab_topology *t, struct nlab_err *e);

#endif
