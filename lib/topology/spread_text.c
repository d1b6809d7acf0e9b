// SPDX-License-Identifier: MIT
/* `up --spread` (spread.h): the placement as text, to send and keep, and
 * as the user reads it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology/part.h"
#include "topology/spread.h"
#include "base/util.h"

char *nlab_spread_text(const struct nlab_topology *t, size_t *len)
{
	char *p = NULL;
	FILE *f = open_memstream(&p, len);

	for (size_t i = 0; f && i < t->n_nodes; i++)
		if (t->nodes[i].spread)
			fprintf(f, "%s %s\n", t->nodes[i].name,
				t->nodes[i].host->name);
	if (f)
		fclose(f);
	return p ? p : xstrdup("");
}

/* "r12": prefix length 1, number 12, digits 2; no number: false. */
static bool numbered(const char *name, size_t *plen, unsigned long *num,
		     size_t *digits)
{
	size_t n = strlen(name), i = n;

	while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
		i--;
	if (i == n || n - i > 9)
		return false;
	*plen = i;
	*digits = n - i;
	*num = strtoul(name + i, NULL, 10);
	return true;
}

/* Does @b follow @a: the same prefix, the number one more, the same
 * width when zero-padded? */
static bool follows(const char *a, const char *b)
{
	size_t pa, pb, da, db;
	unsigned long na, nb;

	if (!numbered(a, &pa, &na, &da) || !numbered(b, &pb, &nb, &db))
		return false;
	if (pa != pb || strncmp(a, b, pa) || nb != na + 1)
		return false;
	return da == db || (a[pa] != '0' && b[pb] != '0');
}

static void list_nodes(FILE *f, const struct nlab_topology *t,
		       const struct nlab_host *h)
{
	const char *first = NULL, *prev = NULL;
	size_t run = 0;
	bool any = false;

	for (size_t i = 0; i <= t->n_nodes; i++) {
		const char *name = i < t->n_nodes && t->nodes[i].host == h
					   ? t->nodes[i].name
					   : NULL;

		if (i < t->n_nodes && !name)
			continue;
		if (name && prev && follows(prev, name)) {
			prev = name;
			run++;
			continue;
		}
		if (first) { /* the run first..prev ends */
			fprintf(f, "%s%s", any ? ", " : " ", first);
			if (run == 2)
				fprintf(f, ", %s", prev);
			else if (run > 2)
				fprintf(f, "..%s", prev);
			any = true;
		}
		first = prev = name;
		run = 1;
	}
}

char *nlab_spread_describe(const struct nlab_topology *t)
{
	char *p = NULL;
	size_t len, cut = 0, shown = 0, ports = 0;
	FILE *f = open_memstream(&p, &len);

	if (!f)
		return xstrdup("");
	fprintf(f, "spread over %zu hosts:\n", t->n_machines);
	for (size_t x = 0; x < t->n_machines; x++) {
		const struct nlab_host *h = &t->machines[x];
		size_t n = 0, pinned = 0;

		for (size_t i = 0; i < t->n_nodes; i++)
			if (t->nodes[i].host == h) {
				n++;
				pinned += !t->nodes[i].spread;
			}
		fprintf(f, "  %s: %zu node%s", h->name, n, n == 1 ? "" : "s");
		if (pinned)
			fprintf(f, " (%zu by host =)", pinned);
		fputc(':', f);
		list_nodes(f, t, h);
		fputc('\n', f);
	}
	for (size_t s = 0; s < t->n_segments; s++)
		if (t->segments[s].spans) {
			cut++;
			for (size_t x = 0; x < t->n_machines; x++)
				ports += nlab_segment_on(&t->segments[s],
							 &t->machines[x]);
		}
	fprintf(f, "  %zu segment%s across hosts (%zu VXLAN port%s)", cut,
		cut == 1 ? "" : "s", ports, ports == 1 ? "" : "s");
	for (size_t s = 0; s < t->n_segments && shown < 10; s++)
		if (t->segments[s].spans)
			fprintf(f, "%s%s", shown++ ? ", " : ": ",
				t->segments[s].name);
	if (cut > shown)
		fprintf(f, ", ...");
	fputc('\n', f);
	fclose(f);
	return p;
}
