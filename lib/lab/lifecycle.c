// SPDX-License-Identifier: MIT
/* `netlab stop|start|restart LAB NODE...`: see lifecycle.h. */
#include "lab/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/enter.h"
#include "lab/lab.h"
#include "lab/names.h"
#include "kernel/netns.h"
#include "kernel/nl.h"
#include "lab/node.h"
#include "lab/nodeentry.h"
#include "topology/prefix.h"
#include "lab/proc.h"
#include "kernel/rtnl.h"
#include "lab/state.h"
#include "base/util.h"
#include "topology/nsname.h"
#include "base/testhook.h"

/* One run of a command on some nodes of a lab, the lab locked. */
struct life {
	const char *lab;
	const struct nlab_lifecycle_opts *o;
	struct nlab_state *st;
	const struct nlab_topology *t;
	struct nlab_record rec;
	size_t *idx; /* the nodes named, indexes in t->nodes, each once */
	size_t n;
	int orig; /* the caller's netns */
};

static const char *node_name(const struct life *l, size_t i)
{
	return l->t->nodes[i].name;
}

static void said(const struct life *l, size_t i, const char *what)
{
	if (l->o && l->o->done)
		l->o->done(l->o->data, node_name(l, i), what);
}

static int interrupted(const struct life *l, struct nlab_err *e)
{
	if (l->o && l->o->stop && *l->o->stop)
		return nlab_err_set(e, EINTR, "interrupted");
	return 0;
}

/* The record again, narrowed to the lab's nodes and switches (as `down`
 * reads it): the launcher appends to it. */
static int read_record(struct life *l, struct nlab_err *e)
{
	nlab_record_free(&l->rec);
	if (nlab_state_read(l->st, &l->rec, e))
		return -1;
	nlab_record_narrow(&l->rec, l->t);
	return 0;
}

/* The nodes named, each once, as indexes in l->t; then the record. */
static int life_nodes(struct life *l, const char *const *nodes, size_t n,
		      struct nlab_err *e)
{
	l->idx = xcalloc(n ? n : 1, sizeof(*l->idx));
	for (size_t k = 0; k < n; k++) {
		const struct nlab_node *node =
			nlab_topology_node(l->t, nodes[k]);
		bool twice = false;

		if (!node)
			return nlab_err_no_node(e, l->t, nodes[k], false);
		for (size_t j = 0; j < l->n; j++)
			twice |= &l->t->nodes[l->idx[j]] == node;
		if (!twice)
			l->idx[l->n++] = (size_t)(node - l->t->nodes);
	}
	return read_record(l, e);
}

int nlab_lab_lock(const char *lab, struct nlab_state *st,
		  struct nlab_topology **t, struct nlab_err *e)
{
	cleanup_free char *done = NULL;
	int r = nlab_state_open(lab, st, e);

	if (r > 0)
		return nlab_err_no_lab(e, lab);
	if (r < 0)
		return -1;
	done = nlab_state_slurp(lab, NLAB_STATE_COMPLETE);
	if (!done)
		nlab_err_set(e, 0,
			     "lab %s is half-built (an `up` was killed): "
			     "`netlab down %s` removes it",
			     lab, lab);
	else if (!nlab_lab_topology(lab, t, e))
		return 0;
	nlab_state_close(st);
	return -1;
}

static void life_close(struct life *l)
{
	nlab_record_free(&l->rec);
	free(l->idx);
	if (l->orig >= 0)
		close(l->orig);
}

/* The newest supervisor the record has for @node, or NULL. */
static const struct nlab_rec *newest_proc(const struct nlab_record *rec,
					  const char *node)
{
	for (size_t i = rec->n; i-- > 0;)
		if (rec->recs[i].kind == NLAB_REC_PROC &&
		    !strcmp(rec->recs[i].name, node))
			return &rec->recs[i];
	return NULL;
}

