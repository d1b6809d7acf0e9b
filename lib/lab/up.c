// SPDX-License-Identifier: MIT
/*
 * `up`: turn a validated topology into namespaces, links, addresses and
 * routes, all or nothing.
 *
 * Shape: preflight (preflight.c: every check that needs the host, nothing
 * created) → state (the lab's record) → namespaces → bridges → veths →
 * addresses and routes → sysctls → nodes (node.h), with the hosts files
 * written beside the namespaces and links, on a thread of their own.
 * Every object is recorded before it is made; on any failure or signal
 * the record is walked backwards (nlab_lab_down), which is also what
 * `down` does.
 *
 * Netlink: one batching socket per namespace, opened while the process is
 * inside it (a socket belongs to the namespace it was made in), so no
 * request needs a namespace id and the kernel answers only failures.
 */
#include <errno.h>
#include <netlink/netlink.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/build.h"
#include "lab/hosts.h"
#include "lab/lab.h"
#include "kernel/netns.h"
#include "lab/node.h"
#include "lab/preflight.h"
#include "kernel/nl.h"
#include "kernel/qdisc.h"
#include "kernel/rtnl.h"
#include "lab/state.h"
#include "kernel/sysctl.h"
#include "base/parallel.h"
#include "base/util.h"
#include "topology/nsname.h"
#include "base/testhook.h"

#define BRIDGE_NAME NLAB_BRIDGE_NAME

/* One namespace being built: a node's, or a bridge segment's. */
struct nsrt {
	char ns[NLAB_NAME_MAX * 2 + 2];
	const struct nlab_node *node;	/* NULL for a switch */
	const struct nlab_segment *seg; /* the bridge segment of a switch */
	int fd;
	struct nlab_nl nl;
};

struct up {
	const struct nlab_topology *t;
	const struct nlab_up_opts *o;
	struct nlab_state st;
	struct nsrt *ns; /* nodes first, in order, then bridge segments */
	size_t n_ns;
	int *seg_ns; /* segment index -> ns index, -1 for veth */
	int orig_netns;
	/* The first ifindex free in a fresh namespace (after lo and any
	 * fallback tunnel devices the host's modules add to each): `up`
	 * numbers the interfaces it makes from there, so it never has to
	 * ask a namespace for them.  A node's interface i is base + i; a
	 * switch's bridge is base, the port of its member m base + 1 + m. */
	int base_idx;
	struct rlimit nofile; /* the caller's open-files limit, for the nodes */
	bool have_nofile;
	/* The hosts files, written on a thread of their own while the
	 * namespaces and links are made: a disk's work, not the kernel's
	 * netlink work, and the nodes need them only at their start. */
	struct nlab_bg hosts;
};

static int stopped(struct up *u, struct nlab_err *e)
{
	if (nlab_bg_failed(&u->hosts))
		return nlab_bg_wait(&u->hosts, e);
	if (u->o && u->o->stop && *u->o->stop)
		return nlab_err_set(e, EINTR, "interrupted");
	return 0;
}

static void progress(struct up *u, const char *phase, size_t done, size_t total)
{
	if (u->o && u->o->progress)
		u->o->progress(u->o->progress_data, phase, done, total);
}

/* The end of a phase: see nlab_up_opts.progress. */
static void phase_done(struct up *u, const char *phase, size_t total)
{
	progress(u, phase, total, total);
}

static struct nsrt *node_ns(struct up *u, const struct nlab_node *n)
{
	return &u->ns[n - u->t->nodes];
}

static struct nsrt *seg_ns(struct up *u, const struct nlab_segment *s)
{
	int i = u->seg_ns[s - u->t->segments];

	return i < 0 ? NULL : &u->ns[i];
}

/* The index `up` gives a node's interface (see base_idx). */
static int iface_idx(const struct up *u, const struct nlab_iface *f)
{
	return u->base_idx + (int)(f - f->node->ifaces);
}

/* ... or 0 for a name the node has not got. */
static int iface_idx_by_name(const struct up *u, const struct nlab_node *n,
			     const char *name)
{
	for (size_t i = 0; i < n->n_ifaces; i++)
		if (!strcmp(n->ifaces[i].name, name))
			return iface_idx(u, &n->ifaces[i]);
	return 0;
}

