/* SPDX-License-Identifier: MIT */
/*
 * `netlab apply FILE`: bring a running lab to what its edited topology
 * says, touching only what changed.
 *
 * Plan (apply_plan.c, applyplan.h): the stored topology
 * (/run/netlab/LAB/topology.ini) and the new file are compared, node by node,
 * into a list of steps, one line each, grouped by node:
 *
 *   r1: eth0: remove address 10.0.0.1/24
 *   r1: eth0: add address 10.0.0.5/24
 *   r1: add route 10.9.0.0/24 via 10.0.0.2
 *   r1: sysctl net.ipv4.conf.all.rp_filter = 0 (was 2)
 *   r1: eth1: impairments rate=2mbit (were rate=1mbit)
 *   r1: restart (run changed)
 *   lab: rewrite the hosts files (addresses changed)
 *
 * What is made in place: addresses, routes, sysctls (and `forward`),
 * impairments, the hosts files; a node whose run, bind/tmpfs, env or
 * log_max changed is restarted (only that node: the others keep their
 * processes).  What is refused (a step of kind REFUSED, and then nothing
 * is done): nodes, interfaces or switches added or removed, an interface
 * moved to another segment, MAC or MTU changes, switch settings, the
 * [lab] hosts setting.
 *
 * Apply (apply.c), under the lab's lock: every step is done in plan
 * order, restarts last, each remembering what it replaced; on a failure
 * or a signal the steps done are undone, newest first.  The stored
 * topology becomes the new file only once every step is done.  Each step
 * is idempotent (an address already there, a route already gone is no
 * error and nothing to undo), so that an `apply` killed midway is
 * finished by running it again.
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