static bool running(const struct life *l, size_t i)
{
	pid_t pid;
	int fd = nlab_record_supervisor(&l->rec, node_name(l, i), &pid);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void mark_name(char *buf, size_t len, const char *node)
{
	snprintf(buf, len, "%s" NLAB_STOPPED_SUFFIX, node);
}

bool nlab_node_stop_requested(const char *lab, const struct nlab_record *rec,
			      const char *node)
{
	const struct nlab_rec *r = newest_proc(rec, node);
	char file[NLAB_NAME_MAX + 16];
	cleanup_free char *text = NULL;

	mark_name(file, sizeof(file), node);
	text = nlab_state_slurp(lab, file);
	if (!text)
		return false;
	text[strcspn(text, "\n")] = '\0';
	return !strcmp(text, r ? r->arg : "none");
}

/* NODE.stopped, naming the newest supervisor of the node. */
static int mark(struct life *l, size_t i, struct nlab_err *e)
{
	const struct nlab_rec *r = newest_proc(&l->rec, node_name(l, i));
	char file[NLAB_NAME_MAX + 16], text[128];

	mark_name(file, sizeof(file), node_name(l, i));
	snprintf(text, sizeof(text), "%s\n", r ? r->arg : "none");
	return nlab_state_write(l->st, file, text, strlen(text), e);
}

static void unmark(struct life *l, size_t i)
{
	char file[NLAB_NAME_MAX + 16];

	mark_name(file, sizeof(file), node_name(l, i));
	unlinkat(l->st->dirfd, file, 0);
}

int nlab_node_netns_open(const struct nlab_record *rec, const char *lab,
			 const char *node, struct nlab_err *e)
{
	char ns[NLAB_NAME_MAX * 2 + 2];
	const struct nlab_rec *r;
	struct stat sb;
	int fd;

	nlab_ns_name(ns, sizeof(ns), lab, node);
	r = nlab_record_find(rec, NLAB_REC_NETNS, ns);
	fd = nlab_netns_open(ns, e);
	if (fd < 0) {
		if (e->errnum == ENOENT) {
			nlab_err_set(e, 0,
				     "node %s of lab %s is missing (its netns "
				     "%s was removed)",
				     node, lab, ns);
			e->errnum = ENOENT;
		}
		return -1;
	}
	if (!r || fstat(fd, &sb) < 0 ||
	    (r->id.set && !nlab_ident_is(&r->id, &sb))) {
		close(fd);
		return nlab_err_set(e, 0,
				    "netns %s is not the one netlab made "
				    "(re-created since?): not touched",
				    ns);
	}
	return fd;
}

static int node_netns(struct life *l, size_t i, struct nlab_err *e)
{
	return nlab_node_netns_open(&l->rec, l->lab, node_name(l, i), e);
}

/* Inside the node's netns: its interfaces up, with their addresses and
 * routes, or down (the kernel then drops routes and IPv6 addresses). */
static int links_here(const struct nlab_node *n, bool up, struct nlab_err *e)
{
	char buf[64], what[160];
	struct nlab_nl nl;
	int ret;

	if (nlab_nl_open(&nl, e))
		return -1;
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct nlab_iface *f = &n->ifaces[i];
		int idx = (int)if_nametoindex(f->name);

		if (!idx) {
			nlab_nl_close(&nl);
			return nlab_err_set(e, errno, "%s", f->name);
		}
		snprintf(what, sizeof(what), "%s: set %s", f->name,
			 up ? "up" : "down");
		nlab_rtnl_link_up(&nl, idx, up, what);
		for (size_t a = 0; up && a < f->n_addrs; a++) {
			snprintf(what, sizeof(what), "%s: add %s", f->name,
				 nlab_prefix_str(&f->addrs[a], buf,
						 sizeof(buf)));
			nlab_rtnl_addr(&nl, idx, &f->addrs[a], true, what);
		}
	}
	ret = nlab_nl_flush(&nl, e);
	for (size_t i = 0; up && !ret && i < n->n_routes; i++) {
		const struct nlab_route *r = &n->routes[i];

		snprintf(what, sizeof(what), "route %s (line %d)",
			 r->is_default
				 ? "default"
				 : nlab_prefix_str(&r->dst, buf, sizeof(buf)),
			 r->line);
		nlab_rtnl_route(&nl, r,
				r->dev[0] ? (int)if_nametoindex(r->dev) : 0,
				true, what);
	}
	if (up && !ret)
		ret = nlab_nl_flush(&nl, e);
	nlab_nl_close(&nl);
	return ret;
}