static void max_idx(void *data, const char *name, int idx)
{
	int *max = data;

	(void)name;
	if (idx > *max)
		*max = idx;
}

static int save_topology(struct up *u, struct nlab_err *e)
{
	if (nlab_state_write(&u->st, "topology.ini", u->t->source,
			     u->t->source_len, e) ||
	    nlab_state_write(&u->st, "source-dir", u->t->dir, strlen(u->t->dir),
			     e))
		return -1;
	phase_done(u, "state", 1);
	return 0;
}

/* base_idx, from the first namespace: every fresh one holds the same
 * devices (lo, and the fallback devices of the tunnel modules loaded). */
static int first_free_idx(struct up *u, struct nsrt *r, struct nlab_err *e)
{
	int max = 1;

	if (nlab_nl_links(&r->nl, max_idx, &max, e))
		return -1;
	u->base_idx = max + 1;
	return 0;
}

/* A procfs instance of its own for the sysctls of this many namespaces
 * in turn (see nlab_sysctl_root()): its /proc/sys/net hash chain holds
 * at most that many entries, and the instance's removal (an RCU grace
 * period) is paid once for them. */
#define SYSCTL_ROOT_SPAN 64

static int make_namespaces(struct up *u, struct nlab_err *e)
{
	cleanup_close int root = -1;
	int ret = 0;

	if (nlab_netns_dir_prepare(e))
		return -1;
	for (size_t i = 0; i < u->n_ns && !ret; i++) {
		struct nsrt *r = &u->ns[i];

		if (stopped(u, e) || nlab_fault("netns", e) ||
		    nlab_lab_netns_make(&u->st, r->ns, &r->fd, e)) {
			ret = -1;
			break;
		}
		if (i % SYSCTL_ROOT_SPAN == 0) {
			if (root >= 0)
				close(root);
			root = nlab_sysctl_root();
		}
		if (nlab_nl_open(&r->nl, e) ||
		    nlab_ns_birth_at(root, r->node, e) ||
		    (i == 0 && first_free_idx(u, r, e))) {
			nlab_err_wrap(e, "netns %s", r->ns);
			ret = -1;
			break;
		}
		nlab_rtnl_link_up(&r->nl, 1, true, "bring lo up");
		progress(u, "namespaces", i + 1, u->n_ns);
		nlab_pause("netns");
	}
	if (setns(u->orig_netns, CLONE_NEWNET) < 0 && !ret)
		ret = nlab_err_set(e, errno, "return to the original netns");
	return ret;
}

/* The bridges.  Only switch sockets are sent here; a node's "lo up" waits
 * in its queue and leaves with the veths. */
static int make_bridges(struct up *u, struct nlab_err *e)
{
	for (size_t i = 0; i < u->n_ns; i++) {
		struct nsrt *r = &u->ns[i];

		if (!r->seg)
			continue;
		nlab_rtnl_bridge(&r->nl, BRIDGE_NAME, u->base_idx, r->seg->sw,
				 "create bridge");
		if (nlab_fault("bridge", e) || nlab_nl_flush(&r->nl, e))
			return nlab_err_wrap(e, "switch %s", r->seg->name);
	}
	phase_done(u, "bridges", u->t->n_switches);
	return 0;
}

static void veth_pair(struct up *u, const struct nlab_segment *s)
{
	const struct nlab_iface *a = s->members[0], *b = s->members[1];

	nlab_queue_veth(&node_ns(u, a->node)->nl, s, node_ns(u, b->node)->fd,
			iface_idx(u, a), iface_idx(u, b));
}

static void bridge_ports(struct up *u, const struct nlab_segment *s)
{
	struct nsrt *sw = seg_ns(u, s);
	int br = u->base_idx;

	for (size_t m = 0; m < s->n_members; m++)
		nlab_queue_port(&sw->nl, s, m, br,
				node_ns(u, s->members[m]->node)->fd,
				br + 1 + (int)m, iface_idx(u, s->members[m]));
}

