/* SPDX-License-Identifier: MIT */
/*
 * `apply`'s plan (apply_plan.c): the steps from the stored topology to
 * the new file, see apply.h.  Inside the library (and its tests) only:
 * the CLI sees nlab_lab_apply, not the plan.
 */
#ifndef NLAB_APPLYPLAN_H
#define NLAB_APPLYPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "topology/topology.h"

enum nlab_step_kind {
	NLAB_STEP_ROUTE_DEL,
	NLAB_STEP_ADDR_DEL,
	NLAB_STEP_ADDR_ADD,
	NLAB_STEP_ROUTE_ADD,
	/* Unsaid, around a node's address changes: removing an address
	 * makes the kernel drop the routes through it, so every route the
	 * node declares is put back after (AGAIN), and on a rollback those
	 * of the old topology once the old addresses are back (BACK). */
	NLAB_STEP_ROUTES_BACK,
	NLAB_STEP_ROUTES_AGAIN,
	NLAB_STEP_SYSCTL,
	NLAB_STEP_IMPAIR,
	NLAB_STEP_HOSTS,
	NLAB_STEP_RESTART,
	NLAB_STEP_NOTE,	   /* nothing to do now, said only */
	NLAB_STEP_REFUSED, /* a change `apply` does not make in place */
};

struct nlab_step {
	enum nlab_step_kind kind;
	char *text; /* the plan's line; NULL for a step not said */
	/* What it acts on: in the new topology, but for what goes away
	 * (an address, a route: the old topology's). */
	const char *node; /* NULL for the lab */
	const char *ifname;
	const struct nlab_prefix *addr;
	const struct nlab_route *route;
	const struct nlab_impair *impair;
	const struct nlab_node *routes; /* ROUTES_*: whose routes */
	char *key, *value; /* SYSCTL; value NULL: as in a new namespace */
	/* While applying, for the undo. */
	bool done; /* done: undo it on a rollback */
	char *was; /* SYSCTL: the value it replaced */
	struct nlab_impair was_impair;
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
void nlab_plan_free(struct nlab_plan *p);

#endif
