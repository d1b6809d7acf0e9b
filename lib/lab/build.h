/* SPDX-License-Identifier: MIT */
/*
 * The pieces of a lab that `up` makes for the whole lab at once and
 * `apply` one at a time: a namespace's settings at birth, a segment's
 * veth pair, a switch's port.  The requests are queued on a batching
 * socket (nl.h) of the namespace named; the caller flushes it.
 */
#ifndef NLAB_BUILD_H
#define NLAB_BUILD_H

#include <stddef.h>

#include "base/err.h"
#include "kernel/nl.h"
#include "lab/state.h"
#include "topology/topology.h"

/* Make a lab's namespace NAME, recorded in @st's record: unshare a new
 * network namespace, record it with its identity, then name it
 * (nlab_netns_bind), last.  The calling thread is left inside the new
 * namespace; *nsfd is an fd of it.  On failure no name is left behind.
 * The only way to make a namespace `down` will remove: it removes none
 * without its recorded identity. */
int nlab_lab_netns_make(struct nlab_state *st, const char *name, int *nsfd,
			struct nlab_err *e);

/* Settings made from inside a new namespace at birth (the caller is in
 * it): a node's @n (no DAD, `forward`), or, for a switch (@n NULL), no
 * host firewall on its bridge. */
int nlab_ns_birth(const struct nlab_node *n, struct nlab_err *e);
/* The same through @root, a /proc/sys of nlab_sysctl_root() (or -1: the
 * host's), which may serve several namespaces in turn. */
int nlab_ns_birth_at(int root, const struct nlab_node *n, struct nlab_err *e);

/* The veth pair of veth segment @s, queued on @nl, a socket in the netns
 * of its first member's node; the second end goes into @fd_b, its
 * node's netns.  @idx_a, @idx_b: the ends' ifindexes (up chooses them,
 * see up.c), 0 for the kernel's choice. */
void nlab_queue_veth(struct nlab_nl *nl, const struct nlab_segment *s, int fd_b,
		     int idx_a, int idx_b);

/* The port of member @m of bridge segment @s, queued on @nl, a socket in
 * the switch's netns, whose bridge is @br; the member's end goes into
 * @fd_node, its node's netns.  @idx_port, @idx_node: the ends'
 * ifindexes, 0 for the kernel's choice. */
void nlab_queue_port(struct nlab_nl *nl, const struct nlab_segment *s, size_t m,
		     int br, int fd_node, int idx_port, int idx_node);

#endif
