// SPDX-License-Identifier: MIT
/* `apply`: the plan's steps done under the lab's lock, each with its
 * undo; see apply.h. */
#include "lab/apply.h"
#include "lab/applyplan.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/build.h"
#include "lab/enter.h"
#include "lab/hosts.h"
#include "lab/lab.h"
#include "topology/nsname.h"
#include "lab/lifecycle.h"
#include "lab/node.h"
#include "kernel/netns.h"
#include "lab/proc.h"
#include "kernel/nl.h"
#include "kernel/qdisc.h"
#include "kernel/rtnl.h"
#include "lab/state.h"
#include "kernel/sysctl.h"
#include "base/util.h"
#include "base/testhook.h"

/* A namespace `apply` made: its fd, till the end. */
struct made {
	const char *name;
	int fd;
};

struct apply {
	const struct nlab_topology *new;
	struct nlab_topology *old;
	const struct nlab_apply_opts *o;
	struct nlab_state st;
	struct nlab_record rec;
	struct nlab_plan plan;
	int orig; /* the caller's netns */
	struct made *made;
	size_t n_made, cap_made;
	bool started;	/* the new nodes' supervisors */
	bool netns_dir; /* /run/netns prepared */
};

static void say(const struct apply *a, const char *line)
{
	if (a->o && a->o->say && line)
		a->o->say(a->o->data, line);
}

static int interrupted(const struct apply *a, struct nlab_err *e)
{
	if (a->o && a->o->stop && *a->o->stop)
		return nlab_err_set(e, EINTR, "interrupted");
	return 0;
}

/* ---- one step, inside its node's netns --------------------------------- */

static int ifindex(const char *name, struct nlab_err *e)
{
	int idx = (int)if_nametoindex(name);

	return idx ? idx : nlab_err_set(e, errno, "%s", name);
}

/* Send one request; an error in @ok (the object is there already, or
 * gone already) is no failure: *did says whether anything changed. */
static int one_request(struct nlab_nl *nl, int ok, bool *did,
		       struct nlab_err *e)
{
	struct nlab_err e1;

	*did = true;
	if (!nlab_nl_flush(nl, &e1))
		return 0;
	if (e1.errnum == ok) {
		*did = false;
		return 0;
	}
	*e = e1;
	return -1;
}

static int oif(const struct nlab_route *r, struct nlab_err *e)
{
	return r->dev[0] ? ifindex(r->dev, e) : 0;
}

/* An address or a route added (@add) or removed. */
static int net_object(const struct nlab_step *s, bool add, bool *did,
		      struct nlab_err *e)
{
	struct nlab_nl nl;
	int idx, ok, ret = -1;

	if (s->addr) {
		idx = ifindex(s->ifname, e);
		ok = add ? EEXIST : EADDRNOTAVAIL;
	} else {
		idx = oif(s->route, e);
		ok = add ? EEXIST : ESRCH;
	}
	if (idx < 0 || nlab_nl_open(&nl, e))
		return -1;
	if (s->addr && add)
		nlab_rtnl_addr(&nl, idx, s->addr, false, s->text);
	else if (s->addr)
		nlab_rtnl_addr_del(&nl, idx, s->addr, s->text);
	else if (add)
		nlab_rtnl_route(&nl, s->route, idx, false, s->text);
	else
		nlab_rtnl_route_del(&nl, s->route, idx, s->text);
	ret = one_request(&nl, ok, did, e);
	nlab_nl_close(&nl);
	return ret;
}

static int impair_set(const char *ifname, const struct nlab_impair *imp,
		      struct nlab_impair *was, struct nlab_err *e)
{
	struct nl_sock *sk = nlab_qdisc_socket(e);
	int idx, ret = -1;

	if (!sk)
		return -1;
	idx = ifindex(ifname, e);
	if (idx > 0 && (!was || !nlab_qdisc_read(sk, idx, was, e)))
		ret = nlab_qdisc_apply(sk, idx, imp, e);
	nl_socket_free(sk);
	return ret;
}

/* Every route @n declares, put back where the kernel dropped it. */
static int routes_again(const struct nlab_node *n, struct nlab_err *e)
{
	char what[64];
	struct nlab_nl nl;
	int ret = 0;

	for (size_t i = 0; i < n->n_routes && !ret; i++) {
		const struct nlab_route *r = &n->routes[i];
		int idx = oif(r, e);
		bool did;

		if (idx < 0 || nlab_nl_open(&nl, e))
			return -1;
		snprintf(what, sizeof(what), "route (line %d)", r->line);
		nlab_rtnl_route(&nl, r, idx, false, what);
		ret = one_request(&nl, EEXIST, &did, e);
		nlab_nl_close(&nl);
	}
	return ret;
}

