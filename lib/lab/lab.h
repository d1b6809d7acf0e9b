/* SPDX-License-Identifier: MIT */
/* A lab's lifecycle: `up` (validate → plan → apply, all or nothing) and
 * `down` (the record walked backwards). */
#ifndef NLAB_LAB_H
#define NLAB_LAB_H

#include <signal.h>
#include <stddef.h>

#include "base/err.h"
#include "topology/topology.h"

struct nlab_up_opts {
	/* Set asynchronously (by a signal handler) to abandon `up`; it is
	 * checked between steps and leads to a full rollback. */
	volatile sig_atomic_t *stop;
	/* Called as work progresses, for a progress line on a terminal.
	 * Every phase ends with a call where @done == @total, in this order:
	 * preflight, state, namespaces, bridges, links, addresses, qdiscs,
	 * sysctls, hosts, nodes (`up --timings` times them so); a host's
	 * part of a lab over several hosts adds stitch (multihost.h). */
	void (*progress)(void *data, const char *phase, size_t done,
			 size_t total);
	void *progress_data;
};

/* Build the lab.  Returns 0, or -1 with @e after removing everything it
 * made.  @e->errnum is EINTR when *opts->stop interrupted it, EALREADY
 * when a lab of that name is up already (nothing was made). */
int nlab_lab_up(const struct nlab_topology *t, const struct nlab_up_opts *o,
		struct nlab_err *e);

/* Remove a lab from its record.  Returns 0 when removed, 1 when there was
 * no such lab, -1 with @e on failure (what could be removed is gone). */
int nlab_lab_down(const char *lab, struct nlab_err *e);
/* The same, saying through @w what it left alone: record lines it
 * skipped (not this lab's to act on) and objects that are no longer what
 * `up` made.  Those do not make it fail. */
int nlab_lab_down_warn(const char *lab, const struct nlab_warn *w,
		       struct nlab_err *e);
struct nlab_down_opts {
	const struct nlab_warn *w; /* as for nlab_lab_down_warn */
	/* Called at the end of each phase, in this order: record, files,
	 * processes, namespaces, state (`down --timings` times them so);
	 * state only when the lab is gone. */
	void (*phase)(void *data, const char *name);
	void *phase_data;
};
int nlab_lab_down_opts(const char *lab, const struct nlab_down_opts *o,
		       struct nlab_err *e);

/* Load a running lab's stored topology (/run/netlab/LAB/topology.ini).
 * Returns 0, or -1 with @e (ENOENT: no such lab). */
int nlab_lab_topology(const char *lab, struct nlab_topology **t,
		      struct nlab_err *e);
/* The same for another topology file of its state directory: the
 * topology a running `apply` is bringing the lab to (NLAB_APPLY_FILE). */
int nlab_lab_topology_file(const char *lab, const char *file,
			   struct nlab_topology **t, struct nlab_err *e);
/* Written by `apply` before it changes anything, removed once it is
 * done or rolled back: while it exists, the lab's record may name the
 * nodes and switches of either topology. */
#define NLAB_APPLY_FILE "topology.apply.ini"

/* Open the netns of @kind ("node" or "switch") @name of lab @lab and
 * enter it (setns), after saving the current one in *orig (close it
 * after setns'ing back with nlab_lab_leave).  A netns removed behind
 * netlab's back is ENOENT in e->errnum, with a message that names it:
 * "node a of lab L is missing (its netns L.a was removed)". */
int nlab_lab_enter(const char *lab, const char *kind, const char *name,
		   int *orig, struct nlab_err *e);
/* The same for a node. */
int nlab_lab_enter_netns(const char *lab, const char *name, int *orig,
			 struct nlab_err *e);
int nlab_lab_leave_netns(int orig, struct nlab_err *e);

#endif
