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

/* Interfaces: the kinds of change not made in place. */
static void iface_refusals(const struct nlab_node *o, const struct nlab_node *n,
			   struct nlab_plan *p)
{
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct nlab_iface *f = &n->ifaces[i];
		const struct nlab_iface *was = nlab_node_iface(o, f->name);

		if (!was) {
			add(p, NLAB_STEP_REFUSED, n->name,
			    "%s: add interface (segment %s)", f->name,
			    f->segment->name);
			continue;
		}
		if (strcmp(was->segment->name, f->segment->name))
			add(p, NLAB_STEP_REFUSED, n->name,
			    "%s: move from segment %s to %s", f->name,
			    was->segment->name, f->segment->name);
		if (was->has_mac != f->has_mac ||
		    memcmp(was->mac, f->mac, sizeof(f->mac)))
			add(p, NLAB_STEP_REFUSED, n->name, "%s: change mac",
			    f->name);
		if (was->mtu != f->mtu)
			add(p, NLAB_STEP_REFUSED, n->name, "%s: change mtu",
			    f->name);
	}
	for (size_t i = 0; i < o->n_ifaces; i++)
		if (!nlab_node_iface(n, o->ifaces[i].name))
			add(p, NLAB_STEP_REFUSED, n->name,
			    "%s: remove interface (segment %s)",
			    o->ifaces[i].name, o->ifaces[i].segment->name);
}

static void addresses(const struct nlab_node *o, const struct nlab_node *n,
		      bool adding, struct nlab_plan *p, bool *changed)
{
	/* Removals walk the old interfaces, additions the new ones. */
	const struct nlab_node *from = adding ? n : o, *other = adding ? o : n;
	char buf[64];

	for (size_t i = 0; i < from->n_ifaces; i++) {
		const struct nlab_iface *f = &from->ifaces[i];
		const struct nlab_iface *g = nlab_node_iface(other, f->name);

		/* An interface added or removed is refused already. */
		if (!g)
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

static void impairments(const struct nlab_node *o, const struct nlab_node *n,
			struct nlab_plan *p)
{
	char now[256], was[256];

	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct nlab_iface *f = &n->ifaces[i];
		const struct nlab_iface *g = nlab_node_iface(o, f->name);
		struct nlab_step *s;

		if (!g || same_impair(&f->impair, &g->impair))
			continue;
		s = add(p, NLAB_STEP_IMPAIR, n->name,
			"%s: impairments %s (were %s)", f->name,
			impair_words(&f->impair, now, sizeof(now)),
			impair_words(&g->impair, was, sizeof(was)));
		s->ifname = f->name;
		s->impair = &f->impair;
	}
}

static void restart(const struct nlab_node *o, const struct nlab_node *n,
		    bool stopped, struct nlab_plan *p)
{
	char why[128] = "";

	for (size_t i = 0; i < ARRAY_SIZE(restart_fields); i++)
		if (!restart_fields[i].same(o, n))
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "%s%s", why[0] ? ", " : "",
				 restart_fields[i].name);
	if (!why[0])
		return;
	if (stopped)
		add(p, NLAB_STEP_NOTE, n->name,
		    "%s changed: used at the node's next start (it is stopped)",
		    why);
	else
		add(p, NLAB_STEP_RESTART, n->name, "restart (%s changed)", why);
}

static bool named(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
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

static void node_plan(const struct nlab_node *o, const struct nlab_node *n,
		      bool stopped, struct nlab_plan *p, bool *addr_changed)
{
	size_t first = p->n;
	bool changed = false;

	iface_refusals(o, n, p);
	routes(o, n, false, stopped, p);
	addresses(o, n, false, p, &changed);
	addresses(o, n, true, p, &changed);
	routes(o, n, true, stopped, p);
	/* A stopped node's routes are the business of its next start. */
	if (changed && !stopped) {
		struct nlab_step back;

		routes_step(p, NLAB_STEP_ROUTES_AGAIN, n);
		routes_step(p, NLAB_STEP_ROUTES_BACK, o);
		/* BACK goes first, so that it is undone last. */
		back = p->steps[p->n - 1];
		memmove(&p->steps[first + 1], &p->steps[first],
			(p->n - 1 - first) * sizeof(*p->steps));
		p->steps[first] = back;
	}
	*addr_changed |= changed;
	sysctls(o, n, p);
	impairments(o, n, p);
	restart(o, n, stopped, p);
}

/* ---- switches and the lab ------------------------------------------------ */

static const struct nlab_switch *find_switch(const struct nlab_topology *t,
					     const char *name)
{
	for (size_t i = 0; i < t->n_switches; i++)
		if (!strcmp(t->switches[i].name, name))
			return &t->switches[i];
	return NULL;
}

static bool same_switch(const struct nlab_switch *a,
			const struct nlab_switch *b)
{
	return a->stp == b->stp && a->vlan_filtering == b->vlan_filtering &&
	       a->mtu == b->mtu && a->has_ageing == b->has_ageing &&
	       (!a->has_ageing || a->ageing_s == b->ageing_s);
}

static void switches(const struct nlab_topology *old,
		     const struct nlab_topology *new, struct nlab_plan *p)
{
	for (size_t i = 0; i < new->n_switches; i++) {
		const struct nlab_switch *s = &new->switches[i];
		const struct nlab_switch *was = find_switch(old, s->name);

		if (was && same_switch(was, s))
			continue;
		add(p, NLAB_STEP_REFUSED, NULL, "switch %s: %s", s->name,
		    was ? "change its settings" : "add a [switch] section");
	}
	for (size_t i = 0; i < old->n_switches; i++)
		if (!find_switch(new, old->switches[i].name))
			add(p, NLAB_STEP_REFUSED, NULL,
			    "switch %s: remove its [switch] section",
			    old->switches[i].name);
}

void nlab_plan_make(const struct nlab_topology *old,
		    const struct nlab_topology *new, const char *const *stopped,
		    size_t n_stopped, struct nlab_plan *p)
{
	bool addr_changed = false;

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < new->n_nodes; i++) {
		const struct nlab_node *n = &new->nodes[i];
		const struct nlab_node *o = nlab_topology_node(old, n->name);

		if (!o)
			add(p, NLAB_STEP_REFUSED, n->name, "add node");
		else
			node_plan(o, n, named(stopped, n_stopped, n->name), p,
				  &addr_changed);
	}
	for (size_t i = 0; i < old->n_nodes; i++)
		if (!nlab_topology_node(new, old->nodes[i].name))
			add(p, NLAB_STEP_REFUSED, old->nodes[i].name,
			    "remove node");
	switches(old, new, p);
	if (old->hosts != new->hosts)
		add(p, NLAB_STEP_REFUSED, NULL, "hosts = %s (was %s)",
		    new->hosts ? "yes" : "no", old->hosts ? "yes" : "no");
	else if (new->hosts && addr_changed)
		add(p, NLAB_STEP_HOSTS, NULL,
		    "rewrite the nodes' hosts files (addresses changed)");
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
