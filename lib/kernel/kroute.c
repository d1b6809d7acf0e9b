// SPDX-License-Identifier: MIT
/*
 * Reading routes back: one RTM_GETROUTE dump on libmnl, opened inside the
 * node's netns.  libmnl rather than libnl's route cache: a check reads a
 * node's table every 0.2 s while it waits, and needs only a few
 * attributes (next hops, including RTA_VIA and RTA_MULTIPATH), which are
 * simplest to take straight from the messages.
 */
#include "kernel/kroute.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "topology/prefix.h"
#include "base/util.h"

struct dump {
	int family;
	struct nlab_kroute *routes;
	size_t n, cap;
};

/* RTA_GATEWAY in the route's family, or RTA_VIA in any. */
static void take_gw(struct nlab_nexthop *nh, int family, const struct nlattr *a)
{
	size_t len = mnl_attr_get_payload_len(a);
	const uint8_t *p = mnl_attr_get_payload(a);

	if (mnl_attr_get_type(a) == RTA_GATEWAY &&
	    len == NLAB_ADDR_LEN(family)) {
		nh->family = family;
		memcpy(nh->gw, p, len);
	} else if (mnl_attr_get_type(a) == RTA_VIA && len >= 2) {
		uint16_t f;

		memcpy(&f, p, 2);
		if ((f == AF_INET || f == AF_INET6) &&
		    len - 2 >= NLAB_ADDR_LEN(f)) {
			nh->family = f;
			memcpy(nh->gw, p + 2, NLAB_ADDR_LEN(f));
		}
	}
}

/* The next hops of RTA_MULTIPATH: rtnexthop records, each with its own
 * attributes after it. */
static void take_multipath(struct nlab_kroute *r, int family,
			   const struct nlattr *mp)
{
	const char *p = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp);

	while (left >= sizeof(struct rtnexthop) &&
	       r->n_nh < NLAB_KROUTE_NH_MAX) {
		const struct rtnexthop *rtnh = (const void *)p;
		struct nlab_nexthop *nh = &r->nh[r->n_nh++];
		size_t len = rtnh->rtnh_len, off = RTNH_ALIGN(sizeof(*rtnh));

		if (len < sizeof(*rtnh) || len > left)
			break;
		nh->oif = rtnh->rtnh_ifindex;
		while (off + sizeof(struct nlattr) <= len) {
			const struct nlattr *a = (const void *)(p + off);

			if (a->nla_len < sizeof(*a) || off + a->nla_len > len)
				break;
			take_gw(nh, family, a);
			off += MNL_ALIGN(a->nla_len);
		}
		p += RTNH_ALIGN(len);
		left = left > RTNH_ALIGN(len) ? left - RTNH_ALIGN(len) : 0;
	}
}

struct attrs {
	const struct nlattr *tb[RTA_MAX + 1];
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	int type = mnl_attr_get_type(a);

	if (type >= 0 && type <= RTA_MAX)
		at->tb[type] = a;
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct dump *d = data;
	struct attrs at = { 0 };
	struct nlab_kroute *r;
	uint32_t table = rtm->rtm_table;
	size_t alen;

	if (rtm->rtm_family != d->family || (rtm->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &at);
	if (at.tb[RTA_TABLE])
		table = mnl_attr_get_u32(at.tb[RTA_TABLE]);
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	xgrow(&d->routes, &d->cap, d->n + 1, sizeof(*d->routes));
	r = &d->routes[d->n++];
	memset(r, 0, sizeof(*r));
	alen = NLAB_ADDR_LEN(d->family);
	r->dst.family = d->family;
	r->dst.len = rtm->rtm_dst_len;
	if (at.tb[RTA_DST] && mnl_attr_get_payload_len(at.tb[RTA_DST]) == alen)
		memcpy(r->dst.addr, mnl_attr_get_payload(at.tb[RTA_DST]), alen);
	r->type = rtm->rtm_type;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	if (at.tb[RTA_PRIORITY]) {
		r->metric = mnl_attr_get_u32(at.tb[RTA_PRIORITY]);
		r->has_metric = true;
	}
	if (at.tb[RTA_MULTIPATH]) {
		take_multipath(r, d->family, at.tb[RTA_MULTIPATH]);
		return MNL_CB_OK;
	}
	if (at.tb[RTA_GATEWAY] || at.tb[RTA_VIA] || at.tb[RTA_OIF]) {
		struct nlab_nexthop *nh = &r->nh[r->n_nh++];

		if (at.tb[RTA_GATEWAY])
			take_gw(nh, d->family, at.tb[RTA_GATEWAY]);
		if (at.tb[RTA_VIA])
			take_gw(nh, d->family, at.tb[RTA_VIA]);
		if (at.tb[RTA_OIF])
			nh->oif = (int)mnl_attr_get_u32(at.tb[RTA_OIF]);
	}
	return MNL_CB_OK;
}

/* The dump itself, in the caller's netns. */
static int dump_routes(struct dump *d, struct nlab_err *e)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	uint32_t seq = (uint32_t)time(NULL), portid;
	int ret = -1;

	if (!nl)
		return nlab_err_set(e, errno, "netlink socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		nlab_err_set(e, errno, "netlink bind");
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)d->family;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		nlab_err_set(e, errno, "netlink send");
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		int r;

		if (n < 0) {
			nlab_err_set(e, errno, "read the routes");
			goto out;
		}
		r = mnl_cb_run(buf, (size_t)n, seq, portid, route_cb, d);
		if (r < 0) {
			nlab_err_set(e, errno, "read the routes");
			goto out;
		}
		if (r == MNL_CB_STOP)
			break;
	}
	ret = 0;