/* Do (or, with @undo, undo) step @s; the caller is in its node's netns. */
static int step_here(struct nlab_step *s, bool undo, struct nlab_err *e)
{
	char buf[256];
	bool did = false;
	int ret = 0;

	switch (s->kind) {
	case NLAB_STEP_ADDR_ADD:
	case NLAB_STEP_ROUTE_ADD:
		ret = net_object(s, !undo, &did, e);
		break;
	case NLAB_STEP_ADDR_DEL:
	case NLAB_STEP_ROUTE_DEL:
		ret = net_object(s, undo, &did, e);
		break;
	case NLAB_STEP_ROUTES_AGAIN:
		if (undo)
			return 0;
		ret = routes_again(s->routes, e);
		did = !ret;
		break;
	case NLAB_STEP_ROUTES_BACK:
		if (undo)
			return routes_again(s->routes, e);
		did = true;
		break;
	case NLAB_STEP_SYSCTL:
		if (undo)
			return nlab_sysctl_write(s->key, s->was, false, e);
		if (nlab_sysctl_read(s->key, buf, sizeof(buf), e))
			return -1;
		free(s->was);
		s->was = xstrdup(buf);
		ret = nlab_sysctl_write(s->key, s->value, false, e);
		did = !ret;
		break;
	case NLAB_STEP_IMPAIR:
		if (undo)
			return impair_set(s->ifname, &s->was_impair, NULL, e);
		ret = impair_set(s->ifname, s->impair, &s->was_impair, e);
		did = !ret;
		break;
	default:
		break;
	}
	if (!undo)
		s->done = did;
	return ret;
}

/* An fd of the netns of node or switch @name: one made here, or the
 * one the record knows. */
static int ns_fd(struct apply *a, const char *name, struct nlab_err *e)
{
	int fd;

	for (size_t i = 0; i < a->n_made; i++)
		if (a->made[i].fd >= 0 && !strcmp(a->made[i].name, name)) {
			fd = dup(a->made[i].fd);
			return fd >= 0 ? fd : nlab_err_set(e, errno, "dup");
		}
	return nlab_node_netns_open(&a->rec, a->new->name, name, e);
}

/* Run @fn(@arg) inside the netns of @name, and come back. */
static int in_ns(struct apply *a, const char *name,
		 int (*fn)(void *arg, struct nlab_err *e), void *arg,
		 struct nlab_err *e)
{
	cleanup_close int fd = ns_fd(a, name, e);
	int ret;

	if (fd < 0 || nlab_netns_enter(fd, e))
		return -1;
	ret = fn(arg, e);
	if (setns(a->orig, CLONE_NEWNET) < 0 && !ret)
		ret = nlab_err_set(e, errno, "return to the original netns");
	return ret;
}

static int in_node(struct apply *a, struct nlab_step *s, bool undo,
		   struct nlab_err *e)
{
	cleanup_close int fd = ns_fd(a, s->node, e);
	int ret;

	if (fd < 0 || nlab_netns_enter(fd, e))
		return -1;
	ret = step_here(s, undo, e);
	if (setns(a->orig, CLONE_NEWNET) < 0 && !ret)
		ret = nlab_err_set(e, errno, "return to the original netns");
	/* A netlink failure names its request already. */
	if (ret && (s->kind == NLAB_STEP_SYSCTL || s->kind == NLAB_STEP_IMPAIR))
		nlab_err_wrap(e, "%s", s->text);
	else if (ret && !s->text)
		nlab_err_wrap(e, "%s", s->node);
	return ret;
}

/* ---- nodes, switches and links -------------------------------------------
 */

/* An interface just made, inside its node: up, with its addresses and
 * impairments. */
/* A new interface's settings.  One of a node stopped with `netlab stop`
 * stays down (its peer without carrier), as the node's other links: its
 * `start` brings it up. */
static int iface_conf(const struct nlab_iface *f, bool down, struct nlab_err *e)
{
	char buf[64], what[160];
	struct nlab_nl nl;
	int idx = ifindex(f->name, e), ret;

	if (idx < 0 || nlab_nl_open(&nl, e))
		return -1;
	snprintf(what, sizeof(what), "%s: set %s", f->name,
		 down ? "down" : "up");
	nlab_rtnl_link_up(&nl, idx, !down, what);
	for (size_t i = 0; i < f->n_addrs; i++) {
		snprintf(what, sizeof(what), "%s: add %s", f->name,
			 nlab_prefix_str(&f->addrs[i], buf, sizeof(buf)));
		nlab_rtnl_addr(&nl, idx, &f->addrs[i], true, what);
	}
	ret = nlab_nl_flush(&nl, e);
	nlab_nl_close(&nl);
	if (!ret && f->impair.set)
		ret = impair_set(f->name, &f->impair, NULL, e);
	/* The node's sysctls of this interface (net.ipv4.conf.IF.KEY):
	 * an interface made anew has its kernel defaults. */
	snprintf(what, sizeof(what), ".%s.", f->name);
	for (size_t i = 0; !ret && i < f->node->n_sysctls; i++)
		if (strstr(f->node->sysctls[i].key, what))
			ret = nlab_sysctl_write(f->node->sysctls[i].key,
						f->node->sysctls[i].value,
						false, e);
	return ret ? nlab_err_wrap(e, "node %s", f->node->name) : 0;
}

struct link_job {
	const struct nlab_segment *seg;
	size_t member;		       /* a switch port's */
	int fd;			       /* the far end's netns */
	const struct nlab_iface *conf; /* iface_here: the one to set */
	bool near_down, far_down;      /* their nodes are stopped */
};

