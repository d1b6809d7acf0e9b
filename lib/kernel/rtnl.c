// SPDX-License-Identifier: MIT
/* Raw rtnetlink on libmnl: these requests are the hot path of `up`, sent
 * in batches, and need attributes (peer namespace fds, NODAD) that are
 * simplest to state directly. */
#include "kernel/rtnl.h"

#include "topology/prefix.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>
#include <sys/socket.h>

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int ifindex, bool up)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (up) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	return ifi;
}

void nlab_rtnl_link_up(struct nlab_nl *nl, int ifindex, bool up,
		       const char *what)
{
	struct nlmsghdr *nlh = nlab_nl_req(nl, RTM_NEWLINK, 0, "%s", what);
	struct ifinfomsg *ifi = put_ifinfo(nlh, ifindex, true);

	if (!up)
		ifi->ifi_flags = 0;
}

static void put_link_attrs(struct nlmsghdr *nlh, const struct nlab_link_spec *s)
{
	mnl_attr_put_strz(nlh, IFLA_IFNAME, s->name);
	if (s->netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, s->netns_fd);
	if (s->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, s->mac);
	if (s->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, s->mtu);
	if (s->master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, s->master);
}

/* One transmit queue, the number a veth uses unless told otherwise: made
 * with one queue per CPU, a veth drops back to one once registered, and
 * that drop waits for an expedited RCU grace period under RTNL, once for
 * each end (netif_set_real_num_tx_queues()).  Asked for at creation, the
 * one queue costs nothing; at 1000 links that is 2000 grace periods, most
 * of the time the kernel spent making the links, and slower still while
 * the other CPUs are busy in the kernel.  What the lab sees is the same
 * (real_num_tx_queues is 1 either way), but `ethtool -L` cannot raise a
 * veth's transmit queues above one. */
static void put_veth_queues(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
}

void nlab_rtnl_veth(struct nlab_nl *nl, const struct nlab_link_spec *a,
		    const struct nlab_link_spec *b, const char *what)
{
	struct nlmsghdr *nlh = nlab_nl_req(
		nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, "%s", what);
	struct nlattr *linkinfo, *data, *peer;

	/* Indexes are chosen by the caller or by the kernel; the peer's
	 * is taken only along with the first end's. */
	put_ifinfo(nlh, a->ifindex, true);
	put_link_attrs(nlh, a);
	put_veth_queues(nlh);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* The peer is an ifinfomsg followed by its own link attributes. */
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* Not up here: the kernel refuses to configure a peer in another
	 * namespace at creation (ENOTCONN); its owner brings it up. */
	put_ifinfo(nlh, a->ifindex ? b->ifindex : 0, false);
	put_link_attrs(nlh, b);
	put_veth_queues(nlh);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
}

void nlab_rtnl_bridge(struct nlab_nl *nl, const char *name, int ifindex,
		      const struct nlab_switch *sw, const char *what)
{
	struct nlmsghdr *nlh = nlab_nl_req(
		nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, "%s", what);
	struct nlattr *linkinfo, *data;

	put_ifinfo(nlh, ifindex, true);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (sw && sw->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, sw->mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, sw && sw->stp);
	if (sw && sw->vlan_filtering)
		mnl_attr_put_u8(nlh, IFLA_BR_VLAN_FILTERING, 1);
	if (sw && sw->has_ageing) /* the kernel counts in centiseconds */
		mnl_attr_put_u32(nlh, IFLA_BR_AGEING_TIME, sw->ageing_s * 100);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
}

void nlab_rtnl_link_up_name(struct nlab_nl *nl, const char *name, bool up,
			    const char *what)
{
	struct nlmsghdr *nlh = nlab_nl_req(nl, RTM_NEWLINK, 0, "%s", what);
	struct ifinfomsg *ifi = put_ifinfo(nlh, 0, true);

	if (!up)
		ifi->ifi_flags = 0;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
}

static uint16_t create_flags(bool replace)
{
	return NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
}

/* An address request's body: the same for adding and deleting. */
static void put_addr(struct nlmsghdr *nlh, int ifindex,
		     const struct nlab_prefix *p)
{
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	size_t alen = p->family == AF_INET ? 4 : 16;

	ifa->ifa_family = p->family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_index = ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	mnl_attr_put(nlh, IFA_LOCAL, alen, p->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, p->addr);
	if (p->family == AF_INET6) {
		/* Usable the moment `up` returns: no duplicate-address wait. */
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
}

/* A route request's body: the same for adding and deleting. */
static void put_route(struct nlmsghdr *nlh, const struct nlab_route *r, int oif)
{
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	size_t alen = r->gw_family == AF_INET ? 4 : 16;

	rtm->rtm_family = r->gw_family;
	rtm->rtm_dst_len = r->is_default ? 0 : r->dst.len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (!r->is_default) {
		/* The kernel wants the network, not an address within it. */
		struct nlab_prefix net = nlab_prefix_network(&r->dst);

		mnl_attr_put(nlh, RTA_DST, alen, net.addr);
	}
	mnl_attr_put(nlh, RTA_GATEWAY, alen, r->gw);
	if (oif)
		mnl_attr_put_u32(nlh, RTA_OIF, oif);
	if (r->has_metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
}

void nlab_rtnl_addr(struct nlab_nl *nl, int ifindex,
		    const struct nlab_prefix *p, bool replace, const char *what)
{
	put_addr(
		nlab_nl_req(nl, RTM_NEWADDR, create_flags(replace), "%s", what),
		ifindex, p);
}

void nlab_rtnl_addr_del(struct nlab_nl *nl, int ifindex,
			const struct nlab_prefix *p, const char *what)
{
	put_addr(nlab_nl_req(nl, RTM_DELADDR, 0, "%s", what), ifindex, p);
}

void nlab_rtnl_route(struct nlab_nl *nl, const struct nlab_route *r, int oif,
		     bool replace, const char *what)
{
	put_route(nlab_nl_req(nl, RTM_NEWROUTE, create_flags(replace), "%s",
			      what),
		  r, oif);
}

void nlab_rtnl_route_del(struct nlab_nl *nl, const struct nlab_route *r,
			 int oif, const char *what)
{
	put_route(nlab_nl_req(nl, RTM_DELROUTE, 0, "%s", what), r, oif);
}

void nlab_rtnl_link_del(struct nlab_nl *nl, int ifindex, const char *what)
{
	put_ifinfo(nlab_nl_req(nl, RTM_DELLINK, 0, "%s", what), ifindex, false);
}

void nlab_rtnl_link_set(struct nlab_nl *nl, int ifindex, uint32_t mtu,
			const uint8_t *mac, const char *what)
{
	struct nlmsghdr *nlh = nlab_nl_req(nl, RTM_NEWLINK, 0, "%s", what);

	put_ifinfo(nlh, ifindex, false);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
}
