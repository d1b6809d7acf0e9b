// SPDX-License-Identifier: MIT
/* Reading a lab back.  libnl-route's object model fits here: we want
 * whole link and address objects, not a hot path of requests. */
#include "run/status.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/enter.h"
#include "lab/lab.h"
#include "lab/lifecycle.h"
#include "lab/node.h"
#include "kernel/netns.h"
#include "kernel/pidns.h"
#include "lab/proc.h"
#include "kernel/qdisc.h"
#include "lab/state.h"
#include "base/parallel.h"
#include "base/util.h"
#include "topology/nsname.h"

static const char *const node_states[NLAB_NODE__MAX] = {
	[NLAB_NODE_ABSENT] = "absent",
	[NLAB_NODE_UP] = "up",
	[NLAB_NODE_STOPPED] = "stopped",
	[NLAB_NODE_DEAD] = "dead",
};

const char *nlab_node_state_name(enum nlab_node_state st)
{
	return (unsigned)st < NLAB_NODE__MAX ? node_states[st] : "absent";
}

const struct nlab_deg_reason nlab_deg_reasons[] = {
	{ NLAB_DEG_SUPERVISOR_DEAD, "supervisor-dead", "supervisor dead" },
	{ NLAB_DEG_STOPPED, "stopped", "stopped" },
	{ NLAB_DEG_NETNS_GONE, "netns-gone", "netns gone" },
};
const size_t nlab_n_deg_reasons = ARRAY_SIZE(nlab_deg_reasons);

static void read_iface(struct nl_cache *qdiscs, struct nl_cache *links,
		       struct nl_cache *addrs, struct nlab_if_status *s)
{
	struct rtnl_link *l = rtnl_link_get_by_name(links, s->decl->name);
	size_t cap = 0;
	int idx;

	if (!l)
		return;
	s->exists = true;
	s->up = rtnl_link_get_flags(l) & IFF_UP;
	s->carrier = rtnl_link_get_carrier(l);
	s->mtu = rtnl_link_get_mtu(l);
	if (rtnl_link_get_addr(l))
		nl_addr2str(rtnl_link_get_addr(l), s->mac, sizeof(s->mac));
	idx = rtnl_link_get_ifindex(l);
	rtnl_link_put(l);

	for (struct nl_object *o = nl_cache_get_first(addrs); o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		char buf[128];

		if (rtnl_addr_get_ifindex(a) != idx ||
		    rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE)
			continue;
		nl_addr2str(rtnl_addr_get_local(a), buf, sizeof(buf));
		xgrow(&s->addrs, &cap, s->n_addrs + 1, sizeof(*s->addrs));
		s->addrs[s->n_addrs++] = xstrdup(buf);
	}
	/* What the kernel does now: `netlab impair` may have changed it.
	 * A failure to list qdiscs shows as none. */
	if (qdiscs)
		nlab_qdisc_read_cached(qdiscs, idx, &s->impair);
}

/* Every link of the netns, without their statistics (RTEXT_FILTER_SKIP_
 * STATS), which status does not show and which are most of a link dump:
 * the kernel's filling them in and libnl's parsing them were the larger
 * part of status at 1000 nodes.  A libnl error code on failure. */
static int link_cache(struct nl_sock *sk, struct nl_cache **links)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;
	int err;

	err = nl_cache_alloc_name("route/link", links);
	if (err < 0)
		return err;
	msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	if (!msg)
		return -NLE_NOMEM;
	err = nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	if (err >= 0)
		err = nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (err >= 0)
		err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (err >= 0)
		err = nl_cache_pickup(sk, *links);
	return err < 0 ? err : 0;
}

/* Called from inside the node's netns. */
static int read_node(struct nlab_node_status *ns, struct nlab_err *e)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *links = NULL, *addrs = NULL, *qdiscs = NULL;
	struct nlab_err ign;
	int ret = 0, err;

	if (!sk)
		return nlab_err_set(e, ENOMEM, "netlink");
	if ((err = nl_connect(sk, NETLINK_ROUTE)) < 0 ||
	    (err = link_cache(sk, &links)) < 0 ||
	    (err = rtnl_addr_alloc_cache(sk, &addrs)) < 0) {
		ret = nlab_err_set(e, 0, "node %s: %s", ns->decl->name,
				   nl_geterror(err));
		goto out;
	}
	/* Every qdisc of the node at once, not a list per interface. */
	if (ns->decl->n_ifaces)
		nlab_qdisc_cache(sk, &qdiscs, &ign);
	for (size_t i = 0; i < ns->decl->n_ifaces; i++)
		read_iface(qdiscs, links, addrs, &ns->ifs[i]);
out:
	if (qdiscs)
		nl_cache_free(qdiscs);
	if (addrs)
		nl_cache_free(addrs);
	if (links)
		nl_cache_free(links);
	nl_socket_free(sk);
	return ret;
}

