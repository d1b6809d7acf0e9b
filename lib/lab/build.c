// SPDX-License-Identifier: MIT
/* Pieces of a lab made by both `up` and `apply`: see build.h. */
#include "lab/build.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "base/util.h"
#include "kernel/netns.h"
#include "kernel/rtnl.h"
#include "kernel/sysctl.h"
#include "topology/nsname.h"

int nlab_lab_netns_make(struct nlab_state *st, const char *name, int *nsfd,
			struct nlab_err *e)
{
	struct nlab_ident id;

	if (nlab_netns_new(nsfd, &id, e) ||
	    nlab_state_rec(st, NLAB_REC_NETNS, name, e) ||
	    nlab_state_rec_id(st, NLAB_REC_NETNS, name, &id, e))
		return nlab_err_wrap(e, "netns %s", name);
	if (nlab_netns_bind(name, e)) {
		/* Someone else's: cancel the record entry. */
		if (e->errnum == EEXIST)
			nlab_state_keep(st, NLAB_REC_NETNS, name, NULL);
		return -1;
	}
	return 0;
}

int nlab_ns_birth_at(int root, const struct nlab_node *n, struct nlab_err *e)
{
	static const char *const bridge_nf[] = {
		"net.bridge.bridge-nf-call-iptables",
		"net.bridge.bridge-nf-call-ip6tables",
		"net.bridge.bridge-nf-call-arptables",
	};
	if (!n) {
		/* With br_netfilter loaded these default to 1 and would put
		 * the host's firewall in the lab's data path. */
		for (size_t i = 0; i < ARRAY_SIZE(bridge_nf); i++)
			if (nlab_sysctl_write_at(root, bridge_nf[i], "0", true,
						 e))
				return -1;
		return 0;
	}
	/* Every interface made later inherits "default": no DAD wait even
	 * for link-local addresses (lo, the only one yet, does no DAD). */
	if (nlab_sysctl_write_at(root, "net.ipv6.conf.default.accept_dad", "0",
				 true, e))
		return -1;
	if (n->forward &&
	    (nlab_sysctl_write_at(root, "net.ipv4.ip_forward", "1", false, e) ||
	     nlab_sysctl_write_at(root, "net.ipv6.conf.all.forwarding", "1",
				  true, e)))
		return -1;
	return 0;
}

int nlab_ns_birth(const struct nlab_node *n, struct nlab_err *e)
{
	/* Not the host's /proc/sys: see nlab_sysctl_root(). */
	cleanup_close int root = nlab_sysctl_root();

	return nlab_ns_birth_at(root, n, e);
}

void nlab_queue_veth(struct nlab_nl *nl, const struct nlab_segment *s, int fd_b,
		     int idx_a, int idx_b)
{
	const struct nlab_iface *a = s->members[0], *b = s->members[1];
	struct nlab_link_spec sa = {
		.name = a->name,
		.netns_fd = -1,
		.mac = a->has_mac ? a->mac : NULL,
		.mtu = a->mtu,
		.ifindex = idx_a,
	};
	struct nlab_link_spec sb = {
		.name = b->name,
		.netns_fd = fd_b,
		.mac = b->has_mac ? b->mac : NULL,
		.mtu = b->mtu,
		.ifindex = idx_b,
	};
	char what[160];

	snprintf(what, sizeof(what), "segment %s: veth %s:%s - %s:%s", s->name,
		 a->node->name, a->name, b->node->name, b->name);
	nlab_rtnl_veth(nl, &sa, &sb, what);
}

void nlab_queue_port(struct nlab_nl *nl, const struct nlab_segment *s, size_t m,
		     int br, int fd_node, int idx_port, int idx_node)
{
	const struct nlab_iface *i = s->members[m];
	uint32_t sw_mtu = s->sw ? s->sw->mtu : 0;
	char port[NLAB_IFNAME_MAX + 1], what[160];
	struct nlab_link_spec sp = {
		.name = port,
		.netns_fd = -1,
		.mtu = sw_mtu ? sw_mtu : i->mtu,
		.master = br,
		.ifindex = idx_port,
	};
	struct nlab_link_spec si = {
		.name = i->name,
		.netns_fd = fd_node,
		.mac = i->has_mac ? i->mac : NULL,
		.mtu = i->mtu ? i->mtu : sw_mtu,
		.ifindex = idx_node,
	};

	nlab_port_name(port, sizeof(port), s, m);
	snprintf(what, sizeof(what), "switch %s: port for %s:%s", s->name,
		 i->node->name, i->name);
	nlab_rtnl_veth(nl, &sp, &si, what);
}
