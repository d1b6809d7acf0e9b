/* SPDX-License-Identifier: MIT */
/*
 * One node of a running lab stopped, started or restarted on its own
 * (`netlab stop|start|restart LAB NODE...`), the rest of the lab
 * untouched.
 *
 * A stopped node is a powered-off box: its processes are gone (its
 * supervisor got SIGTERM, then SIGKILL after the grace period), its
 * netns, interfaces, sysctls and qdiscs stay, and its interfaces are set
 * down, so that each peer (a node's end of a veth, a bridge port) loses
 * its carrier.  The kernel drops the routes, and IPv6 addresses, of a
 * downed interface; `start` sets the interfaces up again, puts back the
 * addresses and routes the topology declares, and starts a new
 * supervisor (a new `proc` line in the record: the newest one wins).
 *
 * `netlab stop` leaves NODE.stopped in the lab's state directory, naming
 * the record's newest `proc` entry of the node ("PID STARTTIME NODE").
 * While that still is the newest one, the node is stopped on purpose:
 * status shows it stopped, and it does not make the lab degraded.  A
 * later `start` records a new supervisor, which makes the mark stale
 * even if it could not remove it.
 *
 * Stopping a stopped node, or starting a running one, changes nothing
 * and is not an error (as `link` repeating a cable's state).  A node
 * whose supervisor died (dead) is started again by `start`.  All or
 * nothing: if one of several nodes cannot be started, those started are
 * stopped again and the nodes are left as they were.
 */
#ifndef NLAB_LIFECYCLE_H
#define NLAB_LIFECYCLE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

enum nlab_node_op {
	NLAB_OP_STOP,
	NLAB_OP_START,
	NLAB_OP_RESTART,
};

struct nlab_lifecycle_opts {
	/* Set asynchronously (a signal) to abandon a start: it is rolled
	 * back. */
	volatile sig_atomic_t *stop;
	/* Called once per node done, in argument order: @what is
	 * "stopped", "started", "restarted", "already stopped" or
	 * "already running". */
	void (*done)(void *data, const char *node, const char *what);
	void *data;
	const struct nlab_warn *w; /* record lines left alone */
};

/* Do @op to nodes @nodes[0..@n) of running lab @lab (a name given twice
 * counts once).  Holds the lab's lock throughout.  Returns 0, or -1 with
 * @e: no such lab or node (ENOENT, before anything is done), a lab that
 * is not complete, or a failure (a start is then rolled back). */
int nlab_nodes_op(const char *lab, enum nlab_node_op op,
		  const char *const *nodes, size_t n,
		  const struct nlab_lifecycle_opts *o, struct nlab_err *e);

struct nlab_state;
struct nlab_topology;
/* Lock running lab @lab (its state in @st: close it with
 * nlab_state_close; on failure it is closed already), which must be
 * complete, and load its stored topology into *t.  -1 with @e: no such
 * lab (ENOENT), half-built. */
int nlab_lab_lock(const char *lab, struct nlab_state *st,
		  struct nlab_topology **t, struct nlab_err *e);
/* The same with the lab's lock held already (`apply`): @st is the lab's
 * open state, @t the topology whose settings nodes start with (its name
 * is the lab's). */
int nlab_nodes_op_held(struct nlab_state *st, const struct nlab_topology *t,
		       enum nlab_node_op op, const char *const *nodes, size_t n,
		       const struct nlab_lifecycle_opts *o, struct nlab_err *e);

struct nlab_record;
/* Open node @node's netns of lab @lab, if it still is the one `up` made
 * (the identity @rec holds; a version 1 record holds none).  -1 with @e
 * (ENOENT: it was removed). */
int nlab_node_netns_open(const struct nlab_record *rec, const char *lab,
			 const char *node, struct nlab_err *e);

/* Was node @node of @lab stopped by `netlab stop` (NODE.stopped names
 * the newest supervisor @rec records for it)?  Only meaningful when that
 * supervisor is gone. */
bool nlab_node_stop_requested(const char *lab, const struct nlab_record *rec,
			      const char *node);

/* The state file of a node stopped on purpose. */
#define NLAB_STOPPED_SUFFIX ".stopped"

#endif