static int set_links(struct life *l, size_t i, bool up, struct nlab_err *e)
{
	cleanup_close int fd = node_netns(l, i, e);
	int ret;

	if (fd < 0)
		return -1;
	if (nlab_netns_enter(fd, e))
		return nlab_err_wrap(e, "node %s", node_name(l, i));
	ret = links_here(&l->t->nodes[i], up, e);
	if (setns(l->orig, CLONE_NEWNET) < 0 && !ret)
		ret = nlab_err_set(e, errno, "return to the original netns");
	return ret ? nlab_err_wrap(e, "node %s", node_name(l, i)) : 0;
}

/* Stop nodes @which[0..n): marked first (a stop cut short still reads
 * as one), then their supervisors, then their links. */
static int stop_nodes(struct life *l, const size_t *which, size_t n,
		      struct nlab_err *e)
{
	cleanup_free const char **names = xcalloc(n ? n : 1, sizeof(*names));

	for (size_t k = 0; k < n; k++) {
		names[k] = node_name(l, which[k]);
		if (mark(l, which[k], e))
			return -1;
		/* A stopped node has no entry file (nodeentry.h). */
		nlab_entry_remove(l->st->dirfd, names[k]);
	}
	if (nlab_proc_stop_nodes(&l->rec, names, n, l->o ? l->o->w : NULL, e))
		return -1;
	nlab_pause("stop-links");
	for (size_t k = 0; k < n; k++)
		if (nlab_fault("stop-links", e) ||
		    set_links(l, which[k], false, e))
			return -1;
	return 0;
}

/* Back to as before a start that failed: the supervisors it may have
 * started stopped, and the nodes that were stopped on purpose (@marked)
 * stopped again, links down, marked anew (the record now has a newer
 * supervisor for them). */
static int unstart(struct life *l, const size_t *which, size_t n,
		   const bool *marked, struct nlab_err *e)
{
	cleanup_free size_t *again = xcalloc(n ? n : 1, sizeof(*again));
	size_t n_again = 0;

	for (size_t k = 0; k < n; k++)
		if (marked[k])
			again[n_again++] = which[k];
	if (read_record(l, e))
		return -1;
	/* Every one of them: a supervisor of the failed start may live. */
	{
		cleanup_free const char **names =
			xcalloc(n ? n : 1, sizeof(*names));

		for (size_t k = 0; k < n; k++)
			names[k] = node_name(l, which[k]);
		if (nlab_proc_stop_nodes(&l->rec, names, n, NULL, e))
			return -1;
	}
	for (size_t k = 0; k < n_again; k++)
		if (mark(l, again[k], e) || set_links(l, again[k], false, e))
			return -1;
	return 0;
}

/* Start nodes @which[0..n), none of them running: links up with their
 * addresses and routes (as a box boots: interfaces first), then one
 * launcher for their supervisors.  All or nothing. */
static int start_nodes(struct life *l, const size_t *which, size_t n,
		       struct nlab_err *e)
{
	cleanup_free int *fds = xcalloc(l->t->n_nodes, sizeof(*fds));
	cleanup_free bool *marked = xcalloc(n ? n : 1, sizeof(*marked));
	struct nlab_err e2;
	int ret = 0;

