/* SPDX-License-Identifier: MIT */
/* IPv4/IPv6 addresses and prefixes as the topology writes them. */
#ifndef NLAB_PREFIX_H
#define NLAB_PREFIX_H

#include <stdbool.h>
#include <stdint.h>

#include "topology/topology.h"

/* A plain address, IPv4 dotted quad or IPv6.  Returns the family, or 0. */
int nlab_parse_addr(const char *s, uint8_t addr[16]);

/*
 * ADDRESS/LEN (the address as written: host bits may be set).  Returns 0,
 * or -1 with a reason in @why (at least 128 bytes, or NULL) naming @s.  A
 * missing /LEN is an error unless @bare_len is not NULL; then the address
 * is taken whole (/32 or /128) and *bare_len is set.
 */
int nlab_parse_prefix_ex(const char *s, struct nlab_prefix *p, char *why,
			 bool *bare_len);
#define nlab_parse_prefix(s, p, why) nlab_parse_prefix_ex(s, p, why, NULL)

/* Is @addr (of @family) inside @p? */
bool nlab_prefix_contains(const struct nlab_prefix *p, int family,
			  const uint8_t *addr);
/* @p with its host bits cleared. */
struct nlab_prefix nlab_prefix_network(const struct nlab_prefix *p);
/* Address bytes of a family: 4 or 16. */
#define NLAB_ADDR_LEN(family) ((family) == AF_INET ? 4 : 16)

#endif
