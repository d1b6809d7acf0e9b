/* SPDX-License-Identifier: MIT */
/*
 * Reachability between a running lab's nodes: every node pings every
 * global address of every other node, all at once, from raw ICMP sockets
 * opened inside each node's netns (no ping binary, and no dependence on
 * net.ipv4.ping_group_range, which is "1 0" in a fresh netns).
 */
#ifndef NLAB_PING_H
#define NLAB_PING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "topology/topology.h"

struct nlab_ping_opts {
	unsigned count;	      /* probes per address (rounds) */
	unsigned interval_ms; /* between rounds */
	unsigned timeout_ms;  /* wait for replies after the last round */
	int family;	      /* AF_INET, AF_INET6, or 0 for both */
	bool until_each;      /* stop once every probe has had a reply */
};

/* One (source node, target address) pair and what became of it. */
struct nlab_ping_probe {
	const struct nlab_node *from, *to;
	int family;
	uint8_t addr[16];
	unsigned sent, received;
	bool skipped; /* from or to a missing node: not sent */
};

/*
 * Every pair to probe in @t: from each node to each global address (not
 * link-local: fe80::/10, 169.254.0.0/16) of each other node, in each family
 * (restricted to @family unless 0) the source has a global address of.
 * Ordered by source node, then target node, then address.  Never fails.
 */
void nlab_ping_plan(const struct nlab_topology *t, int family,
		    struct nlab_ping_probe **probes, size_t *n);

/*
 * Which nodes of @t have lost their netns (removed behind netlab's back):
 * sets missing[i] for t->nodes[i] and marks every probe from or to such
 * a node skipped.  Returns how many nodes are missing.
 */
size_t nlab_ping_missing(const char *lab, const struct nlab_topology *t,
			 struct nlab_ping_probe *probes, size_t n,
			 bool *missing);

/*
 * A host's share of a lab over several hosts (lab/multihost.h): every
 * probe not from a node on @host skipped, and missing[i] set for each
 * node of @host whose netns is gone (its probes skipped too).
 */
void nlab_ping_only_from(const char *lab, const struct nlab_topology *t,
			 const struct nlab_host *host,
			 struct nlab_ping_probe *probes, size_t n,
			 bool *missing);

/*
 * Send @o->count rounds of echo requests for every probe of lab @lab and
 * count the replies into sent/received; skipped probes are not sent.
 * With @o->until_each it ends as soon as every probe has had a reply
 * (a `reach` check: rounds go on until then, or until the last).
 * Returns 0 (whatever the loss), or
 * -1 with @e when a node's netns or socket could not be had.
 */
int nlab_ping_run(const char *lab, struct nlab_ping_probe *probes, size_t n,
		  const struct nlab_ping_opts *o, struct nlab_err *e);

/* Loss in whole percent: 0 only when nothing was lost, 100 only when
 * nothing came back (so a partial loss never reads as 0% or 100%). */
unsigned nlab_ping_loss_pct(unsigned long sent, unsigned long received);

/* What the probes from one node to another add up to: a matrix cell. */
struct nlab_ping_cell {
	unsigned long sent, received;
	size_t addrs, answered; /* addresses pinged; those that answered */
	size_t skipped;		/* not pinged: a node's netns is missing */
};

/*
 * A cell as `netlab ping` prints it, in addresses (what the exit status
 * goes by): "." each answered every ping, "~" each answered but pings
 * were lost, "A/N" A of the N addresses answered, "X" none did, "-"
 * nothing to ping (no family in common), "?" not pinged (a node's netns
 * is missing), "\" the node itself (@self).
 */
const char *nlab_ping_cell_str(const struct nlab_ping_cell *c, bool self,
			       char *buf, size_t len);

#endif