static int iface_here(void *arg, struct nlab_err *e)
{
	struct link_job *j = arg;

	return iface_conf(j->conf, j->far_down, e);
}

/* An interface of the name about to be made is a leftover of an
 * `apply` killed midway (the old topology has none): it goes first. */
static void leftover(struct nlab_nl *nl, const char *ifname)
{
	int idx = (int)if_nametoindex(ifname);

	if (idx)
		nlab_rtnl_link_del(nl, idx, ifname);
}

static int veth_here(void *arg, struct nlab_err *e)
{
	struct link_job *j = arg;
	struct nlab_nl nl;
	int ret;

	if (nlab_nl_open(&nl, e))
		return -1;
	leftover(&nl, j->seg->members[0]->name);
	nlab_queue_veth(&nl, j->seg, j->fd, 0, 0);
	ret = nlab_nl_flush(&nl, e);
	nlab_nl_close(&nl);
	return ret || iface_conf(j->seg->members[0], j->near_down, e) ? -1 : 0;
}

static int port_here(void *arg, struct nlab_err *e)
{
	struct link_job *j = arg;
	struct nlab_nl nl;
	int br = ifindex(NLAB_BRIDGE_NAME, e), ret;

	char port[NLAB_IFNAME_MAX + 1];

	if (br < 0 || nlab_nl_open(&nl, e))
		return -1;
	nlab_port_name(port, sizeof(port), j->seg, j->member);
	leftover(&nl, port);
	nlab_queue_port(&nl, j->seg, j->member, br, j->fd, 0, 0);
	ret = nlab_nl_flush(&nl, e);
	nlab_nl_close(&nl);
	return ret;
}

static bool stopped_node(void *data, const char *name);

/* Link @f of segment @seg made (a whole veth pair when @f is NULL), with
 * the addresses and impairments of its ends. */
static int link_make(struct apply *a, const struct nlab_segment *seg,
		     const struct nlab_iface *f, struct nlab_err *e)
{
	struct link_job j = { .seg = seg };
	const struct nlab_iface *far = f ? f : seg->members[1];
	int ret;

	j.conf = far;
	j.far_down = stopped_node(a, far->node->name);
	if (!f)
		j.near_down = stopped_node(a, seg->members[0]->node->name);
	j.fd = ns_fd(a, far->node->name, e);
	if (j.fd < 0)
		return -1;
	if (!f) {
		ret = in_ns(a, seg->members[0]->node->name, veth_here, &j, e);
	} else {
		while (j.member < seg->n_members && seg->members[j.member] != f)
			j.member++;
		ret = in_ns(a, seg->name, port_here, &j, e);
	}
	close(j.fd);
	if (!ret)
		ret = in_ns(a, far->node->name, iface_here, &j, e);
	return ret;
}

struct del_job {
	const char *ifname;
	bool did;
};

static int link_del_here(void *arg, struct nlab_err *e)
{
	struct del_job *j = arg;
	struct nlab_nl nl;
	int idx = (int)if_nametoindex(j->ifname), ret;

	j->did = false;
	if (!idx)
		return 0; /* gone already */
	if (nlab_nl_open(&nl, e))
		return -1;
	nlab_rtnl_link_del(&nl, idx, j->ifname);
	ret = one_request(&nl, ENODEV, &j->did, e);
	nlab_nl_close(&nl);
	return ret;
}

static int link_remove(struct apply *a, struct nlab_step *s, struct nlab_err *e)
{
	struct del_job j = { .ifname = s->ifname };
	int ret = in_ns(a, s->node, link_del_here, &j, e);

	s->done = j.did;
	return ret;
}

/* A link's MTU or MAC, read (into the step) then set. */
struct set_job {
	struct nlab_step *s;
	bool undo;
};

static int link_set_here(void *arg, struct nlab_err *e)
{
	struct set_job *j = arg;
	struct nlab_step *s = j->s;
	bool mac = s->value != NULL;
	cleanup_close int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	uint8_t addr[6];
	struct nlab_nl nl;
	int idx = ifindex(s->ifname, e), ret;

	if (idx < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->ifname);
	if (!j->undo) {
		if (sk < 0 || ioctl(sk, SIOCGIFMTU, &ifr) < 0)
			return nlab_err_set(e, errno, "%s: read mtu",
					    s->ifname);
		s->was_mtu = (uint32_t)ifr.ifr_mtu;
		if (ioctl(sk, SIOCGIFHWADDR, &ifr) < 0)
			return nlab_err_set(e, errno, "%s: read mac",
					    s->ifname);
		memcpy(s->was_mac, ifr.ifr_hwaddr.sa_data, 6);
	}
	if (mac && !j->undo) {
		if (s->iface->has_mac) {
			memcpy(addr, s->iface->mac, 6);
		} else {
			/* A new random one, as the kernel gives: unicast,
			 * locally administered. */
			if (getrandom(addr, sizeof(addr), 0) != sizeof(addr))
				return nlab_err_set(e, errno, "random mac");
			addr[0] = (addr[0] & 0xfe) | 0x02;
		}
	} else if (mac) {
		memcpy(addr, s->was_mac, 6);
	}
	if (nlab_nl_open(&nl, e))
		return -1;
	nlab_rtnl_link_set(
		&nl, idx,
		mac ? 0 : (j->undo ? s->was_mtu : nlab_iface_mtu(s->iface)),
		mac ? addr : NULL, s->text);
	ret = nlab_nl_flush(&nl, e);
	nlab_nl_close(&nl);
	return ret;
}

