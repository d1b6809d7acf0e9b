// SPDX-License-Identifier: MIT
/* `apply`'s plan: the stored topology and the new file compared, node by
 * node, into steps (see apply.h). */
#include "lab/apply.h"
#include "lab/applyplan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/util.h"
#include "lab/hosts.h"

#define REFUSED_WHY " (not made in place: `netlab down` and `up` do it)"

static struct nlab_step *add(struct nlab_plan *p, enum nlab_step_kind kind,
			     const char *node, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct nlab_step *add(struct nlab_plan *p, enum nlab_step_kind kind,
			     const char *node, const char *fmt, ...)
{
	struct nlab_step *s;
	char *body;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&body, fmt, ap) < 0)
		body = NULL;
	va_end(ap);
	xgrow(&p->steps, &p->cap, p->n + 1, sizeof(*p->steps));
	s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->node = node;
	if (asprintf(&s->text, "%s: %s%s", node ? node : "lab",
		     body ? body : "?",
		     kind == NLAB_STEP_REFUSED ? REFUSED_WHY : "") < 0)
		s->text = NULL;
	free(body);
	if (kind == NLAB_STEP_REFUSED)
		p->n_refused++;
	else if (kind != NLAB_STEP_NOTE)
		p->n_todo++;
	return s;
}

/* ---- what counts as the same ------------------------------------------- */

