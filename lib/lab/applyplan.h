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
#include <stdint.h>

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
	uint32_t was_mtu;      /* LINK_SET: as it was in the kernel */
	uint32_t was_port_mtu; /* LINK_SET: its switch port's, 0: none set */
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

#endif