	for (size_t i = 0; i < l->t->n_nodes; i++)
		fds[i] = -1;
	for (size_t k = 0; k < n; k++)
		marked[k] = nlab_node_stop_requested(l->lab, &l->rec,
						     node_name(l, which[k]));
	for (size_t k = 0; k < n && !ret; k++) {
		fds[which[k]] = node_netns(l, which[k], e);
		if (fds[which[k]] < 0)
			ret = -1;
	}
	for (size_t k = 0; k < n && !ret; k++)
		ret = interrupted(l, e) || nlab_fault("start-links", e) ||
		      set_links(l, which[k], true, e);
	if (!ret)
		ret = interrupted(l, e) ||
		      nlab_nodes_start_some(l->t, which, n, fds, l->st, NULL,
					    l->o ? l->o->stop : NULL, e) ||
		      nlab_pause("started") || nlab_fault("started", e) ||
		      interrupted(l, e);
	for (size_t i = 0; i < l->t->n_nodes; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (!ret) {
		for (size_t k = 0; k < n; k++)
			unmark(l, which[k]);
		return 0;
	}
	if (unstart(l, which, n, marked, &e2) < 0) {
		size_t len = strlen(e->msg);

		snprintf(e->msg + len, sizeof(e->msg) - len,
			 "; undoing it failed too: %s", e2.msg);
	}
	return -1;
}

static int op_stop(struct life *l, struct nlab_err *e)
{
	cleanup_free bool *was = xcalloc(l->n ? l->n : 1, sizeof(*was));

	for (size_t k = 0; k < l->n; k++)
		was[k] = running(l, l->idx[k]) ||
			 !nlab_node_stop_requested(l->lab, &l->rec,
						   node_name(l, l->idx[k]));
	/* Every one, the stopped ones too: their links are set down again
	 * and the mark written, which is what `stop` promises. */
	if (stop_nodes(l, l->idx, l->n, e))
		return -1;
	for (size_t k = 0; k < l->n; k++)
		said(l, l->idx[k], was[k] ? "stopped" : "already stopped");
	return 0;
}

static int op_start(struct life *l, bool restart, struct nlab_err *e)
{
	cleanup_free size_t *todo = xcalloc(l->n ? l->n : 1, sizeof(*todo));
	size_t n = 0;

	if (restart && stop_nodes(l, l->idx, l->n, e))
		return -1;
	for (size_t k = 0; k < l->n; k++)
		if (restart || !running(l, l->idx[k]))
			todo[n++] = l->idx[k];
	if (start_nodes(l, todo, n, e))
		return restart ? nlab_err_wrap(e, "stopped, but not started "
						  "again")
			       : -1;
	for (size_t k = 0, j = 0; k < l->n; k++) {
		bool did = j < n && todo[j] == l->idx[k];

		j += did;
		said(l, l->idx[k],
		     did ? (restart ? "restarted" : "started")
			 : "already running");
	}
	return 0;
}

int nlab_nodes_op_held(struct nlab_state *st, const struct nlab_topology *t,
		       enum nlab_node_op op, const char *const *nodes, size_t n,
		       const struct nlab_lifecycle_opts *o, struct nlab_err *e)
{
	struct life l = { .lab = t->name, .o = o, .st = st, .t = t };
	int ret = -1;

	l.orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (l.orig < 0) {
		nlab_err_set(e, errno, "open /proc/self/ns/net");
		goto out;
	}
	if (life_nodes(&l, nodes, n, e))
		goto out;
	switch (op) {
	case NLAB_OP_STOP:
		ret = op_stop(&l, e);
		break;
	case NLAB_OP_START:
		ret = op_start(&l, false, e);
		break;
	case NLAB_OP_RESTART:
		ret = op_start(&l, true, e);
		break;
	}
out:
	life_close(&l);
	return ret;
}

int nlab_nodes_op(const char *lab, enum nlab_node_op op,
		  const char *const *nodes, size_t n,
		  const struct nlab_lifecycle_opts *o, struct nlab_err *e)
{
	struct nlab_topology *t = NULL;
	struct nlab_state st;
	int ret = -1;

	if (!nlab_lab_lock(lab, &st, &t, e))
		ret = nlab_nodes_op_held(&st, t, op, nodes, n, o, e);
	nlab_topology_free(t);
	nlab_state_close(&st);
	return ret;
}