/* [lab] hosts, as the topology spells it. */
static const char *const hosts_names[] = {
	[NLAB_HOSTS_NO] = "no",
	[NLAB_HOSTS_SHARED] = "yes",
	[NLAB_HOSTS_PRIVATE] = "private",
};

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_prefix(const struct nlab_prefix *a,
			const struct nlab_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

static bool same_route(const struct nlab_route *a, const struct nlab_route *b)
{
	size_t glen = a->gw_family == AF_INET ? 4 : 16;

	return a->is_default == b->is_default &&
	       (a->is_default || same_prefix(&a->dst, &b->dst)) &&
	       a->gw_family == b->gw_family && !memcmp(a->gw, b->gw, glen) &&
	       !strcmp(a->dev, b->dev) && a->has_metric == b->has_metric &&
	       (!a->has_metric || a->metric == b->metric);
}

static bool same_impair(const struct nlab_impair *a,
			const struct nlab_impair *b)
{
	return a->set == b->set && a->rate_bps == b->rate_bps &&
	       a->delay_us == b->delay_us && a->jitter_us == b->jitter_us &&
	       a->loss_pct == b->loss_pct &&
	       a->duplicate_pct == b->duplicate_pct &&
	       a->corrupt_pct == b->corrupt_pct &&
	       a->reorder_pct == b->reorder_pct;
}

static bool same_run(const struct nlab_node *a, const struct nlab_node *b)
{
	return same_str(a->run, b->run);
}

static bool same_mounts(const struct nlab_node *a, const struct nlab_node *b)
{
	if (a->n_mounts != b->n_mounts)
		return false;
	for (size_t i = 0; i < a->n_mounts; i++)
		if (!same_str(a->mounts[i].source, b->mounts[i].source) ||
		    strcmp(a->mounts[i].target, b->mounts[i].target) ||
		    a->mounts[i].readonly != b->mounts[i].readonly ||
		    a->mounts[i].size != b->mounts[i].size ||
		    a->mounts[i].mode != b->mounts[i].mode ||
		    a->mounts[i].uid != b->mounts[i].uid ||
		    a->mounts[i].gid != b->mounts[i].gid)
			return false;
	return true;
}

static bool same_files(const struct nlab_node *a, const struct nlab_node *b)
{
	return same_str(a->files, b->files);
}

static bool same_shared(const struct nlab_node *a, const struct nlab_node *b)
{
	return a->shared == b->shared;
}

static bool same_env(const struct nlab_node *a, const struct nlab_node *b)
{
	if (a->n_env != b->n_env)
		return false;
	for (size_t i = 0; i < a->n_env; i++)
		if (strcmp(a->env[i].name, b->env[i].name) ||
		    strcmp(a->env[i].value, b->env[i].value))
			return false;
	return true;
}

static bool same_log_max(const struct nlab_node *a, const struct nlab_node *b)
{
	return a->log_max == b->log_max;
}

/* What a node's supervisor holds from its start: a change to any of
 * these restarts the node. */
static const struct {
	const char *name;
	bool (*same)(const struct nlab_node *, const struct nlab_node *);
} restart_fields[] = {
	{ "run", same_run },	 { "bind/tmpfs", same_mounts },
	{ "env", same_env },	 { "log_max", same_log_max },
	{ "files", same_files }, { "shared", same_shared },
};

/* ---- words --------------------------------------------------------------- */

static const char *route_str(const struct nlab_route *r, char *buf, size_t len)
{
	char dst[64], gw[64];
	struct nlab_prefix g = { .family = r->gw_family,
				 .len = r->gw_family == AF_INET ? 32 : 128 };
	int n;

	memcpy(g.addr, r->gw, sizeof(g.addr));
	nlab_prefix_str(&g, gw, sizeof(gw));
	gw[strcspn(gw, "/")] = '\0';
	n = snprintf(buf, len, "%s via %s",
		     r->is_default ? "default"
				   : nlab_prefix_str(&r->dst, dst, sizeof(dst)),
		     gw);
	if (r->dev[0] && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, " dev %s", r->dev);
	if (r->has_metric && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " metric %u", r->metric);
	return buf;
}

static const char *impair_words(const struct nlab_impair *imp, char *buf,
				size_t len)
{
	nlab_impair_str(imp, buf, len);
	if (!buf[0])
		snprintf(buf, len, "none");
	return buf;
}

/* ---- one node ------------------------------------------------------------ */

static bool has_addr(const struct nlab_iface *f, const struct nlab_prefix *a)
{
	for (size_t i = 0; f && i < f->n_addrs; i++)
		if (same_prefix(&f->addrs[i], a))
			return true;
	return false;
}

static bool has_route(const struct nlab_node *n, const struct nlab_route *r)
{
	for (size_t i = 0; i < n->n_routes; i++)
		if (same_route(&n->routes[i], r))
			return true;
	return false;
}

static const struct nlab_sysctl *find_sysctl(const struct nlab_node *n,
					     const char *key)
{
	for (size_t i = 0; i < n->n_sysctls; i++)
		if (!strcmp(n->sysctls[i].key, key))
			return &n->sysctls[i];
	return NULL;
}

/* ---- the plan being made ------------------------------------------------ */

/* The parts of a plan, in the order they are done; each is a plan of its
 * own while it is made, then they are put end to end. */
enum part {
	P_BACK,	    /* ROUTES_BACK: undone last */
	P_ADD,	    /* new nodes' and switches' namespaces */
	P_LINK_DEL, /* links that go, while every node is there */
	P_LINK_ADD,
	P_LINK_SET,
	P_NODES, /* each node's own changes, node by node */
	P_CONF,	 /* new nodes' routes and sysctls */
	P_HOSTS,
	P_START, /* new nodes' supervisors */
	P_DEL,	 /* nodes and switches that go: last */
	P_LAB,	 /* the lab's own refusals */
	N_PARTS,
};

struct ctx {
	const struct nlab_topology *old, *new;
	bool (*stopped)(void *data, const char *node);
	void *data;
	/* Sorted by name (a node's and a segment's name come first), for
	 * look-ups in a large lab. */
	const char **old_nodes, **new_nodes, **old_segs;
	/* Interfaces made anew (of the new topology) and gone (old). */
	const struct nlab_iface **fresh, **gone;
	size_t n_fresh, cap_fresh, n_gone, cap_gone;
	struct nlab_plan part[N_PARTS];
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* @n objects of @size bytes each, whose first field is their name. */
static const char **sorted(const void *base, size_t n, size_t size)
{
	const char **v = xcalloc(n ? n : 1, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = (const char *)base + i * size;
	if (n)
		qsort(v, n, sizeof(*v), cmp_name);
	return v;
}

static const void *lookup(const char **v, size_t n, const char *name)
{
	const char **hit =
		n ? bsearch(&name, v, n, sizeof(*v), cmp_name) : NULL;

	return hit ? *hit : NULL;
}

static const struct nlab_node *old_node(const struct ctx *c, const char *name)
{
	return lookup(c->old_nodes, c->old->n_nodes, name);
}

static const struct nlab_node *new_node(const struct ctx *c, const char *name)
{
	return lookup(c->new_nodes, c->new->n_nodes, name);
}

static const struct nlab_segment *old_seg(const struct ctx *c, const char *name)
{
	return lookup(c->old_segs, c->old->n_segments, name);
}

static void mark(const struct nlab_iface ***v, size_t *n, size_t *cap,
		 const struct nlab_iface *f)
{
	xgrow(v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = f;
}

static bool marked(const struct nlab_iface *const *v, size_t n,
		   const char *node, const char *ifname)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i]->node->name, node) &&
		    !strcmp(v[i]->name, ifname))
			return true;
	return false;
}

