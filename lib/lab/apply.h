/* SPDX-License-Identifier: MIT */
/*
 * `netlab apply FILE`: bring a running lab to what its edited topology
 * says, touching only what changed.
 *
 * Plan (apply_plan.c, applyplan.h): the stored topology
 * (/run/netlab/LAB/topology.ini) and the new file are compared, segment by
 * segment then node by node, into a list of steps, one line each, in the order
 * they are done:
 *
 *   r4: add node                                 its netns
 *   lab: add switch s1                           its netns and bridge
 *   r2: eth1: remove link to r3:eth0 (segment l23)
 *   r2: eth2: add link to r4:eth0 (segment l24)  with its ends' addresses
 *   r1: eth0: mtu 1400 (was 1500)                MTU, MAC in place
 *   r1: eth0: remove address 10.0.0.1/24
 *   r1: eth0: add address 10.0.0.5/24
 *   r1: add route 10.9.0.0/24 via 10.0.0.2
 *   r1: sysctl net.ipv4.conf.all.rp_filter = 0 (was 2)
 *   r1: eth1: impairments rate=2mbit (were rate=1mbit)
 *   r1: restart (run changed)
 *   lab: rewrite the nodes' hosts files (addresses changed)
 *   r4: start (run)                              new nodes' supervisors
 *   r3: remove node                              last
 *
 * A link whose members changed (an interface moved to another segment,
 * a veth segment that becomes a switch) is removed and made anew; a
 * switch gains and loses ports in place.  What is refused (a step of
 * kind REFUSED, and then nothing is done): switch settings, the [lab]
 * hosts setting.
 *
 * Apply (apply.c), under the lab's lock: the new file is written to
 * NLAB_APPLY_FILE first (while it is there, `down` takes the names of
 * both topologies from the record), then every step is done in plan
 * order, restarts after the others, each remembering what it replaced;
 * on a failure or a signal the steps done are undone, newest first (a
 * node added is removed with every trace, a link removed is made again).
 * Nodes and switches removed go last of all, once nothing is left that
 * could fail and be undone: their processes cannot be given back.  They
 * go with every trace, their record lines too (the record is rewritten
 * without them).  The stored topology becomes the new file only once
 * every step is done.  Each step is idempotent (an address already
 * there, a route already gone is no error and nothing to undo), and the
 * nodes a killed `apply` had begun to add are removed first, so that an
 * `apply` killed midway is finished by running it again.
 *
 * Speed: only the nodes a step names are entered, and only those the
 * plan restarts or gives routes to are asked whether they are stopped;
 * a one-link change to a 1000-node lab does not walk the lab.
 */
#ifndef NLAB_APPLY_H
#define NLAB_APPLY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "topology/topology.h"

struct nlab_apply_opts {
	bool dry_run; /* print the plan, change nothing */
	/* Set asynchronously (a signal): roll back. */
	volatile sig_atomic_t *stop;
	/* Each line of the plan (dry run), or of each step once done. */
	void (*say)(void *data, const char *line);
	void *data;
	size_t *changes; /* if not NULL, set to the number of changes */
};

/* Apply @t (a loaded topology file) to the running lab of its name.
 * Returns 0, or -1 with @e: no such lab (ENOENT), changes it does not
 * make (EOPNOTSUPP; listed by say(), nothing changed), or a failure
 * (rolled back). */
int nlab_lab_apply(const struct nlab_topology *t,
		   const struct nlab_apply_opts *o, struct nlab_err *e);

#endif