out:
	mnl_socket_close(nl);
	return ret;
}

int nlab_kroutes_read(int family, struct nlab_kroute **out, size_t *n,
		      struct nlab_err *e)
{
	struct dump d = { .family = family };

	*out = NULL;
	*n = 0;
	if (dump_routes(&d, e)) {
		free(d.routes);
		return -1;
	}
	/* Names while still in the namespace: its ifindexes are its own. */
	for (size_t i = 0; i < d.n; i++)
		for (size_t j = 0; j < d.routes[i].n_nh; j++) {
			struct nlab_nexthop *nh = &d.routes[i].nh[j];
			char name[IF_NAMESIZE];

			if (nh->oif && if_indextoname((unsigned)nh->oif, name))
				snprintf(nh->dev, sizeof(nh->dev), "%s", name);
		}
	*out = d.routes;
	*n = d.n;
	return 0;
}

bool nlab_kroute_match(const struct nlab_kroute *r,
		       const struct nlab_prefix *dst, int gw_family,
		       const uint8_t *gw, const char *dev)
{
	struct nlab_prefix net = nlab_prefix_network(&r->dst);

	if (r->dst.family != dst->family || r->dst.len != dst->len ||
	    memcmp(net.addr, dst->addr, NLAB_ADDR_LEN(dst->family)))
		return false;
	if (!gw_family && !dev[0])
		return true;
	for (size_t i = 0; i < r->n_nh; i++) {
		const struct nlab_nexthop *nh = &r->nh[i];

		if (gw_family && (nh->family != gw_family ||
				  memcmp(nh->gw, gw, NLAB_ADDR_LEN(gw_family))))
			continue;
		if (dev[0] && strcmp(nh->dev, dev))
			continue;
		return true;
	}
	return false;
}

struct name_row {
	unsigned v;
	const char *name;
};

static const char *table_str(const struct name_row *t, size_t n, unsigned v,
			     char *buf, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	snprintf(buf, len, "%u", v);
	return buf;
}

/* Names as iproute2's rt_protos and rtnl_rtntype give them. */
static const struct name_row protos[] = {
	{ RTPROT_REDIRECT, "redirect" },
	{ RTPROT_KERNEL, "kernel" },
	{ RTPROT_BOOT, "boot" },
	{ RTPROT_STATIC, "static" },
	{ RTPROT_RA, "ra" },
	{ RTPROT_DHCP, "dhcp" },
	{ RTPROT_ZEBRA, "zebra" },
	{ RTPROT_BIRD, "bird" },
	{ RTPROT_BABEL, "babel" },
	{ RTPROT_BGP, "bgp" },
	{ RTPROT_ISIS, "isis" },
	{ RTPROT_OSPF, "ospf" },
	{ RTPROT_RIP, "rip" },
	{ RTPROT_EIGRP, "eigrp" },
};
static const struct name_row types[] = {
	{ RTN_UNICAST, "unicast" },
	{ RTN_LOCAL, "local" },
	{ RTN_BROADCAST, "broadcast" },
	{ RTN_ANYCAST, "anycast" },
	{ RTN_MULTICAST, "multicast" },
	{ RTN_BLACKHOLE, "blackhole" },
	{ RTN_UNREACHABLE, "unreachable" },
	{ RTN_PROHIBIT, "prohibit" },
	{ RTN_THROW, "throw" },
	{ RTN_NAT, "nat" },
};

static void put(char *buf, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n;
}

/* A gateway of the other family (an IPv4 route via IPv6) says so, as
 * `ip route` does. */
static void put_nh(char *buf, size_t len, size_t *used, int family,
		   const struct nlab_nexthop *nh)
{
	char a[INET6_ADDRSTRLEN];

	if (nh->family)
		put(buf, len, used, " via %s%s",
		    nh->family != family ? "inet6 " : "",
		    inet_ntop(nh->family, nh->gw, a, sizeof(a)));
	if (nh->dev[0])
		put(buf, len, used, " dev %s", nh->dev);
	else if (nh->oif)
		put(buf, len, used, " dev #%d", nh->oif);
}

const char *nlab_kroute_str(const struct nlab_kroute *r, char *buf, size_t len)
{
	char p[64], n[16];
	size_t used = 0;

	buf[0] = '\0';
	if (r->type != RTN_UNICAST)
		put(buf, len, &used, "%s ",
		    table_str(types, ARRAY_SIZE(types), r->type, n, sizeof(n)));
	if (!r->dst.len)
		put(buf, len, &used, "default");
	else
		put(buf, len, &used, "%s",
		    nlab_prefix_str(&r->dst, p, sizeof(p)));
	if (r->n_nh == 1)
		put_nh(buf, len, &used, r->dst.family, &r->nh[0]);
	put(buf, len, &used, " proto %s",
	    table_str(protos, ARRAY_SIZE(protos), r->protocol, n, sizeof(n)));
	if (r->scope == RT_SCOPE_LINK)
		put(buf, len, &used, " scope link");
	else if (r->scope == RT_SCOPE_HOST)
		put(buf, len, &used, " scope host");
	if (r->has_metric)
		put(buf, len, &used, " metric %u", r->metric);
	for (size_t i = 0; r->n_nh > 1 && i < r->n_nh; i++) {
		put(buf, len, &used, " nexthop");
		put_nh(buf, len, &used, r->dst.family, &r->nh[i]);
	}
	return buf;
}