static bool is_fresh(const struct ctx *c, const char *node, const char *ifname)
{
	return marked(c->fresh, c->n_fresh, node, ifname);
}

static bool is_gone(const struct ctx *c, const char *node, const char *ifname)
{
	return marked(c->gone, c->n_gone, node, ifname);
}

/* ---- one node ------------------------------------------------------------ */

static void addresses(const struct ctx *c, const struct nlab_node *o,
		      const struct nlab_node *n, bool adding,
		      struct nlab_plan *p, bool *changed)
{
	/* Removals walk the old interfaces, additions the new ones. */
	const struct nlab_node *from = adding ? n : o, *other = adding ? o : n;
	char buf[64];

	for (size_t i = 0; i < from->n_ifaces; i++) {
		const struct nlab_iface *f = &from->ifaces[i];
		const struct nlab_iface *g = nlab_node_iface(other, f->name);

		/* A link made anew comes with its addresses; one that goes
		 * takes them along. */
		if (!g || (adding ? is_fresh(c, n->name, f->name)
				  : is_gone(c, n->name, f->name)))
			continue;
		for (size_t a = 0; a < f->n_addrs; a++) {
			struct nlab_step *s;

			if (has_addr(g, &f->addrs[a]))
				continue;
			s = add(p,
				adding ? NLAB_STEP_ADDR_ADD
				       : NLAB_STEP_ADDR_DEL,
				n->name, "%s: %s address %s", f->name,
				adding ? "add" : "remove",
				nlab_prefix_str(&f->addrs[a], buf,
						sizeof(buf)));
			s->ifname = f->name;
			s->addr = &f->addrs[a];
			*changed = true;
		}
	}
}

static void routes(const struct nlab_node *o, const struct nlab_node *n,
		   bool adding, bool stopped, struct nlab_plan *p)
{
	const struct nlab_node *from = adding ? n : o, *other = adding ? o : n;
	char buf[160];

	for (size_t i = 0; i < from->n_routes; i++) {
		const struct nlab_route *r = &from->routes[i];
		struct nlab_step *s;

		if (has_route(other, r))
			continue;
		route_str(r, buf, sizeof(buf));
		if (adding && stopped) {
			/* `start` adds the routes of the stored topology. */
			add(p, NLAB_STEP_NOTE, n->name,
			    "add route %s (at the node's next start: it is "
			    "stopped)",
			    buf);
			continue;
		}
		s = add(p, adding ? NLAB_STEP_ROUTE_ADD : NLAB_STEP_ROUTE_DEL,
			n->name, "%s route %s", adding ? "add" : "remove", buf);
		s->route = r;
	}
}

static void sysctl_step(struct nlab_plan *p, const char *node, const char *key,
			const char *value, const char *was, const char *why)
{
	struct nlab_step *s;

	if (value)
		s = add(p, NLAB_STEP_SYSCTL, node, "sysctl %s = %s (was %s)%s",
			key, value, was ? was : "not set", why);
	else
		s = add(p, NLAB_STEP_SYSCTL, node,
			"sysctl %s: not set any more (was %s): back to a new "
			"namespace's value",
			key, was);
	s->key = xstrdup(key);
	s->value = value ? xstrdup(value) : NULL;
}

static void sysctls(const struct nlab_node *o, const struct nlab_node *n,
		    struct nlab_plan *p)
{
	static const char *const fwd[] = { "net.ipv4.ip_forward",
					   "net.ipv6.conf.all.forwarding" };