static int flush_all(struct up *u, struct nlab_err *e)
{
	for (size_t i = 0; i < u->n_ns; i++)
		if (nlab_nl_flush(&u->ns[i].nl, e))
			return -1;
	return 0;
}

static int make_veths(struct up *u, struct nlab_err *e)
{
	const struct nlab_topology *t = u->t;

	for (size_t s = 0; s < t->n_segments; s++) {
		if (t->segments[s].kind == NLAB_SEG_VETH)
			veth_pair(u, &t->segments[s]);
		else
			bridge_ports(u, &t->segments[s]);
	}
	if (nlab_fault("lo", e) || nlab_fault("veth", e) || flush_all(u, e))
		return -1;
	progress(u, "links", t->n_segments, t->n_segments);
	return 0;
}

static int node_addresses(struct up *u, struct nsrt *r, struct nlab_err *e)
{
	const struct nlab_node *n = r->node;
	char buf[64], what[160];

	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct nlab_iface *f = &n->ifaces[i];
		int idx = iface_idx(u, f);

		/* Peer ends arrive down (see nlab_rtnl_veth). */
		snprintf(what, sizeof(what), "node %s: %s: set up", n->name,
			 f->name);
		nlab_rtnl_link_up(&r->nl, idx, true, what);
		for (size_t a = 0; a < f->n_addrs; a++) {
			snprintf(what, sizeof(what), "node %s: %s: add %s",
				 n->name, f->name,
				 nlab_prefix_str(&f->addrs[a], buf,
						 sizeof(buf)));
			nlab_rtnl_addr(&r->nl, idx, &f->addrs[a], false, what);
		}
	}
	if (nlab_fault("addr", e))
		return -1;
	for (size_t i = 0; i < n->n_routes; i++) {
		const struct nlab_route *rt = &n->routes[i];

		snprintf(what, sizeof(what), "node %s: route %s (line %d)",
			 n->name,
			 rt->is_default
				 ? "default"
				 : nlab_prefix_str(&rt->dst, buf, sizeof(buf)),
			 rt->line);
		nlab_rtnl_route(&r->nl, rt,
				rt->dev[0] ? iface_idx_by_name(u, n, rt->dev)
					   : 0,
				false, what);
	}
	if (n->n_routes && nlab_fault("route", e))
		return -1;
	return nlab_nl_flush(&r->nl, e);
}

static int configure_nodes(struct up *u, struct nlab_err *e)
{
	for (size_t i = 0; i < u->t->n_nodes; i++) {
		if (stopped(u, e) || node_addresses(u, &u->ns[i], e))
			return -1;
		progress(u, "addresses", i + 1, u->t->n_nodes);
		nlab_pause("addresses");
	}
	return 0;
}

static int node_qdiscs(const struct up *u, struct nsrt *r, struct nlab_err *e)
{
	cleanup_nlsock struct nl_sock *sk = NULL;

	for (size_t i = 0; i < r->node->n_ifaces; i++) {
		const struct nlab_iface *f = &r->node->ifaces[i];

		if (!f->impair.set)
			continue;
		if (!sk && (nlab_netns_enter(r->fd, e) ||
			    !(sk = nlab_qdisc_socket(e))))
			return -1;
		if (nlab_qdisc_apply(sk, iface_idx(u, f), &f->impair, e))
			return nlab_err_wrap(e, "node %s: %s", r->node->name,
					     f->name);
	}
	return 0;
}

/* Impairments: libnl's qdisc objects, from inside each node that has
 * any (they are few; this is not the hot path). */
static int make_qdiscs(struct up *u, struct nlab_err *e)
{
	int ret = 0;

	for (size_t i = 0; i < u->t->n_nodes && !ret; i++)
		ret = node_qdiscs(u, &u->ns[i], e);
	if (setns(u->orig_netns, CLONE_NEWNET) < 0 && !ret)
		ret = nlab_err_set(e, errno, "return to the original netns");
	if (!ret)
		phase_done(u, "qdiscs", u->t->n_nodes);
	return ret;
}

