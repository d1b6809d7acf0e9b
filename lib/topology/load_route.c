// SPDX-License-Identifier: MIT
/*
 * route = PREFIX|default via GATEWAY [dev IFNAME] [metric N], ...
 *
 * The family follows the gateway.  A route is checked once the whole node
 * is read (interfaces may come after it): its gateway must lie in one of
 * the node's own subnets (or the subnets of `dev`), as the kernel wants a
 * gateway it can reach on a link.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "topology/load.h"
#include "topology/prefix.h"
#include "base/text.h"
#include "base/util.h"

static const char *addr_str(int family, const uint8_t *a, char *buf, size_t len)
{
	if (!inet_ntop(family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

/* "default" or "10.0.34.0/24", for messages. */
static const char *dst_str(const struct nlab_route *r, char *buf, size_t len)
{
	if (r->is_default)
		snprintf(buf, len, "default");
	else
		nlab_prefix_str(&r->dst, buf, len);
	return buf;
}

static int parse_dst(struct loadctx *c, const struct ini_key *k, const char *w,
		     struct nlab_route *r)
{
	struct nlab_prefix net;
	char why[128], a[64], b[64];
	bool bare;

	if (!strcmp(w, "default")) {
		r->is_default = true;
		return 0;
	}
	/* a bare address is a host route, as `ip route` reads it */
	if (nlab_parse_prefix_ex(w, &r->dst, why, &bare)) {
		load_error(c, k->line, k->name,
			   "%s (a destination is PREFIX/LEN or default)", why);
		return -1;
	}
	net = nlab_prefix_network(&r->dst);
	if (memcmp(net.addr, r->dst.addr, 16)) {
		load_error(c, k->line, k->name,
			   "%s has host bits set (the network is %s)",
			   nlab_prefix_str(&r->dst, a, sizeof(a)),
			   nlab_prefix_str(&net, b, sizeof(b)));
		return -1;
	}
	return 0;
}

static int parse_gateway(struct loadctx *c, const struct ini_key *k,
			 const char *w, struct nlab_route *r)
{
	char d[64];

	if (!w) {
		load_error(c, k->line, k->name,
			   "'via' needs a gateway address");
		return -1;
	}
	r->gw_family = nlab_parse_addr(w, r->gw);
	if (!r->gw_family) {
		load_error(c, k->line, k->name,
			   "gateway '%s' is not an address%s", w,
			   strchr(w, '/') ? " (write it without /LEN)" : "");
		return -1;
	}
	if (r->is_default) {
		r->dst.family = r->gw_family;
	} else if (r->dst.family != r->gw_family) {
		load_error(c, k->line, k->name,
			   "%s via %s: the destination is %s but the gateway "
			   "is %s",
			   dst_str(r, d, sizeof(d)), w,
			   r->dst.family == AF_INET ? "IPv4" : "IPv6",
			   r->gw_family == AF_INET ? "IPv4" : "IPv6");
		return -1;
	}
	return 0;
}

/* [dev IFNAME] [metric N] */
static int parse_tail(struct loadctx *c, const struct ini_key *k, char **cur,
		      struct nlab_route *r)
{
	char *w, *arg;
	uint64_t v;

	while ((w = nlab_next_word(cur))) {
		bool dev = !strcmp(w, "dev");

		if (!dev && strcmp(w, "metric")) {
			load_error(c, k->line, k->name,
				   "unexpected '%s' (expected 'dev IFNAME' or "
				   "'metric N')",
				   w);
			return -1;
		}
		arg = nlab_next_word(cur);
		if (!arg) {
			load_error(c, k->line, k->name, "'%s' needs %s", w,
				   dev ? "an interface name" : "a number");
			return -1;
		}
		if (dev && r->dev[0]) {
			load_error(c, k->line, k->name, "'dev' is given twice");
			return -1;
		}
		if (dev && !nlab_valid_ifname(arg)) {
			load_error(c, k->line, k->name,
				   "dev %s: not a valid interface name", arg);
			return -1;
		}
		if (dev) {
			snprintf(r->dev, sizeof(r->dev), "%s", arg);
			continue;
		}
		if (r->has_metric) {
			load_error(c, k->line, k->name,
				   "'metric' is given twice");
			return -1;
		}
		if (load_uint(c, k, "metric", arg, 0, UINT32_MAX, &v))
			return -1;
		r->metric = (uint32_t)v;
		r->has_metric = true;
	}
	return 0;
}