	if (o->forward != n->forward)
		for (size_t i = 0; i < ARRAY_SIZE(fwd); i++)
			sysctl_step(p, n->name, fwd[i], n->forward ? "1" : "0",
				    o->forward ? "1" : "0",
				    n->forward ? " (forward = yes)"
					       : " (forward = no)");
	for (size_t i = 0; i < n->n_sysctls; i++) {
		const struct nlab_sysctl *s = &n->sysctls[i];
		const struct nlab_sysctl *was = find_sysctl(o, s->key);

		if (!was || strcmp(was->value, s->value))
			sysctl_step(p, n->name, s->key, s->value,
				    was ? was->value : NULL, "");
	}
	for (size_t i = 0; i < o->n_sysctls; i++)
		if (!find_sysctl(n, o->sysctls[i].key))
			sysctl_step(p, n->name, o->sysctls[i].key, NULL,
				    o->sysctls[i].value, "");
}

static void impairments(const struct ctx *c, const struct nlab_node *o,
			const struct nlab_node *n, struct nlab_plan *p)
{
	char now[256], was[256];

	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct nlab_iface *f = &n->ifaces[i];
		const struct nlab_iface *g = nlab_node_iface(o, f->name);
		struct nlab_step *s;

		/* A link made anew gets its impairments with it. */
		if (!g || same_impair(&f->impair, &g->impair) ||
		    is_fresh(c, n->name, f->name))
			continue;
		s = add(p, NLAB_STEP_IMPAIR, n->name,
			"%s: impairments %s (were %s)", f->name,
			impair_words(&f->impair, now, sizeof(now)),
			impair_words(&g->impair, was, sizeof(was)));
		s->ifname = f->name;
		s->impair = &f->impair;
	}
}

/* Why node @n restarts ("" if it does not). */
static void restart_why(const struct nlab_node *o, const struct nlab_node *n,
			char *why, size_t len)
{
	why[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(restart_fields); i++)
		if (!restart_fields[i].same(o, n))
			snprintf(why + strlen(why), len - strlen(why), "%s%s",
				 why[0] ? ", " : "", restart_fields[i].name);
}

static void restart(const struct nlab_node *n, const char *why, bool stopped,
		    struct nlab_plan *p)
{
	if (!why[0])
		return;
	if (stopped)
		add(p, NLAB_STEP_NOTE, n->name,
		    "%s changed: used at the node's next start (it is stopped)",
		    why);
	else
		add(p, NLAB_STEP_RESTART, n->name, "restart (%s changed)", why);
}

/* A step not said, for the routes the kernel drops with an address. */
static void routes_step(struct nlab_plan *p, enum nlab_step_kind kind,
			const struct nlab_node *n)
{
	struct nlab_step *s;

	xgrow(&p->steps, &p->cap, p->n + 1, sizeof(*p->steps));
	s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->node = n->name;
	s->routes = n;
}

static bool relinked(const struct ctx *c, const struct nlab_node *o,
		     const struct nlab_node *n)
{
	for (size_t i = 0; i < n->n_ifaces; i++)
		if (is_fresh(c, n->name, n->ifaces[i].name))
			return true;
	for (size_t i = 0; i < o->n_ifaces; i++)
		if (is_gone(c, o->name, o->ifaces[i].name))
			return true;
	return false;
}

static void node_plan(struct ctx *c, const struct nlab_node *o,
		      const struct nlab_node *n)
{
	struct nlab_plan *p = &c->part[P_NODES];
	bool changed = relinked(c, o, n), stopped = false, ask;
	char why[128];

	/* Whether the node is stopped matters only for a restart or routes
	 * to add: the others are not asked about (a large lab). */
	restart_why(o, n, why, sizeof(why));
	ask = why[0] || changed;
	for (size_t i = 0; !ask && i < n->n_routes; i++)
		ask = !has_route(o, &n->routes[i]);
	for (size_t i = 0; !ask && i < n->n_ifaces; i++) {
		const struct nlab_iface *g =
			nlab_node_iface(o, n->ifaces[i].name);

		for (size_t a = 0; g && !ask && a < n->ifaces[i].n_addrs; a++)
			ask = !has_addr(g, &n->ifaces[i].addrs[a]);
		for (size_t a = 0; g && !ask && a < g->n_addrs; a++)
			ask = !has_addr(&n->ifaces[i], &g->addrs[a]);
	}
	if (ask && c->stopped)
		stopped = c->stopped(c->data, n->name);
	routes(o, n, false, stopped, p);
	addresses(c, o, n, false, p, &changed);
	addresses(c, o, n, true, p, &changed);
	routes(o, n, true, stopped, p);
	/* A stopped node's routes are the business of its next start. */
	if (changed && !stopped) {
		routes_step(p, NLAB_STEP_ROUTES_AGAIN, n);
		routes_step(&c->part[P_BACK], NLAB_STEP_ROUTES_BACK, o);
	}
	sysctls(o, n, p);
	impairments(c, o, n, p);
	restart(n, why, stopped, p);
}