/* The supervisor's liveness and what NODE.run says; what it said last is
 * stale once it is dead: a `run` it reported running died with it. */
static void read_supervisor(const char *lab, int dirfd,
			    const struct nlab_record *rec,
			    struct nlab_node_status *ns, ino_t *pidns)
{
	pid_t pid;
	int fd = nlab_record_supervisor(rec, ns->decl->name, &pid);

	*pidns = 0;
	nlab_run_read_at(dirfd, ns->decl->name, &ns->run);
	if (fd >= 0) {
		ns->supervisor = pid;
		ns->state = NLAB_NODE_UP;
		/* The node's PID namespace (its PID 1 is in it), read while
		 * the pidfd pins the process: still alive after the read
		 * means the pid was not someone else's. */
		*pidns = nlab_pidns_of(pid);
		if (nlab_pidfd_exited(fd))
			*pidns = 0;
		close(fd);
		return;
	}
	if (fd == -1 && nlab_node_stop_requested(lab, rec, ns->decl->name)) {
		ns->state = NLAB_NODE_STOPPED;
		ns->stop_requested = true;
		/* Killed after the grace period: it said nothing. */
		if (!ns->run.stop_signal) {
			ns->run.stop_signal = SIGKILL;
			ns->run.stop_from = NLAB_STOP_HOST;
		}
	} else if (fd == -1) {
		ns->state = ns->run.stop_signal ? NLAB_NODE_STOPPED
						: NLAB_NODE_DEAD;
	}
	if (ns->run.state == NLAB_RUN_RUNNING) {
		ns->run.state = NLAB_RUN_LOST;
		ns->run.value = 0;
	}
}

/* What every node's reading shares; each thread reads whole nodes, in
 * the node's netns, which setns() changes for the calling thread only. */
struct reading {
	struct nlab_lab_status *s;
	const struct nlab_record *rec;
	bool detail;
	int dirfd; /* the state dir, for every node's NODE.run */
	ino_t *pidns;
	atomic_bool failed;
	pthread_mutex_t lock;
	size_t err_at; /* the first node (by index) that failed, and why */
	struct nlab_err err;
};

static void read_one(void *ctx, size_t n)
{
	struct reading *r = ctx;
	const struct nlab_topology *t = r->s->topo;
	struct nlab_node_status *ns = &r->s->nodes[n];
	struct nlab_err e = { 0 }, ign;
	int fd, ret;

	ns->decl = &t->nodes[n];
	nlab_ns_name(ns->netns, sizeof(ns->netns), t->name, t->nodes[n].name);
	ns->ifs = xcalloc(t->nodes[n].n_ifaces, sizeof(*ns->ifs));
	for (size_t i = 0; i < t->nodes[n].n_ifaces; i++)
		ns->ifs[i].decl = &t->nodes[n].ifaces[i];
	read_supervisor(t->name, r->dirfd, r->rec, ns, &r->pidns[n]);
	if (!r->detail) {
		ns->present = nlab_netns_exists(ns->netns);
		return;
	}
	if (atomic_load(&r->failed))
		return; /* the reading fails: no need to go on */
	fd = nlab_netns_open(ns->netns, &ign);
	if (fd < 0)
		return; /* removed behind our back: shown as gone */
	ns->present = true;
	ret = nlab_netns_enter(fd, &e) ? -1 : read_node(ns, &e);
	close(fd);
	if (!ret)
		return;
	atomic_store(&r->failed, true);
	pthread_mutex_lock(&r->lock);
	if (n < r->err_at) {
		r->err_at = n;
		r->err = e;
	}
	pthread_mutex_unlock(&r->lock);
}

/* Each node is system calls, the kernel's dumps and /proc: on as many
 * CPUs as there are, 1000 nodes take about half as long on two. */
static int read_nodes(struct nlab_lab_status *s, const struct nlab_record *rec,
		      bool detail, struct nlab_err *e)
{
	const struct nlab_topology *t = s->topo;
	cleanup_close int orig =
		open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	/* Opened once for every node's NODE.run. */
	cleanup_close int dirfd = nlab_state_dir(t->name);
	cleanup_free ino_t *pidns = xcalloc(t->n_nodes + 1, sizeof(*pidns));
	cleanup_free size_t *count = xcalloc(t->n_nodes + 1, sizeof(*count));
	struct reading r = { .s = s, .rec = rec, .detail = detail,
			     .dirfd = dirfd, .pidns = pidns,
			     .lock = PTHREAD_MUTEX_INITIALIZER,
			     .err_at = SIZE_MAX };
	int ret = 0;

	if (orig < 0)
		return nlab_err_set(e, errno, "open /proc/self/ns/net");
	atomic_init(&r.failed, false);
	s->nodes = xcalloc(t->n_nodes, sizeof(*s->nodes));
	/* Made now, not by whichever thread looks a netns up first. */
	nlab_record_index(rec);
	nlab_parallel(t->n_nodes, nlab_cpus(), read_one, &r);
	pthread_mutex_destroy(&r.lock);
	if (atomic_load(&r.failed)) {
		*e = r.err;
		ret = -1;
	}
	/* The caller's thread read nodes too. */
	if (setns(orig, CLONE_NEWNET) < 0 && !ret)
		ret = nlab_err_set(e, errno, "return to the original netns");
	if (ret || !detail)
		return ret;
	/* Every node's processes from one pass over /proc; the supervisor
	 * (PID 1) is not one of them. */
	if (nlab_pidns_count(pidns, t->n_nodes, count, e))
		return -1;
	for (size_t n = 0; n < t->n_nodes; n++)
		s->nodes[n].processes = count[n] ? count[n] - 1 : 0;
	return 0;
}

