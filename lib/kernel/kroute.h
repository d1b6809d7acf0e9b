/* SPDX-License-Identifier: MIT */
/*
 * A node's routes as its kernel has them, read over rtnetlink (a dump of
 * the main table), for the `route` checks of tests and their reports.
 */
#ifndef NLAB_KROUTE_H
#define NLAB_KROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "topology/topology.h"

#define NLAB_KROUTE_NH_MAX 16 /* next hops kept of a multipath route */

struct nlab_nexthop {
	int family; /* of gw; 0: none (a directly connected route) */
	uint8_t gw[16];
	int oif;
	char dev[NLAB_IFNAME_MAX + 1]; /* "" when unknown */
};

struct nlab_kroute {
	struct nlab_prefix dst; /* len 0: default */
	uint8_t type;		/* RTN_UNICAST, RTN_BLACKHOLE, ... */
	uint8_t protocol;	/* RTPROT_KERNEL, RTPROT_STATIC, 188 ospf */
	uint8_t scope;
	uint32_t metric;
	bool has_metric;
	struct nlab_nexthop nh[NLAB_KROUTE_NH_MAX];
	size_t n_nh;
};

/*
 * The routes of @family in the main table of the calling thread's netns,
 * in the kernel's order.  Returns 0, or -1 with @e.
 */
int nlab_kroutes_read(int family, struct nlab_kroute **out, size_t *n,
		      struct nlab_err *e);

/*
 * Does @r go to @dst (exactly that prefix), through gateway @gw (of
 * @gw_family; 0: any) and device @dev ("": any), both on one next hop?
 */
bool nlab_kroute_match(const struct nlab_kroute *r,
		       const struct nlab_prefix *dst, int gw_family,
		       const uint8_t *gw, const char *dev);

/* As `ip route` shows it: "10.0.3.0/24 via 10.0.13.2 dev eth1 proto ospf
 * metric 20". */
const char *nlab_kroute_str(const struct nlab_kroute *r, char *buf, size_t len);

#endif
