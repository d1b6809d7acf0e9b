/* SPDX-License-Identifier: MIT */
/* Builders for the rtnetlink requests `up` queues: one function per kind
 * of object, each filling one message on a batching socket (nl.h). */
#ifndef NLAB_RTNL_H
#define NLAB_RTNL_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/nl.h"
#include "topology/topology.h"

/* One end of a veth pair, or a bridge. */
struct nlab_link_spec {
	const char *name;
	int netns_fd;	    /* -1: the socket's own namespace */
	const uint8_t *mac; /* NULL: random */
	uint32_t mtu;	    /* 0: default */
	int master;	    /* ifindex of a bridge to enslave to, or 0 */
	int ifindex;	    /* 0: the kernel's choice (see nlab_rtnl_veth) */
};

/* Set a link up (by index).  @what describes it for errors. */
void nlab_rtnl_link_up(struct nlab_nl *nl, int ifindex, bool up,
		       const char *what);
/* A veth pair with both ends placed directly in their namespaces; @a is
 * up, @b is to be brought up by its namespace's socket. */
void nlab_rtnl_veth(struct nlab_nl *nl, const struct nlab_link_spec *a,
		    const struct nlab_link_spec *b, const char *what);
/* A bridge, up, with the switch's settings; @ifindex 0: the kernel's
 * choice. */
void nlab_rtnl_bridge(struct nlab_nl *nl, const char *name, int ifindex,
		      const struct nlab_switch *sw, const char *what);
/* Set a link up or down by name (ifindex 0 makes the kernel look the
 * name up). */
void nlab_rtnl_link_up_name(struct nlab_nl *nl, const char *name, bool up,
			    const char *what);
/* An address, IPv6 without duplicate address detection.  With @replace,
 * one that exists already is not an error (`link up` restores them). */
void nlab_rtnl_addr(struct nlab_nl *nl, int ifindex,
		    const struct nlab_prefix *p, bool replace,
		    const char *what);
void nlab_rtnl_route(struct nlab_nl *nl, const struct nlab_route *r, int oif,
		     bool replace, const char *what);
/* Delete an address, or a static route of the main table (`apply`). */
void nlab_rtnl_addr_del(struct nlab_nl *nl, int ifindex,
			const struct nlab_prefix *p, const char *what);
void nlab_rtnl_route_del(struct nlab_nl *nl, const struct nlab_route *r,
			 int oif, const char *what);
/* Delete a link (`apply`): a veth takes its peer with it. */
void nlab_rtnl_link_del(struct nlab_nl *nl, int ifindex, const char *what);
/* Set a link's MTU (0: left) and MAC address (NULL: left) in place. */
void nlab_rtnl_link_set(struct nlab_nl *nl, int ifindex, uint32_t mtu,
			const uint8_t *mac, const char *what);

#endif
