/* SPDX-License-Identifier: MIT */
/* What a lab looks like now, read back from the kernel (for `status`). */
#ifndef NLAB_STATUS_H
#define NLAB_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "topology.h"

struct nlab_if_status {
	const struct nlab_iface *decl; /* what the topology declares */
	bool exists, up, carrier;
	unsigned mtu;
	char mac[18];
	char **addrs; /* "10.0.0.1/24", global scope */
	size_t n_addrs;
};

struct nlab_node_status {
	const struct nlab_node *decl;
	char netns[NLAB_NAME_MAX * 2 + 2];
	bool present;		    /* the netns still exists */
	struct nlab_if_status *ifs; /* one per declared interface */
	int supervisor;		    /* host pid, 0 when not running */
	char run[64];		    /* "running PID", "exited N", "killed N",
				       "none", or "" when unknown */
};

struct nlab_lab_status {
	struct nlab_topology *topo; /* the lab's stored topology */
	const char *state;	    /* "up", "partial", "incomplete" */
	size_t netns_total, netns_present;
	struct nlab_node_status *nodes; /* one per node, NULL for a summary */
};

/* Read one lab's status; with @detail, every node's interfaces too.
 * Returns 0, 1 when there is no such lab, -1 with @e. */
int nlab_status_read(const char *lab, bool detail, struct nlab_lab_status *s,
		     struct nlab_err *e);
void nlab_status_free(struct nlab_lab_status *s);

#endif