static void parse_route(struct loadctx *c, struct nlab_node *n,
			const struct ini_key *k, char *item)
{
	struct nlab_route r = { .line = k->line };
	char *cur = item, *w = nlab_next_word(&cur);
	char d[64];

	if (parse_dst(c, k, w, &r))
		return;
	w = nlab_next_word(&cur);
	if (!w || strcmp(w, "via")) {
		load_error(c, k->line, k->name,
			   "%s: expected 'via GATEWAY'%s%s%s",
			   dst_str(&r, d, sizeof(d)), w ? ", not '" : "",
			   w ? w : "", w ? "'" : "");
		return;
	}
	if (parse_gateway(c, k, nlab_next_word(&cur), &r) ||
	    parse_tail(c, k, &cur, &r))
		return;
	*(struct nlab_route *)load_push(&n->routes, n->n_routes++, sizeof(r)) =
		r;
}

void load_routes(struct loadctx *c, void *node, const struct ini_key *k)
{
	load_each_item(c, node, k, parse_route);
}

/* ---- once the node is read ------------------------------------------- */

static bool own_address(const struct nlab_node *n, const struct nlab_route *r)
{
	for (size_t i = 0; i < n->n_ifaces; i++)
		for (size_t a = 0; a < n->ifaces[i].n_addrs; a++)
			if (n->ifaces[i].addrs[a].family == r->gw_family &&
			    !memcmp(n->ifaces[i].addrs[a].addr, r->gw, 16))
				return true;
	return false;
}

static bool on_link(const struct nlab_iface *i, const struct nlab_route *r)
{
	for (size_t a = 0; a < i->n_addrs; a++)
		if (nlab_prefix_contains(&i->addrs[a], r->gw_family, r->gw))
			return true;
	return false;
}

static void check_gateway(struct loadctx *c, const struct nlab_node *n,
			  const struct nlab_route *r)
{
	const struct nlab_iface *dev = NULL;
	bool link_local = r->gw_family == AF_INET6 && r->gw[0] == 0xfe &&
			  (r->gw[1] & 0xc0) == 0x80;
	char gw[INET6_ADDRSTRLEN];

	addr_str(r->gw_family, r->gw, gw, sizeof(gw));
	if (r->dev[0]) {
		dev = nlab_node_iface(n, r->dev);
		if (!dev) {
			load_error(c, r->line, "route",
				   "dev %s: node %s has no such interface",
				   r->dev, n->name);
			return;
		}
	}
	if (own_address(n, r)) {
		load_error(c, r->line, "route",
			   "gateway %s is an address of node %s itself", gw,
			   n->name);
		return;
	}
	/* fe80::/10 is on every link; which one is for `dev` to say */
	if (link_local) {
		if (!dev)
			load_error(c, r->line, "route",
				   "link-local gateway %s needs 'dev IFNAME'",
				   gw);
		return;
	}
	if (dev) {
		if (!on_link(dev, r))
			load_error(c, r->line, "route",
				   "gateway %s is not in a subnet of %s", gw,
				   dev->name);
		return;
	}
	for (size_t i = 0; i < n->n_ifaces; i++)
		if (on_link(&n->ifaces[i], r))
			return;
	load_error(c, r->line, "route",
		   "gateway %s is not reachable from any interface of node %s",
		   gw, n->name);
}

void load_check_routes(struct loadctx *c, const struct nlab_node *n)
{
	for (size_t i = 0; i < n->n_routes; i++) {
		const struct nlab_route *r = &n->routes[i];
		char d[64];

		check_gateway(c, n, r);
		for (size_t j = 0; j < i; j++) {
			const struct nlab_route *o = &n->routes[j];

			if (o->dst.family == r->dst.family &&
			    o->dst.len == r->dst.len &&
			    !memcmp(o->dst.addr, r->dst.addr, 16) &&
			    o->metric == r->metric) {
				load_error(c, r->line, "route",
					   "%s (%s) is given twice",
					   dst_str(r, d, sizeof(d)),
					   r->dst.family == AF_INET ? "IPv4"
								    : "IPv6");
				break;
			}
		}
	}
}
