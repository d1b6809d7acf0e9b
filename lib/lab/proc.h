/* SPDX-License-Identifier: MIT */
/* Node processes (supervisors) as the lab record knows them. */
#ifndef NLAB_PROC_H
#define NLAB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "lab/state.h"

/* Stop every process in @rec: SIGTERM, then SIGKILL after the grace
 * period; returns when all are gone.  A process that is already gone, or
 * whose pid now belongs to another process (start time differs), is left
 * alone; so is one that is not a supervisor of this lab (said through
 * @w). */
int nlab_proc_stop_all(const struct nlab_record *rec, const struct nlab_warn *w,
		       struct nlab_err *e);
/* The same for the supervisors of nodes @nodes[0..@n_nodes) only (any
 * order; `netlab stop`).  @nodes NULL: every node. */
int nlab_proc_stop_nodes(const struct nlab_record *rec,
			 const char *const *nodes, size_t n_nodes,
			 const struct nlab_warn *w, struct nlab_err *e);

/* A pidfd for the process of proc entry @r of @rec ("PID STARTTIME
 * NODE"), once it is pinned and checked to still be the supervisor of
 * NODE of the record's lab: comm "netlab-node", command line
 * "netlab-node LAB.NODE", PID 1 of its own PID namespace, inside the
 * node's netns (the identity the record holds for it).  -1 if it is gone
 * (exited, even as a zombie not yet reaped, or its pid now someone
 * else's, by start time); -1 with @why set (when
 * given) if it is alive but not such a supervisor.  *pid gets the pid. */
int nlab_proc_open(const struct nlab_record *rec, const struct nlab_rec *r,
		   pid_t *pid, char *why, size_t len);

/* The same for a supervisor known otherwise than by a record line (a
 * node's entry file, nodeentry.h): pid @pid started at @start, to be the
 * supervisor of node @node of lab @lab and inside the netns of identity
 * @netns (NULL: not known, so never such a supervisor). */
struct nlab_ident;
int nlab_proc_open_as(const char *lab, const char *node, pid_t pid,
		      unsigned long long start, const struct nlab_ident *netns,
		      char *why, size_t len);

/* Has the process of @pidfd exited (even if not yet reaped)? */
bool nlab_pidfd_exited(int pidfd);

/* Grace period between SIGTERM and SIGKILL, ms (default 5000). */
extern int nlab_grace_ms;

#endif
