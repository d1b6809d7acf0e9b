// SPDX-License-Identifier: MIT
/* VXLAN devices and their flood list, raw rtnetlink on libmnl (see
 * vxlan.h; the requests go on the same batching sockets as `up`'s). */
#include "kernel/vxlan.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

void nlab_vxlan_add(struct nlab_nl *nl, const struct nlab_vxlan *v,
		    const char *what)
{
	struct nlmsghdr *nlh = nlab_nl_req(
		nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, "%s", what);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct nlattr *linkinfo, *data;

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, v->name);
	if (v->netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, v->netns_fd);
	if (v->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, v->mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vxlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, v->vni);
	if (v->family == AF_INET6)
		mnl_attr_put(nlh, IFLA_VXLAN_LOCAL6, 16, v->local);
	else
		mnl_attr_put(nlh, IFLA_VXLAN_LOCAL, 4, v->local);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(v->port));
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 1);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
}

void nlab_vxlan_fdb_append(struct nlab_nl *nl, int ifindex, int family,
			   const uint8_t *dst, const char *what)
{
	static const uint8_t zero[6];
	struct nlmsghdr *nlh = nlab_nl_req(
		nl, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND, "%s", what);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));

	nd->ndm_family = AF_BRIDGE;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_NOARP | NUD_PERMANENT;
	nd->ndm_flags = NTF_SELF;
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(zero), zero);
	mnl_attr_put(nlh, NDA_DST, family == AF_INET6 ? 16 : 4, dst);
}

void nlab_link_master_up(struct nlab_nl *nl, const char *name, int master,
			 const char *what)
{
	struct nlmsghdr *nlh = nlab_nl_req(nl, RTM_NEWLINK, 0, "%s", what);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MASTER, master);
}

void nlab_link_del_name(struct nlab_nl *nl, const char *name, const char *what)
{
	struct nlmsghdr *nlh = nlab_nl_req(nl, RTM_DELLINK, 0, "%s", what);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
}
