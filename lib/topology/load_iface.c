// SPDX-License-Identifier: MIT
/* IFNAME = SEGMENT [ADDRESS...] [OPTION=VALUE...] */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "topology/impair.h"
#include "topology/load.h"
#include "topology/prefix.h"
#include "base/text.h"
#include "base/util.h"

/* For suggestions only: parsing goes by name below. */
static const struct {
	const char *name;
} iface_options[] = {
	{ "mac" },  { "mtu" },	     { "rate" },    { "delay" },   { "jitter" },
	{ "loss" }, { "duplicate" }, { "corrupt" }, { "reorder" },
};

bool load_iface_option(const char *name)
{
	return nlab_table_find(name, NLAB_TABLE(iface_options));
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* xx:xx:xx:xx:xx:xx, each octet two hex digits. */
static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++, s += 3) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static void opt_mac(struct loadctx *c, struct nlab_iface *i,
		    const struct ini_key *k, const char *val)
{
	static const uint8_t zero[6];

	if (i->has_mac) {
		load_error(c, k->line, k->name, "mac is given twice");
		return;
	}
	if (parse_mac(val, i->mac)) {
		load_error(c, k->line, k->name,
			   "mac=%s: expected six hex octets, e.g. "
			   "02:00:00:00:00:01",
			   val);
		return;
	}
	if (i->mac[0] & 1) {
		load_error(c, k->line, k->name,
			   "mac=%s is a multicast address (the first octet "
			   "is odd); use a unicast one, e.g. 02:...",
			   val);
		return;
	}
	if (!memcmp(i->mac, zero, 6)) {
		load_error(c, k->line, k->name, "mac=%s: all zeros", val);
		return;
	}
	i->has_mac = true;
}

static void opt_mtu(struct loadctx *c, struct nlab_iface *i,
		    const struct ini_key *k, const char *val)
{
	uint64_t v;

	if (i->mtu) {
		load_error(c, k->line, k->name, "mtu is given twice");
		return;
	}
	if (!load_uint(c, k, "mtu", val, 68, 65535, &v))
		i->mtu = (uint32_t)v;
}

static void option(struct loadctx *c, struct nlab_iface *i,
		   const struct ini_key *k, char *word)
{
	char *eq = strchr(word, '=');
	struct nlab_err e;
	const char *near;
	char list[128];

	*eq = '\0';
	if (!strcmp(word, "mac")) {
		opt_mac(c, i, k, eq + 1);
	} else if (!strcmp(word, "mtu")) {
		opt_mtu(c, i, k, eq + 1);
	} else if (nlab_impair_known(word)) {
		*eq = '=';
		if (nlab_impair_parse(word, &i->impair, &e))
			load_error(c, k->line, k->name, "%s", e.msg);
	} else if ((near = nlab_suggest(word, NLAB_TABLE(iface_options)))) {
		load_error(c, k->line, k->name,
			   "unknown option '%s' (did you mean '%s'?)", word,
			   near);
	} else {
		nlab_table_names(list, sizeof(list), NLAB_TABLE(iface_options));
		load_error(c, k->line, k->name,
			   "unknown option '%s' (options: %s)", word, list);
	}
}

/* Addresses an interface cannot sensibly have. */
static const char *unusable(const struct nlab_prefix *p)
{
	const uint8_t *a = p->addr;
	static const uint8_t v6_zero[16], v6_lo[16] = { [15] = 1 };

	if (!p->len)
		return "a /0 prefix puts every address on this link";
	if (p->family == AF_INET) {
		if (a[0] == 0)
			return "0.0.0.0/8 is not a host address";
		if (a[0] == 127)
			return "127.0.0.0/8 belongs to lo";
		if (a[0] >= 224)
			return "a multicast or reserved address";
		return NULL;
	}
	if (!memcmp(a, v6_zero, 16))
		return "the unspecified address";
	if (!memcmp(a, v6_lo, 16))
		return "::1 belongs to lo";
	if (a[0] == 0xff)
		return "a multicast address";
	return NULL;
}

