// SPDX-License-Identifier: MIT
/*
 * One host's part of a lab spread over several: the lab file with what is
 * not that host's blanked out, line for line, so that the part is a
 * normal topology whose line numbers are still the user's.  Kept: [lab]
 * (but its labels, which may name segments elsewhere), the host's nodes
 * (but their host =), and the [switch] sections of its segments that do
 * not cross hosts.  Appended: a [switch SEG] for every segment that does
 * cross hosts and has members here, so that it is a bridge the VXLAN
 * port joins, with the MTU that fits the underlay (multihost.h).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "topology/part.h"
#include "base/util.h"

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	xgrow(&b->p, &b->cap, b->len + n + 1, 1);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void putf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void putf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* "[ node  R1 ]" -> kind "node", name "r1" (lower case, as the INI
 * library folds them). */
static void header(const char *l, size_t n, char *kind, char *name)
{
	size_t i = 0, k = 0, m = 0;

	kind[0] = name[0] = '\0';
	while (i < n && l[i] != '[')
		i++;
	i++;
	while (i < n && isspace((unsigned char)l[i]))
		i++;
	while (i < n && !isspace((unsigned char)l[i]) && l[i] != ']' &&
	       k < NLAB_NAME_MAX)
		kind[k++] = (char)tolower((unsigned char)l[i++]);
	kind[k] = '\0';
	while (i < n && isspace((unsigned char)l[i]))
		i++;
	while (i < n && !isspace((unsigned char)l[i]) && l[i] != ']' &&
	       m < NLAB_NAME_MAX)
		name[m++] = (char)tolower((unsigned char)l[i++]);
	name[m] = '\0';
}

/* The key a line sets ("" for none), lower case. */
static void key_of(const char *l, size_t n, char *key, size_t len)
{
	size_t i = 0, k = 0;

	while (i < n && isspace((unsigned char)l[i]))
		i++;
	while (i < n && l[i] != '=' && !isspace((unsigned char)l[i]) &&
	       k + 1 < len)
		key[k++] = (char)tolower((unsigned char)l[i++]);
	key[k] = '\0';
	while (i < n && isspace((unsigned char)l[i]))
		i++;
	if (i >= n || l[i] != '=')
		key[0] = '\0';
}

static const struct nlab_segment *segment(const struct nlab_topology *t,
					  const char *name)
{
	for (size_t i = 0; i < t->n_segments; i++)
		if (!strcmp(t->segments[i].name, name))
			return &t->segments[i];
	return NULL;
}

bool nlab_segment_on(const struct nlab_segment *s, const struct nlab_host *h)
{
	for (size_t m = 0; m < s->n_members; m++)
		if (s->members[m]->node->host == h)
			return true;
	return false;
}

/* Is section KIND NAME kept in @h's part? */
static bool keep_section(const struct nlab_topology *t,
			 const struct nlab_host *h, const char *kind,
			 const char *name)
{
	const struct nlab_segment *s;
	const struct nlab_node *n;

	if (!strcmp(kind, "lab"))
		return true;
	if (!strcmp(kind, "node")) {
		n = nlab_topology_node(t, name);
		return n && n->host == h;
	}
	if (!strcmp(kind, "switch")) {
		s = segment(t, name);
		return s && !s->spans && nlab_segment_on(s, h);
	}
	return false; /* [host], [test]: about the whole lab */
}

char *nlab_topology_part(const struct nlab_topology *t,
			 const struct nlab_host *h, size_t *len)
{
	struct buf b = { 0 };
	const char *p = t->source, *end = t->source + t->source_len;
	char kind[NLAB_NAME_MAX + 1] = "", name[NLAB_NAME_MAX + 1] = "";
	bool keep = false, cont = false, drop_cont = false;

	put(&b, "", 0);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t first = 0, last = n;
		bool drop;
		char key[32];

		while (first < n && isspace((unsigned char)p[first]))
			first++;
		while (last > first && isspace((unsigned char)p[last - 1]))
			last--;
		if (!cont && first < n && p[first] == '[') {
			header(p, n, kind, name);
			keep = keep_section(t, h, kind, name);
			drop = !keep;
		} else if (cont) {
			drop = !keep || drop_cont;
		} else {
			key_of(p, n, key, sizeof(key));
			drop = !keep ||
			       (!strcmp(kind, "node") &&
				!strcmp(key, "host")) ||
			       (!strcmp(kind, "lab") && !strcmp(key, "labels"));
			drop_cont = drop;
		}
		/* A key continues on the next line after a trailing '\'. */
		cont = last > first && p[last - 1] == '\\' && p[first] != ';' &&
		       p[first] != '#';
		if (!drop)
			put(&b, p, n);
		put(&b, "\n", 1);
		p += n + 1;
	}
	for (size_t i = 0; i < t->n_segments; i++) {
		const struct nlab_segment *s = &t->segments[i];

		if (!s->spans || !nlab_segment_on(s, h))
			continue;
		putf(&b, "[switch %s]\nmtu = %u\n", s->name, s->mtu);
		if (s->sw && s->sw->stp)
			putf(&b, "stp = yes\n");
		if (s->sw && s->sw->vlan_filtering)
			putf(&b, "vlan_filtering = yes\n");
		if (s->sw && s->sw->has_ageing)
			putf(&b, "ageing = %u\n", s->sw->ageing_s);
	}
	*len = b.len;
	return b.p;
}