/* A node of the new topology only. */
static void node_new(struct ctx *c, const struct nlab_node *n)
{
	struct nlab_step *s;

	s = add(&c->part[P_ADD], NLAB_STEP_NODE_ADD, n->name, "add node");
	s->what = n;
	s = add(&c->part[P_CONF], NLAB_STEP_NODE_CONF, n->name, "-");
	s->what = n;
	free(s->text);
	s->text = NULL;
	c->part[P_CONF].n_todo--;
	s = add(&c->part[P_START], NLAB_STEP_NODE_START, n->name, "start%s",
		n->run ? " (run)" : "");
	s->what = n;
	c->part[P_START].n_todo--; /* counted with its node */
}

/* ---- links ----------------------------------------------------------------
 */

static void peer_words(const struct nlab_segment *s, const struct nlab_iface *f,
		       char *buf, size_t len)
{
	if (s->kind == NLAB_SEG_BRIDGE) {
		snprintf(buf, len, "switch %s", s->name);
		return;
	}
	f = s->members[s->members[0] == f ? 1 : 0];
	snprintf(buf, len, "%s:%s (segment %s)", f->node->name, f->name,
		 s->name);
}

/* The step that adds (@adding) or removes link @f of segment @s. */
static void link_step(struct ctx *c, const struct nlab_segment *s,
		      const struct nlab_iface *f, bool adding)
{
	struct nlab_step *st;
	char peer[128];

	peer_words(s, f, peer, sizeof(peer));
	st = add(&c->part[adding ? P_LINK_ADD : P_LINK_DEL],
		 adding ? NLAB_STEP_LINK_ADD : NLAB_STEP_LINK_DEL,
		 f->node->name, "%s: %s link to %s", f->name,
		 adding ? "add" : "remove", peer);
	st->ifname = f->name;
	st->seg = s;
	st->iface = s->kind == NLAB_SEG_BRIDGE ? f : NULL;
}

/* Link @f of segment @s (a whole veth pair, or one switch port) made. */
static void link_add(struct ctx *c, const struct nlab_segment *s,
		     const struct nlab_iface *f)
{
	link_step(c, s, f, true);
	if (s->kind == NLAB_SEG_BRIDGE) {
		mark(&c->fresh, &c->n_fresh, &c->cap_fresh, f);
		return;
	}
	for (size_t m = 0; m < s->n_members; m++)
		mark(&c->fresh, &c->n_fresh, &c->cap_fresh, s->members[m]);
}

/* Link @f of old segment @s removed, from a node that stays till the
 * end; one whose nodes all go goes with them. */
static void link_del(struct ctx *c, const struct nlab_segment *s,
		     const struct nlab_iface *f)
{
	if (s->kind == NLAB_SEG_VETH) {
		for (size_t m = 0; m < s->n_members; m++)
			mark(&c->gone, &c->n_gone, &c->cap_gone, s->members[m]);
		if (!new_node(c, f->node->name))
			f = s->members[1];
		if (!new_node(c, f->node->name))
			return;
	} else {
		mark(&c->gone, &c->n_gone, &c->cap_gone, f);
		if (!new_node(c, f->node->name))
			return;
	}
	link_step(c, s, f, false);
}

static void segment_all(struct ctx *c, const struct nlab_segment *s,
			bool adding)
{
	struct nlab_step *st;

	if (s->kind == NLAB_SEG_VETH) {
		(adding ? link_add : link_del)(c, s, s->members[0]);
		return;
	}
	if (adding) {
		st = add(&c->part[P_ADD], NLAB_STEP_SWITCH_ADD, NULL,
			 "add switch %s", s->name);
		st->seg = s;
	}
	for (size_t m = 0; m < s->n_members; m++)
		(adding ? link_add : link_del)(c, s, s->members[m]);
	if (!adding) {
		st = add(&c->part[P_DEL], NLAB_STEP_SWITCH_DEL, NULL,
			 "remove switch %s", s->name);
		st->seg = s;
	}
}

