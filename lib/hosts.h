/* SPDX-License-Identifier: MIT */
/* Per-node resolver files, /etc/netns/LAB.NODE/hosts: the `ip netns exec`
 * convention, bound over /etc/hosts inside the node. */
#ifndef NLAB_HOSTS_H
#define NLAB_HOSTS_H

#include "err.h"
#include "state.h"
#include "topology.h"

#define NLAB_ETC_NETNS "/etc/netns"

/* Write one hosts file per node listing every node of the lab.  Each
 * directory and file is recorded before it is made; files are created
 * with O_EXCL, so a user's own file is never overwritten. */
int nlab_hosts_write(const struct nlab_topology *t, struct nlab_state *st,
		     struct nlab_err *e);

#endif
