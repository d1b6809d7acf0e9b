/* SPDX-License-Identifier: MIT */
/*
 * VXLAN over rtnetlink (libmnl, as the rest of `up`'s requests): what
 * stitches a segment across hosts (lab/multihost.h).
 */
#ifndef NLAB_VXLAN_H
#define NLAB_VXLAN_H

#include <stdint.h>

#include "kernel/nl.h"

#define NLAB_VXLAN_PORT 4789 /* IANA's VXLAN port */

struct nlab_vxlan {
	const char *name;
	int netns_fd;	      /* where the device goes (-1: here) */
	uint32_t vni;	      /* 1..2^24-1 */
	int family;	      /* of local: AF_INET or AF_INET6 */
	const uint8_t *local; /* the underlay address packets leave from */
	uint16_t port;	      /* UDP destination port */
	uint32_t mtu;	      /* 0: the kernel's default */
};

/* A VXLAN device whose UDP socket stays in the socket's own (underlay)
 * namespace while the device itself is made in @v->netns_fd's, so it
 * never shows in the underlay's. */
void nlab_vxlan_add(struct nlab_nl *nl, const struct nlab_vxlan *v,
		    const char *what);

/* Head-end replication: an all-zero FDB entry of device @ifindex sending
 * a copy of every unknown, broadcast or multicast frame to @dst. */
void nlab_vxlan_fdb_append(struct nlab_nl *nl, int ifindex, int family,
			   const uint8_t *dst, const char *what);

/* Delete link @name (a VXLAN device: its VNI is free again at once,
 * where a namespace's removal frees it only when the kernel gets to it). */
void nlab_link_del_name(struct nlab_nl *nl, const char *name, const char *what);

/* Enslave link @name to @master (ifindex) and set it up. */
void nlab_link_master_up(struct nlab_nl *nl, const char *name, int master,
			 const char *what);

#endif