/* User sysctls may name interfaces, so they come after the links. */
static int node_sysctls(struct up *u, struct nlab_err *e)
{
	int ret = 0, root = -1;
	size_t used = 0;

	for (size_t i = 0; i < u->t->n_nodes && !ret; i++) {
		const struct nlab_node *n = &u->t->nodes[i];

		if (!n->n_sysctls)
			continue;
		if (nlab_fault("sysctl", e) ||
		    nlab_netns_enter(u->ns[i].fd, e)) {
			ret = -1;
			break;
		}
		if (used++ % SYSCTL_ROOT_SPAN == 0) {
			if (root >= 0)
				close(root);
			root = nlab_sysctl_root();
		}
		for (size_t s = 0; s < n->n_sysctls && !ret; s++)
			if (nlab_sysctl_write_at(root, n->sysctls[s].key,
						 n->sysctls[s].value, false, e))
				ret = nlab_err_wrap(e, "node %s", n->name);
	}
	if (root >= 0)
		close(root);
	if (setns(u->orig_netns, CLONE_NEWNET) < 0 && !ret)
		ret = nlab_err_set(e, errno, "return to the original netns");
	if (!ret)
		phase_done(u, "sysctls", u->t->n_nodes);
	return ret;
}

static int hosts_job(void *ctx, struct nlab_err *e)
{
	struct up *u = ctx;

	return nlab_hosts_write(u->t, &u->st, e);
}

/* Before the first namespace: the thread starts in the original one.
 * Its failure is seen at the next stopped(), or at wait_hosts(). */
static int start_hosts(struct up *u)
{
	if (u->t->hosts)
		nlab_bg_start(&u->hosts, hosts_job, u);
	return 0;
}

/* The hosts files done: the nodes bind them at their start. */
static int wait_hosts(struct up *u, struct nlab_err *e)
{
	if (nlab_bg_wait(&u->hosts, e))
		return -1;
	phase_done(u, "hosts", u->t->n_nodes);
	return 0;
}

static int start_nodes(struct up *u, struct nlab_err *e)
{
	cleanup_free int *fds =
		xcalloc(u->t->n_nodes ? u->t->n_nodes : 1, sizeof(int));

	/* The sockets are done with; the supervisors need only the fds. */
	for (size_t i = 0; i < u->n_ns; i++)
		nlab_nl_close(&u->ns[i].nl);
	for (size_t i = 0; i < u->t->n_nodes; i++)
		fds[i] = u->ns[i].fd;
	if (nlab_fault("nodes", e) ||
	    nlab_nodes_start(u->t, fds, &u->st,
			     u->have_nofile ? &u->nofile : NULL,
			     u->o ? u->o->stop : NULL, e))
		return -1;
	phase_done(u, "nodes", u->t->n_nodes);
	return 0;
}

/* Release what `up` holds (not what it made on the host), state lock
 * first; @u is left empty, so a second call does nothing. */
static void up_free(struct up *u)
{
	/* A failure elsewhere: the files' thread is done before the record
	 * it writes to is closed and walked. */
	nlab_bg_wait(&u->hosts, NULL);
	nlab_state_close(&u->st);
	for (size_t i = 0; i < u->n_ns; i++) {
		nlab_nl_close(&u->ns[i].nl);
		if (u->ns[i].fd >= 0)
			close(u->ns[i].fd);
	}
	free(u->ns);
	u->ns = NULL;
	u->n_ns = 0;
	free(u->seg_ns);
	u->seg_ns = NULL;
	if (u->orig_netns >= 0)
		close(u->orig_netns);
	u->orig_netns = -1;
}
#define cleanup_up __attribute__((cleanup(up_free)))

static void plan(struct up *u)
{
	const struct nlab_topology *t = u->t;
	size_t n = t->n_nodes;

	u->seg_ns = xcalloc(t->n_segments ? t->n_segments : 1, sizeof(int));
	for (size_t s = 0; s < t->n_segments; s++)
		u->seg_ns[s] =
			t->segments[s].kind == NLAB_SEG_BRIDGE ? (int)n++ : -1;
	u->n_ns = n;
	u->ns = xcalloc(n, sizeof(*u->ns));
	for (size_t i = 0; i < t->n_nodes; i++) {
		u->ns[i].node = &t->nodes[i];
		nlab_ns_name(u->ns[i].ns, sizeof(u->ns[i].ns), t->name,
			     t->nodes[i].name);
	}
	for (size_t s = 0; s < t->n_segments; s++) {
		struct nsrt *r;

		if (u->seg_ns[s] < 0)
			continue;
		r = &u->ns[u->seg_ns[s]];
		r->seg = &t->segments[s];
		nlab_ns_name(r->ns, sizeof(r->ns), t->name, r->seg->name);
	}
	for (size_t i = 0; i < u->n_ns; i++)
		u->ns[i].fd = -1;
}