static void address(struct loadctx *c, struct nlab_iface *i,
		    const struct ini_key *k, const char *word)
{
	struct nlab_seen_ent *dup;
	struct nlab_prefix p, *slot;
	uint8_t key[17];
	char why[128], where[64];
	const char *bad;

	if (nlab_parse_prefix(word, &p, why)) {
		if (!strchr(word, '/') && !strchr(word, ':') &&
		    !strchr(word, '.'))
			snprintf(why, sizeof(why),
				 "'%s' is neither an address (ADDRESS/LEN) "
				 "nor an option (NAME=VALUE)",
				 word);
		load_error(c, k->line, k->name, "%s", why);
		return;
	}
	bad = unusable(&p);
	if (bad) {
		load_error(c, k->line, k->name, "%s: %s", word, bad);
		return;
	}
	key[0] = (uint8_t)p.family;
	memcpy(key + 1, p.addr, 16);
	snprintf(where, sizeof(where), "%s %s", c->sect, k->name);
	dup = nlab_seen_add(&c->addrs, key, sizeof(key), 0, k->line, where);
	if (dup) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(p.family, p.addr, a, sizeof(a));
		load_error(c, k->line, k->name,
			   "address %s is already used by %s (line %d)", a,
			   dup->where, load_line(c, dup->line));
		return;
	}
	slot = load_push(&i->addrs, i->n_addrs++, sizeof(*slot));
	*slot = p;
}

static void check_iface(struct loadctx *c, const struct nlab_iface *i,
			const struct ini_key *k)
{
	struct nlab_err e;

	if (nlab_impair_check(&i->impair, &e))
		load_error(c, k->line, k->name, "%s", e.msg);
	if (i->mtu && i->mtu < 1280)
		for (size_t a = 0; a < i->n_addrs; a++)
			if (i->addrs[a].family == AF_INET6) {
				load_error(c, k->line, k->name,
					   "mtu=%u is below 1280, the least "
					   "IPv6 allows, and %s has an IPv6 "
					   "address",
					   i->mtu, k->name);
				break;
			}
}

static bool name_ok(struct loadctx *c, const struct ini_key *k)
{
	const char *name = k->name;

	if (strlen(name) > NLAB_IFNAME_MAX)
		load_error(c, k->line, NULL,
			   "interface name '%s' is %zu bytes, the limit is %d",
			   name, strlen(name), NLAB_IFNAME_MAX);
	else if (!strcmp(name, "lo"))
		load_error(c, k->line, NULL,
			   "'lo' cannot be an interface here: every node has "
			   "its loopback already");
	else if (!nlab_valid_ifname(name))
		load_error(c, k->line, NULL,
			   "'%s' is not a valid interface name "
			   "([a-z0-9][a-z0-9_.-]*)",
			   name);
	else
		return true;
	return false;
}

void load_iface(struct loadctx *c, struct nlab_node *n, const struct ini_key *k)
{
	cleanup_free char *v = xstrdup(k->value);
	char *cur = v, *seg = nlab_next_word(&cur), *w;
	struct load_member *m;
	struct nlab_iface *i;

	/* Keep going with a bad name: the rest may hold more errors, and the
	 * segment then does not look one member short. */
	name_ok(c, k);
	i = load_push(&n->ifaces, n->n_ifaces++, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", k->name);
	i->line = k->line;
	if (!seg) {
		load_error(c, k->line, k->name,
			   "needs a segment: IFNAME = SEGMENT [ADDRESS...] "
			   "[OPTION=VALUE...]");
		return;
	}
	if (!nlab_valid_name(seg)) {
		load_error(c, k->line, k->name,
			   "'%s' is not a valid segment name "
			   "([a-z0-9][a-z0-9_-]{0,31})",
			   seg);
	} else {
		m = load_push(&c->members, c->n_members++, sizeof(*m));
		m->node = (size_t)(n - c->t->nodes);
		m->iface = n->n_ifaces - 1;
		m->line = k->line;
		snprintf(m->segment, sizeof(m->segment), "%s", seg);
	}
	while ((w = nlab_next_word(&cur))) {
		if (strchr(w, '='))
			option(c, i, k, w);
		else
			address(c, i, k, w);
	}
	check_iface(c, i, k);
}
