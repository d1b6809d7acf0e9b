// SPDX-License-Identifier: MIT
#include "run/runtime.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <string.h>

#include "lab/lab.h"
#include "lab/names.h"
#include "kernel/nl.h"
#include "topology/prefix.h"
#include "kernel/qdisc.h"
#include "kernel/rtnl.h"
#include "base/util.h"
#include "topology/nsname.h"

/* The lab's stored topology and the interface named by the user. */
static int find_iface(const char *lab, const char *node, const char *ifname,
		      struct nlab_topology **t, const struct nlab_iface **out,
		      struct nlab_err *e)
{
	const struct nlab_node *n;

	if (nlab_lab_topology(lab, t, e))
		return -1;
	n = nlab_topology_node(*t, node);
	if (!n)
		return nlab_err_no_node(e, *t, node, false);
	*out = nlab_node_iface(n, ifname);
	if (!*out)
		return nlab_err_no_iface(e, n, ifname);
	return 0;
}

/* The interface a route leaves by: its dev, else the one whose subnet
 * holds the gateway. */
static bool route_uses(const struct nlab_route *r, const struct nlab_iface *f)
{
	if (r->dev[0])
		return !strcmp(r->dev, f->name);
	for (size_t a = 0; a < f->n_addrs; a++)
		if (nlab_prefix_contains(&f->addrs[a], r->gw_family, r->gw))
			return true;
	return false;
}

/* Inside the node's netns: the interface's addresses and routes back. */
static int restore(struct nlab_nl *nl, const struct nlab_iface *f,
		   struct nlab_err *e)
{
	int idx = (int)if_nametoindex(f->name);
	char buf[64], what[160];

	if (!idx)
		return nlab_err_set(e, errno, "%s", f->name);
	for (size_t a = 0; a < f->n_addrs; a++) {
		snprintf(what, sizeof(what), "%s: add %s", f->name,
			 nlab_prefix_str(&f->addrs[a], buf, sizeof(buf)));
		nlab_rtnl_addr(nl, idx, &f->addrs[a], true, what);
	}
	for (size_t i = 0; i < f->node->n_routes; i++) {
		const struct nlab_route *r = &f->node->routes[i];

		if (!route_uses(r, f))
			continue;
		snprintf(what, sizeof(what), "route (line %d)", r->line);
		nlab_rtnl_route(nl, r, r->dev[0] ? idx : 0, true, what);
	}
	return 0;
}

/* One end of a cable: an interface in the netns of a node or switch. */
struct end {
	const char *kind, *owner, *ifname;
	const struct nlab_iface *restore; /* addresses and routes, on up */
};

/* Set one end up or down.  A missing netns is reported with the
 * message nlab_lab_enter() gives it; other failures name the end. */
static int set_end(const char *lab, const struct end *end, bool up,
		   struct nlab_err *e)
{
	struct nlab_nl nl;
	int orig, ret;

	if (nlab_lab_enter(lab, end->kind, end->owner, &orig, e))
		return e->errnum == ENOENT
			       ? -1
			       : nlab_err_wrap(e, "%s %s", end->owner,
					       end->ifname);
	ret = nlab_nl_open(&nl, e);
	if (!ret) {
		nlab_rtnl_link_up_name(&nl, end->ifname, up, end->ifname);
		ret = nlab_nl_flush(&nl, e);
		if (!ret && up && end->restore)
			ret = restore(&nl, end->restore, e) ||
			      nlab_nl_flush(&nl, e);
		nlab_nl_close(&nl);
	}
	if (nlab_lab_leave_netns(orig, ret ? NULL : e))
		ret = -1;
	return ret ? nlab_err_wrap(e, "%s %s", end->owner, end->ifname) : 0;
}

