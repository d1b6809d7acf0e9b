/* SPDX-License-Identifier: MIT */
/*
 * `netlab apply FILE`: bring a running lab to what its edited topology
 * says, touching only what changed.
 *
 * Plan (apply_plan.c): the stored topology (/run/netlab/LAB/topology.ini)
 * and the new file are compared, segment by segment then node by node,
 * into a list of steps, one line each, in the order they are done:
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
#include <stdint.h>

#include "base/err.h"
#include "topology/topology.h"

enum nlab_step_kind {
	/* In the order they are done. */
	NLAB_STEP_NODE_ADD,   /* a new node's netns */
	NLAB_STEP_SWITCH_ADD, /* a new switch's netns and bridge */
	NLAB_STEP_LINK_DEL,   /* a veth, or one port of a switch */
	NLAB_STEP_LINK_ADD,   /* the same, made and configured */
	NLAB_STEP_LINK_SET,   /* an interface's MTU or MAC, in place */
	NLAB_STEP_ROUTE_DEL,
	NLAB_STEP_ADDR_DEL,
	NLAB_STEP_ADDR_ADD,
	NLAB_STEP_ROUTE_ADD,
	/* Unsaid, around a node's address or link changes: removing an
	 * address or a link makes the kernel drop the routes through it, so
	 * every route the node declares is put back after (AGAIN), and on a
	 * rollback those of the old topology once the old addresses and
	 * links are back (BACK: first of all, so that it is undone last). */
	NLAB_STEP_ROUTES_BACK,
	NLAB_STEP_ROUTES_AGAIN,
	NLAB_STEP_SYSCTL,
	NLAB_STEP_IMPAIR,
	NLAB_STEP_NODE_CONF, /* unsaid: a new node's routes and sysctls */
	NLAB_STEP_HOSTS,
	NLAB_STEP_NODE_START, /* a new node's supervisor (all at once) */
	NLAB_STEP_RESTART,
	/* Last, once nothing can fail any more that a rollback could not
	 * undo: what goes away with its processes. */
	NLAB_STEP_NODE_DEL,
	NLAB_STEP_SWITCH_DEL,
	NLAB_STEP_NOTE,	   /* nothing to do now, said only */
	NLAB_STEP_REFUSED, /* a change `apply` does not make in place */
};

struct nlab_step {
	enum nlab_step_kind kind;
	char *text; /* the plan's line; NULL for a step not said */
	/* What it acts on: in the new topology, but for what goes away
	 * (an address, a route, a link, a node: the old topology's). */
	const char *node; /* NULL for the lab */
	const char *ifname;
	const struct nlab_prefix *addr;
	const struct nlab_route *route;
	const struct nlab_impair *impair;
	const struct nlab_node *routes; /* ROUTES_*: whose routes */
	const struct nlab_node *what;	/* NODE_*: the node */
	/* LINK_*, SWITCH_*: the segment; for a switch port, @iface is the
	 * member (else the whole veth pair of the segment). */
	const struct nlab_segment *seg;
	const struct nlab_iface *iface;
	const struct nlab_iface *was_iface; /* LINK_SET: as it was declared */
	char *key, *value; /* SYSCTL; value NULL: as in a new namespace */
	/* While applying, for the undo. */
	bool done; /* done: undo it on a rollback */
	char *was; /* SYSCTL: the value it replaced */
	struct nlab_impair was_impair;
	uint32_t was_mtu; /* LINK_SET: as it was in the kernel */
	uint8_t was_mac[6];
};

struct nlab_plan {
	struct nlab_step *steps; /* in the order printed */
	size_t n, cap;
	size_t n_refused;
	size_t n_todo; /* steps that change something (not notes) */
};

/* Compare @old (the lab's stored topology) with @new (the file); a node
 * named in @stopped (`netlab stop`, n_stopped names) is not restarted,
 * and its routes wait for its next start.  Nothing outside the process
 * is touched. */
void nlab_plan_make(const struct nlab_topology *old,
		    const struct nlab_topology *new, const char *const *stopped,
		    size_t n_stopped, struct nlab_plan *p);
/* The same, asking @stopped(@data, NODE) only about the nodes the plan
 * would restart or give routes to (a large lab is not walked). */
void nlab_plan_make_cb(const struct nlab_topology *old,
		       const struct nlab_topology *new,
		       bool (*stopped)(void *data, const char *node),
		       void *data, struct nlab_plan *p);
void nlab_plan_free(struct nlab_plan *p);

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
