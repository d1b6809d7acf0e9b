/* SPDX-License-Identifier: MIT */
/* Entering a running node, and looking at its processes. */
#ifndef NLAB_ENTER_H
#define NLAB_ENTER_H

#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"

/* A pidfd of the node's supervisor, checked against the record's start
 * time (pids are reused).  -1 with @e: no such lab or node (ENOENT), or
 * the node is down or stopped (its supervisor has exited; errnum 0). */
int nlab_node_pidfd(const char *lab, const char *node, pid_t *pid,
		    struct nlab_err *e);

struct nlab_record;
/* The same, from a record already read (status reads it once for all
 * nodes).  -1 when the node's recorded supervisor has exited (or is a
 * zombie), -2 when the record has no supervisor for the node. */
int nlab_record_supervisor(const struct nlab_record *rec, const char *node,
			   pid_t *pid);

/* Move the caller into the node's net, UTS, mount and PID namespaces.
 * Only children forked afterwards are in the node's PID namespace, and
 * the caller can no longer make threads: fork, then do the work. */
int nlab_node_enter(const char *lab, const char *node, struct nlab_err *e);

/* The same, for `exec`: the node's environment (nodeenv.h, with the
 * caller's @term) in *@env, read before entering.  Both from the node's
 * entry file (nodeentry.h) when it passes its checks, else from the
 * lab's topology and record. */
int nlab_node_enter_env(const char *lab, const char *node, const char *term,
			char ***env, struct nlab_err *e);

struct nlab_nodeproc {
	pid_t host_pid;
	pid_t node_pid; /* pid inside the node */
	char cmd[256];
};

/* Every process of the node (its PID namespace), sorted by node pid. */
int nlab_node_procs(const char *lab, const char *node,
		    struct nlab_nodeproc **procs, size_t *n,
		    struct nlab_err *e);

#endif