int nlab_link_set(const char *lab, const char *node, const char *ifname,
		  bool up, struct nlab_err *e)
{
	struct nlab_topology *t = NULL;
	const struct nlab_iface *f, *peer;
	const struct nlab_segment *s;
	char port[NLAB_IFNAME_MAX + 1], msg[sizeof(e->msg)] = "";
	struct end ends[2];
	struct nlab_err res[2];
	const struct end *done = NULL;
	int ret = -1, errnum = 0;

	if (find_iface(lab, node, ifname, &t, &f, e))
		goto out;
	s = f->segment;
	if (s->kind == NLAB_SEG_VETH) {
		peer = s->members[0] == f ? s->members[1] : s->members[0];
		ends[0] = (struct end){ "node", peer->node->name, peer->name,
					peer };
	} else {
		for (size_t m = 0; m < s->n_members; m++)
			if (s->members[m] == f)
				nlab_port_name(port, sizeof(port), s, m);
		ends[0] = (struct end){ "switch", s->name, port, NULL };
	}
	ends[1] = (struct end){ "node", node, ifname, f };
	/* Down: the far end first, so the node sees its carrier go; up:
	 * the near end's addresses go back once both ends are up.  Each
	 * end is done whatever became of the other: of a lab whose netns
	 * was removed behind netlab's back, the end that is left still
	 * follows, and the missing one is reported. */
	for (size_t i = 0; i < 2; i++) {
		if (!set_end(lab, &ends[i], up, &res[i])) {
			done = &ends[i];
			continue;
		}
		if (!errnum)
			errnum = res[i].errnum ? res[i].errnum : EIO;
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s%s",
			 msg[0] ? "; " : "", res[i].msg);
	}
	if (!errnum) {
		ret = 0;
		goto out;
	}
	if (done)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
			 "; only %s %s %s was set %s", done->kind, done->owner,
			 done->ifname, up ? "up" : "down");
	nlab_err_set(e, 0, "%s", msg);
	e->errnum = errnum;
out:
	nlab_topology_free(t);
	return ret;
}

/* Run @fn on the interface's qdiscs from inside its node's netns. */
static int with_qdiscs(const char *lab, const char *node, const char *ifname,
		       bool need_netem,
		       int (*fn)(struct nl_sock *, int, void *,
				 struct nlab_err *),
		       void *arg, struct nlab_err *e)
{
	struct nlab_topology *t = NULL;
	const struct nlab_iface *f;
	struct nl_sock *sk = NULL;
	int orig = -1, ret = -1, r;

	if (find_iface(lab, node, ifname, &t, &f, e))
		goto out;
	/* Before touching anything: a missing netem changes nothing. */
	if (need_netem && (r = nlab_netem_available(e)) <= 0) {
		if (r == 0)
			nlab_err_set(e, EOPNOTSUPP,
				     "this kernel has no netem "
				     "qdisc (CONFIG_NET_SCH_NETEM)");
		goto out;
	}
	if (nlab_lab_enter_netns(lab, node, &orig, e))
		goto out;
	sk = nlab_qdisc_socket(e);
	if (sk)
		ret = fn(sk, (int)if_nametoindex(ifname), arg, e);
out:
	if (sk)
		nl_socket_free(sk);
	if (nlab_lab_leave_netns(orig, ret ? NULL : e))
		ret = -1;
	nlab_topology_free(t);
	return ret;
}

static int read_cb(struct nl_sock *sk, int idx, void *imp, struct nlab_err *e)
{
	return nlab_qdisc_read(sk, idx, imp, e);
}

static int apply_cb(struct nl_sock *sk, int idx, void *imp, struct nlab_err *e)
{
	return nlab_qdisc_apply(sk, idx, imp, e);
}

int nlab_impair_get(const char *lab, const char *node, const char *ifname,
		    struct nlab_impair *imp, struct nlab_err *e)
{
	return with_qdiscs(lab, node, ifname, false, read_cb, imp, e);
}

int nlab_impair_set(const char *lab, const char *node, const char *ifname,
		    const struct nlab_impair *imp, struct nlab_err *e)
{
	return with_qdiscs(lab, node, ifname, imp->set & NLAB_IMP_NETEM,
			   apply_cb, (void *)imp, e);
}
