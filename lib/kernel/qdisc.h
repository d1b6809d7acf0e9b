/* SPDX-License-Identifier: MIT */
/*
 * Egress impairments as qdiscs, on libnl-route (its netem and tbf object
 * model; impairments are few, so this is not the hot path).
 *
 * Layout, as `tc` users build it (the netem documentation's recipe):
 *   rate only          root tbf            (works without netem)
 *   netem options only root netem
 *   both               root netem 1:, child tbf 10: under 1:1
 * netem delays/loses/duplicates first, then tbf shapes what is left, so
 * a rate limit does not also delay the packets netem drops.  Each change
 * installs the new root as 2: if the current one is 1: (and the other
 * way round; the tbf child as 20:), so one replace swaps the trees.
 */
#ifndef NLAB_QDISC_H
#define NLAB_QDISC_H

#include "base/err.h"
#include "topology/topology.h"

struct nl_sock;

/* Open a libnl route socket in the caller's current netns. */
struct nl_sock *nlab_qdisc_socket(struct nlab_err *e);
/* For a local that holds one: freed on every return path. */
void nlab_qdisc_socket_freep(struct nl_sock **sk);
#define cleanup_nlsock __attribute__((cleanup(nlab_qdisc_socket_freep)))

/* Make @imp the interface's whole impairment set (none: remove them),
 * all or nothing: on failure the old set is still (or again) in place. */
int nlab_qdisc_apply(struct nl_sock *sk, int ifindex,
		     const struct nlab_impair *imp, struct nlab_err *e);

/* Read the interface's impairments back from the kernel. */
int nlab_qdisc_read(struct nl_sock *sk, int ifindex, struct nlab_impair *imp,
		    struct nlab_err *e);

/* The same for many interfaces of one netns (`status`): every qdisc of
 * the netns listed once into *@cache (free it with nl_cache_free), then
 * read per interface. */
struct nl_cache;
int nlab_qdisc_cache(struct nl_sock *sk, struct nl_cache **cache,
		     struct nlab_err *e);
void nlab_qdisc_read_cached(struct nl_cache *cache, int ifindex,
			    struct nlab_impair *imp);

/* Does this kernel have the netem qdisc?  Probed once, in a throw-away
 * netns (without root: in a child, in a user namespace of its own).
 * 1 yes, 0 no, -1 with @e when the probe itself failed. */
int nlab_netem_available(struct nlab_err *e);

#endif
