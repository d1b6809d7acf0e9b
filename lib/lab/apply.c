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
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/enter.h"
#include "lab/hosts.h"
#include "lab/lifecycle.h"
#include "kernel/netns.h"
#include "kernel/nl.h"
#include "kernel/qdisc.h"
#include "kernel/rtnl.h"
#include "lab/state.h"
#include "kernel/sysctl.h"
#include "base/util.h"
#include "base/testhook.h"

struct apply {
	const struct nlab_topology *new;
	struct nlab_topology *old;
	const struct nlab_apply_opts *o;
	struct nlab_state st;
	struct nlab_record rec;
	struct nlab_plan plan;
	int orig; /* the caller's netns */
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

static int in_node(struct apply *a, struct nlab_step *s, bool undo,
		   struct nlab_err *e)
{
	cleanup_close int fd =
		nlab_node_netns_open(&a->rec, a->new->name, s->node, e);
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

static int do_step(struct apply *a, struct nlab_step *s, bool undo,
		   struct nlab_err *e)
{
	switch (s->kind) {
	case NLAB_STEP_HOSTS:
		if (nlab_hosts_rewrite(undo ? a->old : a->new, &a->rec, e))
			return nlab_err_wrap(e, "%s", s->text);
		s->done = !undo;
		return 0;
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
	return 0;
}

static int run_steps(struct apply *a, bool *restarted, struct nlab_err *e)
{
	for (size_t i = 0; i < a->plan.n; i++) {
		struct nlab_step *s = &a->plan.steps[i];

		if (s->kind == NLAB_STEP_NOTE || s->kind == NLAB_STEP_RESTART)
			continue;
		if (nlab_pause("apply") || interrupted(a, e) ||
		    nlab_fault("apply", e) || do_step(a, s, false, e))
			return -1;
		say(a, s->text);
	}
	for (size_t i = 0; i < a->plan.n; i++) {
		if (a->plan.steps[i].kind != NLAB_STEP_RESTART)
			continue;
		if (nlab_pause("apply") || interrupted(a, e) ||
		    nlab_fault("apply", e))
			return -1;
		*restarted = true;
		if (restart(a, a->new, false, e))
			return -1;
		break;
	}
	for (size_t i = 0; i < a->plan.n; i++)
		if (a->plan.steps[i].kind == NLAB_STEP_NOTE)
			say(a, a->plan.steps[i].text);
	if (nlab_pause("apply") || interrupted(a, e) ||
	    nlab_fault("apply", e) || save(a, e))
		return -1;
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
		char *text;
		int r;

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

/* The nodes stopped by `netlab stop`: not restarted, their routes wait. */
static const char **stopped_nodes(struct apply *a, size_t *n)
{
	const char **names = xcalloc(a->old->n_nodes + 1, sizeof(*names));

	*n = 0;
	for (size_t i = 0; i < a->old->n_nodes; i++) {
		const char *name = a->old->nodes[i].name;
		pid_t pid;
		int fd = nlab_record_supervisor(&a->rec, name, &pid);

		if (fd >= 0)
			close(fd);
		else if (nlab_node_stop_requested(a->new->name, &a->rec, name))
			names[(*n)++] = name;
	}
	return names;
}

static int lab_apply(struct apply *a, struct nlab_err *e)
{
	cleanup_free const char **stopped = NULL;
	bool restarted = false;
	size_t n_stopped;
	struct nlab_err e2;

	if (nlab_state_read(&a->st, &a->rec, e))
		return -1;
	nlab_record_narrow(&a->rec, a->old);
	stopped = stopped_nodes(a, &n_stopped);
	nlab_plan_make(a->old, a->new, stopped, n_stopped, &a->plan);
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
	if (!run_steps(a, &restarted, e))
		return 0;
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
	nlab_plan_free(&a.plan);
	nlab_record_free(&a.rec);
	nlab_topology_free(a.old);
	nlab_state_close(&a.st);
	if (a.orig >= 0)
		close(a.orig);
	return ret;
}
