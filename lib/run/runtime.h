/* SPDX-License-Identifier: MIT */
/* Changing a running lab: cables (`link`) and impairments (`impair`). */
#ifndef NLAB_RUNTIME_H
#define NLAB_RUNTIME_H

#include <stdbool.h>

#include "base/err.h"
#include "topology/topology.h"

/* Cut (up = false) or restore a cable: both ends of a veth pair, or the
 * node's interface and its bridge port.  Restoring puts back the
 * addresses and routes the topology declares for the interface(s) (the
 * kernel drops routes, and IPv6 addresses, of a downed interface).
 * Repeating the current state is not an error.  ENOENT in e->errnum for
 * an unknown lab, node or interface. */
int nlab_link_set(const char *lab, const char *node, const char *ifname,
		  bool up, struct nlab_err *e);

/* Read or replace an interface's impairments. */
int nlab_impair_get(const char *lab, const char *node, const char *ifname,
		    struct nlab_impair *imp, struct nlab_err *e);
int nlab_impair_set(const char *lab, const char *node, const char *ifname,
		    const struct nlab_impair *imp, struct nlab_err *e);

#endif