static bool same_member(const struct nlab_iface *a, const struct nlab_iface *b)
{
	return !strcmp(a->node->name, b->node->name) &&
	       !strcmp(a->name, b->name);
}

static const struct nlab_iface *member(const struct nlab_segment *s,
				       const struct nlab_iface *f)
{
	for (size_t m = 0; m < s->n_members; m++)
		if (same_member(s->members[m], f))
			return s->members[m];
	return NULL;
}

static void mac_words(const struct nlab_iface *f, char *buf, size_t len)
{
	if (!f->has_mac)
		snprintf(buf, len, "random");
	else
		snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", f->mac[0],
			 f->mac[1], f->mac[2], f->mac[3], f->mac[4], f->mac[5]);
}

/* MTU and MAC of a link that stays, changed in place. */
static void link_set(struct ctx *c, const struct nlab_iface *was,
		     const struct nlab_iface *f)
{
	bool mac = was->has_mac != f->has_mac ||
		   (f->has_mac && memcmp(was->mac, f->mac, sizeof(f->mac)));
	char now[32], then[32];
	struct nlab_step *st;

	if (nlab_iface_mtu(was) != nlab_iface_mtu(f)) {
		st = add(&c->part[P_LINK_SET], NLAB_STEP_LINK_SET,
			 f->node->name, "%s: mtu %u (was %u)", f->name,
			 nlab_iface_mtu(f), nlab_iface_mtu(was));
		st->ifname = f->name;
		st->iface = f;
		st->was_iface = was;
	}
	if (mac) {
		mac_words(f, now, sizeof(now));
		mac_words(was, then, sizeof(then));
		st = add(&c->part[P_LINK_SET], NLAB_STEP_LINK_SET,
			 f->node->name, "%s: mac %s (was %s)", f->name, now,
			 then);
		st->ifname = f->name;
		st->iface = f;
		st->was_iface = was;
		st->value = xstrdup("mac");
	}
}

static bool same_veth(const struct nlab_segment *o,
		      const struct nlab_segment *s)
{
	return (same_member(o->members[0], s->members[0]) &&
		same_member(o->members[1], s->members[1])) ||
	       (same_member(o->members[0], s->members[1]) &&
		same_member(o->members[1], s->members[0]));
}

static bool same_switch(const struct nlab_switch *a,
			const struct nlab_switch *b)
{
	static const struct nlab_switch none;

	/* A bridge without a [switch] section has the defaults. */
	a = a ? a : &none;
	b = b ? b : &none;
	return a->stp == b->stp && a->vlan_filtering == b->vlan_filtering &&
	       a->mtu == b->mtu && a->has_ageing == b->has_ageing &&
	       (!a->has_ageing || a->ageing_s == b->ageing_s);
}

static void segment_plan(struct ctx *c, const struct nlab_segment *o,
			 const struct nlab_segment *s)
{
	if (o->kind != s->kind ||
	    (s->kind == NLAB_SEG_VETH && !same_veth(o, s))) {
		segment_all(c, o, false);
		segment_all(c, s, true);
		return;
	}
	if (s->kind == NLAB_SEG_BRIDGE && !same_switch(o->sw, s->sw)) {
		add(&c->part[P_LAB], NLAB_STEP_REFUSED, NULL,
		    "switch %s: change its settings", s->name);
		return;
	}
	for (size_t m = 0; m < o->n_members; m++)
		if (!member(s, o->members[m]))
			link_del(c, o, o->members[m]);
	for (size_t m = 0; m < s->n_members; m++) {
		const struct nlab_iface *was = member(o, s->members[m]);

		if (!was)
			link_add(c, s, s->members[m]);
		else
			link_set(c, was, s->members[m]);
	}
}