static void add_degraded(struct nlab_lab_status *s, size_t *cap,
			 const char *name, unsigned why,
			 const struct nlab_run *run)
{
	struct nlab_degraded *d;

	xgrow(&s->degraded, cap, s->n_degraded + 1, sizeof(*s->degraded));
	d = &s->degraded[s->n_degraded++];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->why = why;
	if (run)
		d->run = *run;
}

static void add_stopped(struct nlab_lab_status *s, size_t *cap,
			const char *name)
{
	xgrow(&s->stopped, cap, s->n_stopped + 1, sizeof(*s->stopped));
	s->stopped[s->n_stopped++] = name;
}

/* Every node and switch of a complete lab that is not whole: nodes in
 * file order, then switches; and apart, the nodes stopped on purpose. */
static void find_degraded(struct nlab_lab_status *s)
{
	const struct nlab_topology *t = s->topo;
	size_t cap = 0, cap_stopped = 0;

	for (size_t n = 0; n < t->n_nodes; n++) {
		const struct nlab_node_status *ns = &s->nodes[n];
		unsigned why = ns->present ? 0 : NLAB_DEG_NETNS_GONE;

		if (ns->stop_requested)
			add_stopped(s, &cap_stopped, t->nodes[n].name);
		else if (ns->state == NLAB_NODE_STOPPED)
			why |= NLAB_DEG_STOPPED;
		else if (ns->state != NLAB_NODE_UP)
			why |= NLAB_DEG_SUPERVISOR_DEAD;
		if (why)
			add_degraded(s, &cap, t->nodes[n].name, why, &ns->run);
	}
	for (size_t i = 0; i < t->n_segments; i++) {
		const struct nlab_segment *seg = &t->segments[i];
		char netns[NLAB_NAME_MAX * 2 + 2];

		if (seg->kind != NLAB_SEG_BRIDGE)
			continue;
		nlab_ns_name(netns, sizeof(netns), t->name, seg->name);
		if (!nlab_netns_exists(netns))
			add_degraded(s, &cap, seg->name, NLAB_DEG_NETNS_GONE,
				     NULL);
	}
}

int nlab_status_read(const char *lab, bool detail, struct nlab_lab_status *s,
		     struct nlab_err *e)
{
	cleanup_free char *done = NULL;
	struct nlab_record rec = { 0 };
	int r, ret;

	memset(s, 0, sizeof(*s));
	r = nlab_state_peek(lab, &rec, e);
	if (r)
		return r;
	if (nlab_lab_topology(lab, &s->topo, e)) {
		nlab_record_free(&rec);
		return -1;
	}
	nlab_record_narrow(&rec, s->topo);
	for (size_t i = 0; i < rec.n; i++) {
		if (rec.recs[i].kind != NLAB_REC_NETNS)
			continue;
		s->netns_total++;
		s->netns_present += nlab_netns_exists(rec.recs[i].arg);
	}
	ret = read_nodes(s, &rec, detail, e);
	/* No completion mark: `up` is still running, or was killed (then
	 * `down` finishes it); what is missing is then no news. */
	done = nlab_state_slurp(lab, NLAB_STATE_COMPLETE);
	if (done && !ret)
		find_degraded(s);
	if (!done)
		s->state = "incomplete";
	else if (s->n_degraded)
		s->state = "degraded";
	else
		s->state = "up";
	nlab_record_free(&rec);
	return ret;
}

void nlab_status_free(struct nlab_lab_status *s)
{
	for (size_t n = 0; s->nodes && n < s->topo->n_nodes; n++) {
		for (size_t i = 0;
		     s->nodes[n].ifs && i < s->topo->nodes[n].n_ifaces; i++) {
			for (size_t a = 0; a < s->nodes[n].ifs[i].n_addrs; a++)
				free(s->nodes[n].ifs[i].addrs[a]);
			free(s->nodes[n].ifs[i].addrs);
		}
		free(s->nodes[n].ifs);
	}
	free(s->nodes);
	free(s->degraded);
	free(s->stopped);
	nlab_topology_free(s->topo);
	memset(s, 0, sizeof(*s));
}