/* The switch side of a member whose MTU changed: up gives a port the
 * switch's MTU, or else its member's, so the port follows the member
 * (a port left smaller would drop the member's larger frames). */
struct port_mtu_job {
	const char *port;
	uint32_t mtu, *was;
};

static int port_mtu_here(void *arg, struct nlab_err *e)
{
	struct port_mtu_job *j = arg;
	cleanup_close int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	struct nlab_nl nl;
	int idx = ifindex(j->port, e), ret;

	if (idx < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", j->port);
	if (j->was) {
		if (sk < 0 || ioctl(sk, SIOCGIFMTU, &ifr) < 0)
			return nlab_err_set(e, errno, "%s: read mtu", j->port);
		*j->was = (uint32_t)ifr.ifr_mtu;
	}
	if (nlab_nl_open(&nl, e))
		return -1;
	nlab_rtnl_link_set(&nl, idx, j->mtu, NULL, "switch port mtu");
	ret = nlab_nl_flush(&nl, e);
	nlab_nl_close(&nl);
	return ret;
}

static int port_mtu(struct apply *a, struct nlab_step *s, bool undo,
		    struct nlab_err *e)
{
	const struct nlab_segment *seg = s->iface->segment;
	char port[NLAB_IFNAME_MAX + 1];
	struct port_mtu_job j = { .port = port };
	size_t m = 0;

	if (s->value || seg->kind == NLAB_SEG_VETH || (seg->sw && seg->sw->mtu))
		return 0; /* a MAC, a veth, or the switch sets the MTU */
	if (undo && !s->was_port_mtu)
		return 0;
	while (m < seg->n_members && seg->members[m] != s->iface)
		m++;
	if (m == seg->n_members)
		return 0;
	nlab_port_name(port, sizeof(port), seg, m);
	j.mtu = undo ? s->was_port_mtu : nlab_iface_mtu(s->iface);
	j.was = undo ? NULL : &s->was_port_mtu;
	return in_ns(a, seg->name, port_mtu_here, &j, e);
}

static int link_set(struct apply *a, struct nlab_step *s, bool undo,
		    struct nlab_err *e)
{
	struct set_job j = { .s = s, .undo = undo };

	if (undo && port_mtu(a, s, true, e))
		return -1;
	if (in_ns(a, s->node, link_set_here, &j, e))
		return -1;
	/* Then its switch port; if that fails, the node's end back. */
	if (!undo && port_mtu(a, s, false, e)) {
		struct nlab_err ignored = { 0 };

		j.undo = true;
		in_ns(a, s->node, link_set_here, &j, &ignored);
		return -1;
	}
	s->done = !undo;
	return 0;
}

/* A new netns (a node's, or a switch's with its bridge), recorded
 * first; the process is in it till the end. */
static int ns_make(struct apply *a, const char *name, const struct nlab_node *n,
		   const struct nlab_switch *sw, struct nlab_err *e)
{
	char ns[NLAB_NAME_MAX * 2 + 2];
	struct nlab_nl nl;
	int fd = -1, ret;

	nlab_ns_name(ns, sizeof(ns), a->new->name, name);
	if (!a->netns_dir && nlab_netns_dir_prepare(e))
		return -1;
	a->netns_dir = true;
	if (nlab_lab_netns_make(&a->st, ns, &fd, e))
		return -1;
	xgrow(&a->made, &a->cap_made, a->n_made + 1, sizeof(*a->made));
	a->made[a->n_made++] = (struct made){ .name = name, .fd = fd };
	ret = nlab_nl_open(&nl, e);
	if (!ret) {
		ret = nlab_ns_birth(n, e);
		nlab_rtnl_link_up(&nl, 1, true, "bring lo up");
		if (!n)
			nlab_rtnl_bridge(&nl, NLAB_BRIDGE_NAME, 0, sw,
					 "create bridge");
		if (!ret)
			ret = nlab_nl_flush(&nl, e);
		nlab_nl_close(&nl);
	}
	if (setns(a->orig, CLONE_NEWNET) < 0 && !ret)
		ret = nlab_err_set(e, errno, "return to the original netns");
	return ret ? nlab_err_wrap(e, "netns %s", ns) : 0;
}

/* A new node's routes and sysctls, inside it. */
static int node_conf(void *arg, struct nlab_err *e)
{
	const struct nlab_node *n = arg;
	char what[160], buf[64];
	struct nlab_nl nl;
	int ret = 0;

	if (n->n_routes) {
		if (nlab_nl_open(&nl, e))
			return -1;
		for (size_t i = 0; i < n->n_routes; i++) {
			const struct nlab_route *r = &n->routes[i];

			snprintf(what, sizeof(what), "route %s (line %d)",
				 r->is_default ? "default"
					       : nlab_prefix_str(&r->dst, buf,
								 sizeof(buf)),
				 r->line);
			nlab_rtnl_route(&nl, r,
					r->dev[0] ? (int)if_nametoindex(r->dev)
						  : 0,
					true, what);
		}
		ret = nlab_nl_flush(&nl, e);
		nlab_nl_close(&nl);
	}
	for (size_t i = 0; i < n->n_sysctls && !ret; i++)
		ret = nlab_sysctl_write(n->sysctls[i].key, n->sysctls[i].value,
					false, e);
	return ret ? nlab_err_wrap(e, "node %s", n->name) : 0;
}

/* The new nodes' supervisors, all at once (one launcher). */
static int start_new(struct apply *a, struct nlab_err *e)
{
	const struct nlab_topology *t = a->new;
	cleanup_free size_t *which = xcalloc(t->n_nodes + 1, sizeof(*which));
	cleanup_free int *fds = xcalloc(t->n_nodes + 1, sizeof(*fds));
	size_t n = 0;
	int ret;

	for (size_t i = 0; i < t->n_nodes; i++)
		fds[i] = -1;
	for (size_t i = 0; i < a->plan.n; i++) {
		const struct nlab_step *s = &a->plan.steps[i];
		size_t k = (size_t)(s->what - t->nodes);

		if (s->kind != NLAB_STEP_NODE_START)
			continue;
		which[n++] = k;
		fds[k] = ns_fd(a, s->node, e);
		if (fds[k] < 0)
			break;
	}
	ret = n && fds[which[n - 1]] < 0 ? -1 : 0;
	if (!ret && n)
		ret = nlab_nodes_start_some(t, which, n, fds, &a->st, NULL,
					    a->o ? a->o->stop : NULL, e);
	for (size_t i = 0; i < t->n_nodes; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ret;
}

static bool in_names(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

/* Nodes and switches @names[0..n) removed with every trace: their
 * processes, netns, hosts files, state files and record lines (as
 * `down` would, from the record as it is now). */
static int forget(struct apply *a, const char *const *names, size_t n,
		  struct nlab_err *e)
{
	struct nlab_record rec;
	struct nlab_err e1;
	int failed = 0;

	if (!n)
		return 0;
	for (size_t i = 0; i < a->n_made; i++)
		if (a->made[i].fd >= 0 && in_names(names, n, a->made[i].name)) {
			close(a->made[i].fd);
			a->made[i].fd = -1;
		}
	if (nlab_state_read(&a->st, &rec, e))
		return -1;
	if (nlab_proc_stop_nodes(&rec, names, n, NULL, &e1) && !failed++)
		*e = e1;
	for (size_t i = rec.n; i-- > 0;) {
		const struct nlab_rec *r = &rec.recs[i];
		int ret = 0;

		if (!r->name || !in_names(names, n, r->name))
			continue;
		if (r->kind == NLAB_REC_NETNS)
			ret = nlab_netns_remove_made(
				r->arg, &r->id, rec.version < 2, NULL, &e1);
		else if (r->kind == NLAB_REC_DIR || r->kind == NLAB_REC_FILE)
			ret = nlab_hosts_undo(r, NULL, &e1);
		if (ret && !failed++)
			*e = e1;
	}
	nlab_record_free(&rec);
	for (size_t i = 0; i < n; i++)
		if (nlab_state_remove_named(&a->st, names[i], &e1) && !failed++)
			*e = e1;
	if (!failed && nlab_state_forget(&a->st, names, n, &e1) && !failed++)
		*e = e1;
	return failed ? -1 : 0;
}

static int forget_one(struct apply *a, const char *name, struct nlab_err *e)
{
	return forget(a, &name, 1, e);
}

/* The steps of nodes, switches and links: done, or undone. */
static int structure_step(struct apply *a, struct nlab_step *s, bool undo,
			  struct nlab_err *e)
{
	int ret = 0;

	switch (s->kind) {
	case NLAB_STEP_NODE_ADD:
		if (undo)
			return forget_one(a, s->node, e);
		ret = ns_make(a, s->node, s->what, NULL, e);
		s->done = true; /* its record line may be there */
		break;
	case NLAB_STEP_SWITCH_ADD:
		if (undo)
			return forget_one(a, s->seg->name, e);
		ret = ns_make(a, s->seg->name, NULL, s->seg->sw, e);
		s->done = true;
		break;
	case NLAB_STEP_LINK_ADD:
		if (undo)
			return link_remove(a, s, e);
		s->done = true; /* half made is undone too */
		ret = link_make(a, s->seg, s->iface, e);
		break;
	case NLAB_STEP_LINK_DEL:
		if (undo)
			return link_make(a, s->seg, s->iface, e);
		ret = link_remove(a, s, e);
		break;
	case NLAB_STEP_LINK_SET:
		return link_set(a, s, undo, e);
	case NLAB_STEP_NODE_CONF:
		if (undo)
			return 0;
		ret = in_ns(a, s->node, node_conf, (void *)s->what, e);
		s->done = !ret;
		break;
	case NLAB_STEP_NODE_START:
		if (undo || a->started)
			return 0;
		a->started = true;
		ret = start_new(a, e);
		break;
	default:
		break;
	}
	if (ret && s->text)
		nlab_err_wrap(e, "%s", s->text);
	return ret;
}

static int do_step(struct apply *a, struct nlab_step *s, bool undo,
		   struct nlab_err *e)
{
	switch (s->kind) {
	case NLAB_STEP_HOSTS:
		if (nlab_hosts_rewrite(undo ? a->old : a->new,
				       undo ? a->new : a->old, &a->rec, e))
			return nlab_err_wrap(e, "%s", s->text);
		s->done = !undo;
		/* A new node's own: made (and recorded), gone with it. */
		for (size_t i = 0; !undo && i < a->plan.n; i++)
			if (a->plan.steps[i].kind == NLAB_STEP_NODE_ADD &&
			    nlab_hosts_write_node(a->new, a->plan.steps[i].what,
						  &a->rec, &a->st, e))
				return nlab_err_wrap(e, "%s", s->text);
		return 0;
	case NLAB_STEP_NODE_ADD:
	case NLAB_STEP_SWITCH_ADD:
	case NLAB_STEP_LINK_ADD:
	case NLAB_STEP_LINK_DEL:
	case NLAB_STEP_LINK_SET:
	case NLAB_STEP_NODE_CONF:
	case NLAB_STEP_NODE_START:
		return structure_step(a, s, undo, e);
	case NLAB_STEP_NODE_DEL:
	case NLAB_STEP_SWITCH_DEL: /* together, last: see run_steps() */
	case NLAB_STEP_NOTE:
	case NLAB_STEP_REFUSED:
	case NLAB_STEP_RESTART: /* together, last: see restart() */
		return 0;
	default:
		return in_node(a, s, undo, e);
	}
}

/* ---- restarts, all at once ------------------------------------------------
 */

/* Restart every node of a RESTART step with the settings of @t: the new
 * topology, or the old one to undo it. */
static int restart(struct apply *a, const struct nlab_topology *t,
		   bool only_done, struct nlab_err *e)
{
	cleanup_free const char **names =
		xcalloc(a->plan.n ? a->plan.n : 1, sizeof(*names));
	struct nlab_lifecycle_opts lo = { .stop = a->o ? a->o->stop : NULL };
	size_t n = 0;
	int ret;

	for (size_t i = 0; i < a->plan.n; i++) {
		const struct nlab_step *s = &a->plan.steps[i];

		if (s->kind == NLAB_STEP_RESTART && (!only_done || s->done))
			names[n++] = s->node;
	}
	if (!n)
		return 0;
	/* An undo must not stop halfway for the signal that caused it. */
	if (only_done)
		lo.stop = NULL;
	ret = nlab_nodes_op_held(&a->st, t, NLAB_OP_RESTART, names, n, &lo, e);
	for (size_t i = 0; !ret && !only_done && i < a->plan.n; i++)
		if (a->plan.steps[i].kind == NLAB_STEP_RESTART) {
			a->plan.steps[i].done = true;
			say(a, a->plan.steps[i].text);
		}
	return ret;
}

/* ---- the whole --------------------------------------------------------------
 */

/* Undo the steps done, newest first; the first failure is kept in @e,
 * the others are tried all the same. */
static int rollback(struct apply *a, bool restarted, struct nlab_err *e)
{
	struct nlab_err e1;
	int failed = 0;

	/* A restart that failed halfway leaves its nodes stopped: they are
	 * started again with their old settings, as one that was done. */
	if (restarted) {
		for (size_t i = 0; i < a->plan.n; i++)
			if (a->plan.steps[i].kind == NLAB_STEP_RESTART)
				a->plan.steps[i].done = true;
	}
	/* Restarts came last: undone first.  The nodes then have their old
	 * addresses and routes already, which the undo below tolerates. */
	if (restart(a, a->old, true, &e1) && !failed++)
		*e = e1;
	for (size_t i = a->plan.n; i-- > 0;) {
		struct nlab_step *s = &a->plan.steps[i];

		if (!s->done || s->kind == NLAB_STEP_RESTART)
			continue;
		if (do_step(a, s, true, &e1) && !failed++)
			*e = e1;
	}
	/* Back to the old topology alone: the record names no other. */
	if (!failed && unlinkat(a->st.dirfd, NLAB_APPLY_FILE, 0) < 0 &&
	    errno != ENOENT && !failed++)
		nlab_err_set(e, errno, "remove %s", NLAB_APPLY_FILE);
	return failed ? -1 : 0;
}

static int save(struct apply *a, struct nlab_err *e)
{
	static const char *const files[] = { "topology.ini", "source-dir" };
	const char *data[] = { a->new->source, a->new->dir };
	size_t len[] = { a->new->source_len, strlen(a->new->dir) };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char tmp[64];

		snprintf(tmp, sizeof(tmp), ".%s.new", files[i]);
		if (nlab_state_write(&a->st, tmp, data[i], len[i], e))
			return -1;
		if (renameat(a->st.dirfd, tmp, a->st.dirfd, files[i]) < 0)
			return nlab_err_set(e, errno, "replace %s", files[i]);
	}
	if (unlinkat(a->st.dirfd, NLAB_APPLY_FILE, 0) < 0 && errno != ENOENT)
		return nlab_err_set(e, errno, "remove %s", NLAB_APPLY_FILE);
	return 0;
}

static int checkpoint(struct apply *a, struct nlab_err *e)
{
	return nlab_pause("apply") || interrupted(a, e) ||
	       nlab_fault("apply", e);
}

/* The nodes and switches that go, all at once, once everything else is
 * done: what they take along (their processes) cannot be given back. */
static int remove_gone(struct apply *a, struct nlab_err *e)
{
	cleanup_free const char **names =
		xcalloc(a->plan.n + 1, sizeof(*names));
	size_t n = 0;

	for (size_t i = 0; i < a->plan.n; i++) {
		const struct nlab_step *s = &a->plan.steps[i];

		if (s->kind == NLAB_STEP_NODE_DEL)
			names[n++] = s->node;
		else if (s->kind == NLAB_STEP_SWITCH_DEL)
			names[n++] = s->seg->name;
	}
	if (forget(a, names, n, e))
		return nlab_err_wrap(e,
				     "removing nodes or switches failed "
				     "halfway: `netlab down %s` removes the "
				     "whole lab",
				     a->new->name);
	for (size_t i = 0; i < a->plan.n; i++)
		if (a->plan.steps[i].kind == NLAB_STEP_NODE_DEL ||
		    a->plan.steps[i].kind == NLAB_STEP_SWITCH_DEL)
			say(a, a->plan.steps[i].text);
	return 0;
}

static bool last_kind(enum nlab_step_kind k)
{
	return k == NLAB_STEP_NOTE || k == NLAB_STEP_RESTART ||
	       k == NLAB_STEP_NODE_DEL || k == NLAB_STEP_SWITCH_DEL;
}

/* Every step; 1 once past the point of no return (a failure then is not
 * rolled back), -1 on a failure to roll back. */
static int run_steps(struct apply *a, bool *restarted, struct nlab_err *e)
{
	for (size_t i = 0; i < a->plan.n; i++) {
		struct nlab_step *s = &a->plan.steps[i];

		if (last_kind(s->kind))
			continue;
		if (checkpoint(a, e) || do_step(a, s, false, e))
			return -1;
		say(a, s->text);
	}
	for (size_t i = 0; i < a->plan.n; i++) {
		if (a->plan.steps[i].kind != NLAB_STEP_RESTART)
			continue;
		if (checkpoint(a, e))
			return -1;
		*restarted = true;
		if (restart(a, a->new, false, e))
			return -1;
		break;
	}
	for (size_t i = 0; i < a->plan.n; i++)
		if (a->plan.steps[i].kind == NLAB_STEP_NOTE)
			say(a, a->plan.steps[i].text);
	if (checkpoint(a, e))
		return -1;
	if (remove_gone(a, e) || save(a, e))
		return 1;
	return 0;
}

/* The value a key has in a new namespace, for a sysctl no longer set. */
static int read_default(void *arg, struct nlab_err *e)
{
	struct nlab_step *s = arg;
	char buf[256];

	if (nlab_sysctl_read(s->key, buf, sizeof(buf), e))
		return 0;
	s->value = xstrdup(buf);
	return 1;
}

/* Everything that can be known wrong before a change: netem for new
 * impairments, a value to go back to for each sysctl no longer set. */
static int preflight(struct apply *a, struct nlab_err *e)
{
	for (size_t i = 0; i < a->plan.n; i++) {
		struct nlab_step *s = &a->plan.steps[i];
		char ns[NLAB_NAME_MAX * 2 + 2];
		char *text;
		int r;

		if (s->kind == NLAB_STEP_NODE_ADD ||
		    s->kind == NLAB_STEP_SWITCH_ADD) {
			nlab_ns_name(ns, sizeof(ns), a->new->name,
				     s->node ? s->node : s->seg->name);
			if (nlab_netns_exists(ns))
				return nlab_err_set(e, EEXIST,
						    "%s: netns %s already "
						    "exists (not touched)",
						    s->text, ns);
			if (s->node && a->new->hosts &&nlab_hosts_check(ns, e))
				return nlab_err_wrap(e, "%s", s->text);
		}
		if (s->kind == NLAB_STEP_IMPAIR &&
		    (s->impair->set & NLAB_IMP_NETEM)) {
			r = nlab_netem_available(e);
			if (r < 0)
				return -1;
			if (r == 0)
				return nlab_err_set(
					e, EOPNOTSUPP,
					"%s: delay, jitter, loss, duplicate, "
					"corrupt and reorder need the netem "
					"qdisc, which this kernel lacks",
					s->text);
		}
		if (s->kind != NLAB_STEP_SYSCTL || s->value)
			continue;
		r = nlab_netns_probe(read_default, s, e);
		if (r < 0)
			return -1;
		if (r == 1) {
			if (asprintf(&text, "%s (%s)", s->text, s->value) < 0)
				continue;
			free(s->text);
			s->text = text;
			continue;
		}
		/* A key of an interface, say: no new namespace has it. */
		if (asprintf(&text,
			     "%s: sysctl %s: not set any more, and a new "
			     "namespace has no value for it to go back to (set "
			     "the value you want instead)",
			     s->node, s->key) < 0)
			text = NULL;
		free(s->text);
		s->text = text;
		s->kind = NLAB_STEP_REFUSED;
		a->plan.n_refused++;
		a->plan.n_todo--;
	}
	return 0;
}

/* Was node @name stopped by `netlab stop`?  Asked only about the nodes
 * the plan would restart or give routes to. */
static bool stopped_node(void *data, const char *name)
{
	struct apply *a = data;
	pid_t pid;
	int fd = nlab_record_supervisor(&a->rec, name, &pid);

	if (fd >= 0) {
		close(fd);
		return false;
	}
	return nlab_node_stop_requested(a->new->name, &a->rec, name);
}

/* An `apply` was killed midway (its new topology is still there): the
 * nodes and switches it had begun to add are removed, so that this one
 * makes them anew; what it changed in place this one finishes or takes
 * back, as every such step can be done twice. */
static int recover(struct apply *a, struct nlab_err *e)
{
	struct nlab_topology *p = NULL;
	cleanup_free const char **names = NULL;
	size_t n = 0;
	int ret;

	if (nlab_lab_topology_file(a->new->name, NLAB_APPLY_FILE, &p, e))
		return nlab_err_wrap(e, "an earlier `apply` was cut short");
	names = xcalloc(p->n_nodes + p->n_segments + 1, sizeof(*names));
	for (size_t i = 0; i < p->n_nodes; i++)
		if (!nlab_topology_node(a->old, p->nodes[i].name))
			names[n++] = p->nodes[i].name;
	for (size_t i = 0; i < p->n_segments; i++) {
		const struct nlab_segment *s = &p->segments[i];
		bool was = false;

		for (size_t j = 0; j < a->old->n_segments && !was; j++)
			was = a->old->segments[j].kind == NLAB_SEG_BRIDGE &&
			      !strcmp(a->old->segments[j].name, s->name);
		if (s->kind == NLAB_SEG_BRIDGE && !was)
			names[n++] = s->name;
	}
	ret = forget(a, names, n, e);
	nlab_topology_free(p);
	if (!ret && unlinkat(a->st.dirfd, NLAB_APPLY_FILE, 0) < 0 &&
	    errno != ENOENT)
		ret = nlab_err_set(e, errno, "remove %s", NLAB_APPLY_FILE);
	if (ret)
		return nlab_err_wrap(e, "an earlier `apply` was cut short");
	nlab_record_free(&a->rec);
	return nlab_state_read(&a->st, &a->rec, e);
}

static int lab_apply(struct apply *a, struct nlab_err *e)
{
	cleanup_free char *pending = NULL;
	bool restarted = false;
	struct nlab_err e2;
	int r;

	if (nlab_state_read(&a->st, &a->rec, e))
		return -1;
	pending = nlab_state_slurp(a->new->name, NLAB_APPLY_FILE);
	if (pending && recover(a, e))
		return -1;
	nlab_record_narrow(&a->rec, a->old);
	nlab_plan_make_cb(a->old, a->new, stopped_node, a, &a->plan);
	if (preflight(a, e))
		return -1;
	if (a->plan.n_refused || (a->o && a->o->dry_run)) {
		for (size_t i = 0; i < a->plan.n; i++)
			say(a, a->plan.steps[i].text);
	}
	if (a->plan.n_refused) {
		nlab_err_set(e, 0,
			     "%zu change%s not made in place (see above): "
			     "nothing changed",
			     a->plan.n_refused,
			     a->plan.n_refused == 1 ? " is" : "s are");
		e->errnum = EOPNOTSUPP;
		return -1;
	}
	if (a->o && a->o->changes)
		*a->o->changes = a->plan.n_todo;
	if (a->o && a->o->dry_run)
		return 0;
	/* Before anything is made: while it is there, `down` takes the
	 * names of both topologies from the record. */
	if (a->plan.n_todo &&
	    nlab_state_write(&a->st, NLAB_APPLY_FILE, a->new->source,
			     a->new->source_len, e))
		return -1;
	r = run_steps(a, &restarted, e);
	if (r >= 0)
		return r ? -1 : 0;
	if (rollback(a, restarted, &e2)) {
		size_t l = strlen(e->msg);

		snprintf(e->msg + l, sizeof(e->msg) - l,
			 "; rolling back failed too: %s", e2.msg);
		return -1;
	}
	nlab_err_wrap(e, "rolled back, nothing changed");
	return -1;
}

int nlab_lab_apply(const struct nlab_topology *t,
		   const struct nlab_apply_opts *o, struct nlab_err *e)
{
	struct apply a = { .new = t, .o = o, .orig = -1 };
	int ret = -1;

	a.st.dirfd = a.st.recfd = -1;
	a.orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (a.orig < 0)
		nlab_err_set(e, errno, "open /proc/self/ns/net");
	else if (!nlab_lab_lock(t->name, &a.st, &a.old, e))
		ret = lab_apply(&a, e);
	for (size_t i = 0; i < a.n_made; i++)
		if (a.made[i].fd >= 0)
			close(a.made[i].fd);
	free(a.made);
	nlab_plan_free(&a.plan);
	nlab_record_free(&a.rec);
	nlab_topology_free(a.old);
	nlab_state_close(&a.st);
	if (a.orig >= 0)
		close(a.orig);
	return ret;
}