/* Each namespace holds an fd and a socket while `up` runs.  The caller's
 * limit is kept for the nodes, which get it back.  A hard limit below
 * what the lab needs is raised where we may (CAP_SYS_RESOURCE), else
 * refused here, before anything exists: running out of descriptors
 * halfway would only mean a rollback. */
static int raise_fd_limit(struct up *u, size_t need, struct nlab_err *e)
{
	rlim_t want = (rlim_t)need + 32;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	u->nofile = rl;
	u->have_nofile = true;
	if (rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
		struct rlimit more = { want, want };

		if (setrlimit(RLIMIT_NOFILE, &more) == 0)
			return 0;
		return nlab_err_set(e, 0,
				    "%zu namespaces need %llu open files "
				    "while `up` runs (2 each, and 32), and "
				    "the hard limit is %llu: raise it "
				    "(ulimit -Hn %llu as root, or "
				    "LimitNOFILE= for a service)",
				    u->n_ns, (unsigned long long)want,
				    (unsigned long long)rl.rlim_max,
				    (unsigned long long)want);
	}
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	return 0;
}

/* Everything after the state exists, in order; any failure leaves what
 * was made in the record for the rollback. */
static int build(struct up *u, struct nlab_err *e)
{
	/* nlab_pause(PHASE): a test build can stop here (testhook.h). */
	if (nlab_fault("state", e) || save_topology(u, e) ||
	    nlab_pause("state") || start_hosts(u) || make_namespaces(u, e) ||
	    stopped(u, e) || make_bridges(u, e) || nlab_pause("bridges") ||
	    stopped(u, e) || make_veths(u, e) || nlab_pause("veths") ||
	    stopped(u, e) || configure_nodes(u, e) || make_qdiscs(u, e) ||
	    nlab_pause("qdiscs") || node_sysctls(u, e) ||
	    nlab_pause("sysctls") || stopped(u, e) || wait_hosts(u, e) ||
	    nlab_pause("hosts") || stopped(u, e) || start_nodes(u, e) ||
	    nlab_pause("nodes") || stopped(u, e) ||
	    nlab_state_write(&u->st, NLAB_STATE_COMPLETE, "", 0, e))
		return -1;
	return 0;
}

/* Undo a failed build: the record walked backwards, as `down` does. */
static void rollback(struct up *u, struct nlab_err *e)
{
	struct nlab_err e2;

	/* The state lock is released so the shared walk can take it. */
	up_free(u);
	if (nlab_lab_down(u->t->name, &e2) < 0) {
		size_t l = strlen(e->msg);

		snprintf(e->msg + l, sizeof(e->msg) - l,
			 "; rollback failed too: %s", e2.msg);
	}
	nlab_test_sanitizer();
}

int nlab_lab_up(const struct nlab_topology *t, const struct nlab_up_opts *o,
		struct nlab_err *e)
{
	cleanup_up struct up u = {
		.t = t,
		.o = o,
		.st = { .dirfd = -1, .recfd = -1 },
		.orig_netns = -1,
	};

	plan(&u);
	if (nlab_up_preflight(t, e))
		return -1;
	phase_done(&u, "preflight", 1);
	if (raise_fd_limit(&u, 2 * u.n_ns, e))
		return -1;
	u.orig_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (u.orig_netns < 0)
		return nlab_err_set(e, errno, "open /proc/self/ns/net");
	/* On failure it exists, or could not be made: nothing of ours to
	 * undo. */
	if (nlab_state_create(t->name, &u.st, e))
		return -1;
	if (build(&u, e)) {
		rollback(&u, e);
		return -1;
	}
	return 0;
}
