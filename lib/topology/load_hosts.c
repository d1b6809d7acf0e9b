// SPDX-License-Identifier: MIT
/*
 * [host NAME] sections and a node's `host =`: one lab over several
 * machines.  Once the segments are known, each segment that spans hosts
 * gets its VNI and the MTU its interfaces must keep so that a full-size
 * frame fits in a VXLAN packet on the underlay (multihost.h says why).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "topology/load.h"
#include "topology/prefix.h"
#include "topology/spread.h"
#include "base/text.h"
#include "base/util.h"

static void host_address(struct loadctx *c, void *obj, const struct ini_key *k)
{
	struct nlab_host *h = obj;
	int fam = nlab_parse_addr(k->value, h->addr);

	if (!fam) {
		load_error(c, k->line, k->name,
			   "'%s' is not an IPv4 or IPv6 address (the "
			   "address other hosts reach this one on)",
			   k->value);
		return;
	}
	h->family = fam;
}

static void free_argv(struct nlab_host *h)
{
	for (size_t i = 0; i < h->argc; i++)
		free(h->argv[i]);
	free(h->argv);
	h->argv = NULL;
	h->argc = 0;
}

static void host_via(struct loadctx *c, void *obj, const struct ini_key *k)
{
	struct nlab_host *h = obj;
	cleanup_free char *v = xstrdup(k->value);
	char *cur = v, *kind = nlab_next_word(&cur), *w;

	free_argv(h);
	h->via = NLAB_VIA_UNSET;
	if (!kind) {
		load_error(c, k->line, k->name,
			   "expected local, ssh [USER@]HOST or exec COMMAND");
		return;
	}
	if (!strcmp(kind, "local"))
		h->via = NLAB_VIA_LOCAL;
	else if (!strcmp(kind, "ssh"))
		h->via = NLAB_VIA_SSH;
	else if (!strcmp(kind, "exec"))
		h->via = NLAB_VIA_EXEC;
	else {
		load_error(c, k->line, k->name,
			   "'%s': expected local, ssh [USER@]HOST or exec "
			   "COMMAND",
			   kind);
		return;
	}
	while ((w = nlab_next_word(&cur))) {
		h->argv = xrealloc(h->argv, (h->argc + 2) * sizeof(char *));
		h->argv[h->argc++] = xstrdup(w);
		h->argv[h->argc] = NULL;
	}
	if (h->via == NLAB_VIA_LOCAL && h->argc)
		load_error(c, k->line, k->name, "local takes nothing after it");
	else if (h->via == NLAB_VIA_SSH && h->argc != 1)
		load_error(c, k->line, k->name,
			   "ssh takes one [USER@]HOST (options go in "
			   "~/.ssh/config)");
	else if (h->via == NLAB_VIA_SSH && h->argv[0][0] == '-')
		load_error(c, k->line, k->name,
			   "'%s' is not a host (options go in ~/.ssh/config)",
			   h->argv[0]);
	else if (h->via == NLAB_VIA_EXEC && !h->argc)
		load_error(c, k->line, k->name,
			   "exec needs a command (it runs netlab on the host "
			   "with its arguments appended)");
}

static void host_mtu(struct loadctx *c, void *obj, const struct ini_key *k)
{
	struct nlab_host *h = obj;
	uint64_t v;

	if (!load_uint(c, k, "mtu", k->value, 576, 65535, &v))
		h->mtu = (uint32_t)v;
}

static const struct load_setting host_settings[] = {
	{ "address", host_address,
	  "ADDRESS: the underlay address the other hosts reach this one on" },
	{ "via", host_via,
	  "local | ssh [USER@]HOST | exec COMMAND...: how netlab reaches it" },
	{ "mtu", host_mtu,
	  "the underlay's MTU (default 1500): lab interfaces of segments "
	  "that cross hosts get 50 bytes less (70 over IPv6)" },
};

void load_host_section(struct loadctx *c, const struct ini_file *f,
		       const struct ini_section *s, const char *name)
{
	struct nlab_topology *t = c->t;
	struct nlab_host *h;
	bool has_addr = false;

	h = load_push(&t->machines, t->n_machines++, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->line = s->line;
	h->mtu = 1500;
	load_settings(c, f, s, host_settings, ARRAY_SIZE(host_settings), h);
	for (size_t i = 0; i < s->n_keys; i++)
		if (!strcmp(f->keys[s->keys[i]].name, "address"))
			has_addr = true;
	if (!has_addr)
		load_error(c, s->line, NULL,
			   "needs address = the underlay address other hosts "
			   "reach it on");
	if (h->via == NLAB_VIA_UNSET && !s->n_keys)
		load_error(c, s->line, NULL,
			   "needs via = local, ssh [USER@]HOST or exec "
			   "COMMAND");
	else if (h->via == NLAB_VIA_UNSET) {
		bool has_via = false;

		for (size_t i = 0; i < s->n_keys; i++)
			if (!strcmp(f->keys[s->keys[i]].name, "via"))
				has_via = true;
		if (!has_via)
			load_error(c, s->line, NULL,
				   "needs via = local, ssh [USER@]HOST or "
				   "exec COMMAND");
	}
}

/* After every [host]: duplicates of addresses, and at most one local. */
void load_hosts_check(struct loadctx *c)
{
	struct nlab_topology *t = c->t;
	const struct nlab_host *local = NULL;
	char label[64];

	for (size_t i = 0; i < t->n_machines; i++) {
		const struct nlab_host *h = &t->machines[i];

		snprintf(label, sizeof(label), "[host %s]", h->name);
		c->sect = label;
		for (size_t j = 0; h->family && j < i; j++) {
			const struct nlab_host *o = &t->machines[j];

			if (o->family == h->family &&
			    !memcmp(o->addr, h->addr,
				    NLAB_ADDR_LEN(h->family))) {
				load_error(c, h->line, "address",
					   "the address of [host %s] too "
					   "(line %d): each host has its own",
					   o->name, load_line(c, o->line));
				break;
			}
		}
		if (h->family && t->machines[0].family &&
		    h->family != t->machines[0].family)
			load_error(c, h->line, "address",
				   "every host's address is of one family "
				   "(the first [host] has an IPv%c one)",
				   t->machines[0].family == AF_INET ? '4'
								    : '6');
		if (h->via == NLAB_VIA_LOCAL && local)
			load_error(c, h->line, "via",
				   "[host %s] (line %d) is local already: "
				   "only one host is the one netlab runs on",
				   local->name, load_line(c, local->line));
		else if (h->via == NLAB_VIA_LOCAL)
			local = h;
	}
	c->sect = NULL;
}

