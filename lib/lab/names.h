/* SPDX-License-Identifier: MIT */
/*
 * Run-time name errors that point the way: a lab, node or interface that
 * does not exist is reported with what does exist and the nearest name,
 * "no lab named 'ncwbe'; running labs: demo, newbie (did you mean
 * 'newbie'?)".  The messages carry no errno text (e->errnum is ENOENT).
 */
#ifndef NLAB_NAMES_H
#define NLAB_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "topology/topology.h"

/* "running labs: a, b (did you mean 'a'?)", or "no labs are running",
 * for a lab named @lab that is not there. */
void nlab_labs_hint(const char *lab, char *buf, size_t len);

/* "no lab named 'x'; running labs: ...".  Returns -1. */
int nlab_err_no_lab(struct nlab_err *e, const char *lab);

/* "lab L has no node 'x'; its nodes: a, b (did you mean 'a'?)"; with
 * @switches, switches (bridge segments) are listed and count too.
 * Returns -1. */
int nlab_err_no_node(struct nlab_err *e, const struct nlab_topology *t,
		     const char *node, bool switches);

/* "node a has no interface 'eht0'; its interfaces: eth0, eth1 (did you
 * mean 'eth0'?)".  Returns -1. */
int nlab_err_no_iface(struct nlab_err *e, const struct nlab_node *n,
		      const char *ifname);

/* The same for a switch's interfaces: its bridge and ports. */
int nlab_err_no_port(struct nlab_err *e, const struct nlab_segment *s,
		     const char *ifname);

#endif