static void segments(struct ctx *c)
{
	const struct nlab_topology *old = c->old, *new = c->new;
	cleanup_free const char **new_segs =
		sorted(new->segments, new->n_segments, sizeof(*new->segments));

	for (size_t i = 0; i < new->n_segments; i++) {
		const struct nlab_segment *s = &new->segments[i];
		const struct nlab_segment *o = old_seg(c, s->name);

		if (o)
			segment_plan(c, o, s);
		else
			segment_all(c, s, true);
	}
	for (size_t i = 0; i < old->n_segments; i++)
		if (!lookup(new_segs, new->n_segments, old->segments[i].name))
			segment_all(c, &old->segments[i], false);
}

/* ---- the whole ----------------------------------------------------------- */

static void join(struct ctx *c, struct nlab_plan *p)
{
	memset(p, 0, sizeof(*p));
	for (int k = 0; k < N_PARTS; k++) {
		struct nlab_plan *q = &c->part[k];

		xgrow(&p->steps, &p->cap, p->n + q->n + 1, sizeof(*p->steps));
		if (q->n)
			memcpy(&p->steps[p->n], q->steps,
			       q->n * sizeof(*q->steps));
		p->n += q->n;
		p->n_todo += q->n_todo;
		p->n_refused += q->n_refused;
		free(q->steps);
	}
}

void nlab_plan_make_cb(const struct nlab_topology *old,
		       const struct nlab_topology *new,
		       bool (*stopped)(void *data, const char *node),
		       void *data, struct nlab_plan *p)
{
	struct ctx c = {
		.old = old, .new = new, .stopped = stopped, .data = data
	};

	c.old_nodes = sorted(old->nodes, old->n_nodes, sizeof(*old->nodes));
	c.new_nodes = sorted(new->nodes, new->n_nodes, sizeof(*new->nodes));
	c.old_segs =
		sorted(old->segments, old->n_segments, sizeof(*old->segments));
	/* Links first: a node's own plan needs to know which of its
	 * interfaces are made anew or go. */
	segments(&c);
	for (size_t i = 0; i < new->n_nodes; i++) {
		const struct nlab_node *n = &new->nodes[i];
		const struct nlab_node *o = old_node(&c, n->name);

		if (o)
			node_plan(&c, o, n);
		else
			node_new(&c, n);
	}
	for (size_t i = 0; i < old->n_nodes; i++) {
		const struct nlab_node *o = &old->nodes[i];
		struct nlab_step *s;

		if (new_node(&c, o->name))
			continue;
		s = add(&c.part[P_DEL], NLAB_STEP_NODE_DEL, o->name,
			"remove node");
		s->what = o;
		/* It lives till the end: a link of it removed before with
		 * its peer comes back on a rollback, and its routes too. */
		for (size_t k = 0; k < o->n_ifaces; k++)
			if (is_gone(&c, o->name, o->ifaces[k].name)) {
				routes_step(&c.part[P_BACK],
					    NLAB_STEP_ROUTES_BACK, o);
				break;
			}
	}
	if (old->hosts != new->hosts)
		add(&c.part[P_LAB], NLAB_STEP_REFUSED, NULL,
		    "hosts = %s (was %s)", hosts_names[new->hosts],
		    hosts_names[old->hosts]);
	else if (new->hosts && !nlab_hosts_same(old, new))
		add(&c.part[P_HOSTS], NLAB_STEP_HOSTS, NULL,
		    "rewrite the nodes' hosts files (%s changed)",
		    old->n_nodes != new->n_nodes ? "nodes" : "addresses");
	join(&c, p);
	free(c.old_nodes);
	free(c.new_nodes);
	free(c.old_segs);
	free(c.fresh);
	free(c.gone);
}

struct names {
	const char *const *v;
	size_t n;
};

static bool named(void *data, const char *name)
{
	const struct names *s = data;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return true;
	return false;
}

void nlab_plan_make(const struct nlab_topology *old,
		    const struct nlab_topology *new, const char *const *stopped,
		    size_t n_stopped, struct nlab_plan *p)
{
	struct names s = { stopped, n_stopped };

	nlab_plan_make_cb(old, new, named, &s, p);
}

void nlab_plan_free(struct nlab_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->steps[i].text);
		free(p->steps[i].key);
		free(p->steps[i].value);
		free(p->steps[i].was);
	}
	free(p->steps);
	memset(p, 0, sizeof(*p));
}