/* `host = NAME` of a node. */
void load_node_host(struct loadctx *c, void *obj, const struct ini_key *k)
{
	struct nlab_node *n = obj;
	struct nlab_topology *t = c->t;

	n->host_line = k->line;
	for (size_t i = 0; i < t->n_machines; i++)
		if (!strcmp(t->machines[i].name, k->value)) {
			n->host = &t->machines[i];
			return;
		}
	if (!t->n_machines)
		load_error(c, k->line, k->name,
			   "no [host %s] section (a lab on more than one "
			   "machine declares each in a [host NAME] section)",
			   k->value);
	else
		load_error(c, k->line, k->name, "no [host %s] in this lab",
			   k->value);
}

/* 32-bit FNV-1a, the VNI rule's hash (documented: keep it stable). */
static uint32_t fnv1a(const char *a, const char *b)
{
	uint32_t h = 2166136261u;

	for (const char *p = a; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ (uint8_t)'.') * 16777619u;
	for (const char *p = b; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}

static bool vni_taken(const struct nlab_topology *t, size_t upto, uint32_t v)
{
	for (size_t i = 0; i < upto; i++)
		if (t->segments[i].vni == v)
			return true;
	return false;
}

static uint32_t overhead(int family)
{
	/* Ethernet 14 + VXLAN 8 + UDP 8 + IPv4 20 (IPv6 40) */
	return family == AF_INET6 ? 70 : 50;
}

/* Where `up --spread` put the nodes without host =: "NODE HOST" lines
 * that the coordinator sends its hosts and keeps in its record. */
static void load_placement(struct loadctx *c, const char *text)
{
	struct nlab_topology *t = c->t;
	cleanup_free char *copy = xstrdup(text);
	char *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		cleanup_free char *line = xstrdup(l);
		char *cur = l, *node = nlab_next_word(&cur),
		     *host = nlab_next_word(&cur);
		struct nlab_node *n = node ? nlab_topology_node(t, node) : NULL;
		struct nlab_host *h = NULL;

		for (size_t i = 0; host && i < t->n_machines; i++)
			if (!strcmp(t->machines[i].name, host))
				h = &t->machines[i];
		if (!n || !h || nlab_next_word(&cur))
			load_error(c, 0, NULL,
				   "placement '%s': no such node and host",
				   line);
		else if (n->host && !n->spread)
			load_error(c, n->line, NULL,
				   "placement: node %s has host = already",
				   n->name);
		else {
			n->host = h;
			n->spread = true;
		}
	}
}

