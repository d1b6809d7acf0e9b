/* SPDX-License-Identifier: MIT */
/*
 * The names a lab's objects get on the host: a node's or switch's netns
 * (LAB.NAME), a switch's bridge and its ports.  Pure functions of the
 * topology, shared by `up`, `down` and the run-time commands.
 */
#ifndef NLAB_NSNAME_H
#define NLAB_NSNAME_H

#include <stddef.h>

#include "topology/topology.h"

/* The bridge device inside a switch's netns. */
#define NLAB_BRIDGE_NAME "br0"

/* The netns name of a node or switch: LAB.NAME. */
void nlab_ns_name(char *buf, size_t len, const char *lab, const char *name);

/* The switch-side port name of member @member of bridge segment @s:
 * "NODE.IFNAME" when it fits (node names hold no '.', so it is
 * unambiguous), else "pN". */
void nlab_port_name(char *buf, size_t len, const struct nlab_segment *s,
		    size_t member);

#endif