/* Every node on a host once there are [host]s (placed by --spread if
 * asked); then each segment that spans hosts: its VNI, its MTU, and
 * what asks for more MTU than fits. */
void load_hosts_segments(struct loadctx *c)
{
	struct nlab_topology *t = c->t;
	char label[64];

	if (!t->n_machines || !*t->name)
		return;
	if (c->opts->place)
		load_placement(c, c->opts->place);
	if (c->opts->spread)
		nlab_topology_spread(t, NULL);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nlab_node *n = &t->nodes[i];

		if (n->host || n->host_line) /* a bad one is reported */
			continue;
		snprintf(label, sizeof(label), "[node %s]", n->name);
		c->sect = label;
		load_error(c, n->line, NULL,
			   "no host = NAME: this lab has [host] sections, so "
			   "every node says which host it runs on (or `netlab "
			   "up --spread` places the nodes without one)");
	}
	for (size_t i = 0; i < t->n_machines; i++) {
		const struct nlab_host *h = &t->machines[i];
		bool used = false;

		for (size_t n = 0; n < t->n_nodes && !used; n++)
			used = t->nodes[n].host == h;
		if (used)
			continue;
		snprintf(label, sizeof(label), "[host %s]", h->name);
		c->sect = label;
		if (c->opts->spread)
			load_error(c, h->line, NULL,
				   "no node runs on it: --spread has %zu "
				   "node%s for %zu hosts",
				   t->n_nodes, t->n_nodes == 1 ? "" : "s",
				   t->n_machines);
		else
			load_error(c, h->line, NULL,
				   "no node runs on it (host = %s in a [node])",
				   h->name);
	}
	for (size_t i = 0; i < t->n_segments; i++) {
		struct nlab_segment *s = &t->segments[i];
		uint32_t mtu = 0, v;

		for (size_t m = 0; m < s->n_members; m++) {
			const struct nlab_host *h = s->members[m]->node->host;
			uint32_t lim;

			if (!h)
				return; /* reported above */
			if (h != s->members[0]->node->host)
				s->spans = true;
			lim = h->mtu - overhead(h->family);
			if (!mtu || lim < mtu)
				mtu = lim;
		}
		if (!s->spans)
			continue;
		v = (fnv1a(t->name, s->name) & 0xffffff) ?: 1;
		while (vni_taken(t, i, v))
			v = (v & 0xffffff) + 1 > 0xffffff ? 1 : v + 1;
		s->vni = v;
		s->mtu = mtu;
		if (s->sw && s->sw->mtu > mtu) {
			snprintf(label, sizeof(label), "[switch %s]",
				 s->sw->name);
			c->sect = label;
			load_error(c, s->sw->line, "mtu",
				   "%u does not fit: segment %s crosses hosts "
				   "and VXLAN leaves %u of the underlay's MTU "
				   "(raise mtu in [host])",
				   s->sw->mtu, s->name, mtu);
		} else if (s->sw && s->sw->mtu) {
			s->mtu = s->sw->mtu;
		}
		for (size_t m = 0; m < s->n_members; m++) {
			const struct nlab_iface *f = s->members[m];

			if (f->mtu <= mtu)
				continue;
			snprintf(label, sizeof(label), "[node %s]",
				 f->node->name);
			c->sect = label;
			load_error(c, f->line, f->name,
				   "mtu=%u does not fit: segment %s crosses "
				   "hosts and VXLAN leaves %u of the "
				   "underlay's MTU (raise mtu in [host])",
				   f->mtu, s->name, mtu);
		}
	}
	c->sect = NULL;
}
