// SPDX-License-Identifier: MIT
/* `up --spread`: the partitioner (balanced counts, fewest segments cut,
 * pins kept, deterministic, fast) and the placement as it travels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "base/util.h"
#include "topology/spread.h"
#include "unit.h"

/* Under the sanitizers everything is several times slower. */
#if defined(__SANITIZE_ADDRESS__)
#define TIME_LIMIT_MS 1000.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TIME_LIMIT_MS 1000.0
#endif
#endif
#ifndef TIME_LIMIT_MS
#define TIME_LIMIT_MS 100.0
#endif

/* A graph under construction: segments of member lists. */
struct graph {
	struct nlab_spread_graph g;
	int *pin, *host;
	size_t *start, *node;
	size_t n_segs, n_members, cap_segs, cap_members;
};

static void g_init(struct graph *gr, size_t nodes, size_t hosts)
{
	memset(gr, 0, sizeof(*gr));
	gr->g.n_nodes = nodes;
	gr->g.n_hosts = hosts;
	gr->pin = calloc(nodes, sizeof(int));
	gr->host = calloc(nodes, sizeof(int));
	for (size_t i = 0; i < nodes; i++)
		gr->pin[i] = -1;
	gr->cap_segs = 16;
	gr->start = calloc(gr->cap_segs + 1, sizeof(size_t));
}

/* A segment of @n members. */
static void g_seg(struct graph *gr, const size_t *members, size_t n)
{
	if (gr->n_segs + 1 >= gr->cap_segs) {
		gr->cap_segs *= 2;
		gr->start =
			realloc(gr->start, (gr->cap_segs + 1) * sizeof(size_t));
	}
	if (gr->n_members + n > gr->cap_members) {
		gr->cap_members = (gr->n_members + n) * 2;
		gr->node = realloc(gr->node, gr->cap_members * sizeof(size_t));
	}
	gr->start[gr->n_segs] = gr->n_members;
	memcpy(gr->node + gr->n_members, members, n * sizeof(size_t));
	gr->n_members += n;
	gr->start[++gr->n_segs] = gr->n_members;
}

static void g_link(struct graph *gr, size_t a, size_t b)
{
	size_t m[2] = { a, b };

	g_seg(gr, m, 2);
}

static void g_run(struct graph *gr, struct nlab_spread_stats *st)
{
	gr->g.n_segs = gr->n_segs;
	gr->g.pin = gr->pin;
	gr->g.seg_start = gr->start;
	gr->g.seg_node = gr->node;
	nlab_spread(&gr->g, gr->host, st);
}

static void g_free(struct graph *gr)
{
	free(gr->pin);
	free(gr->host);
	free(gr->start);
	free(gr->node);
}

static void chain(struct graph *gr, size_t n, size_t hosts)
{
	g_init(gr, n, hosts);
	for (size_t i = 0; i + 1 < n; i++)
		g_link(gr, i, i + 1);
}

static void star(struct graph *gr, size_t n, size_t hosts)
{
	size_t *m = calloc(n, sizeof(size_t));

	g_init(gr, n, hosts);
	for (size_t i = 0; i < n; i++)
		m[i] = i;
	g_seg(gr, m, n);
	free(m);
}

static size_t on(const struct graph *gr, int h)
{
	size_t n = 0;

	for (size_t i = 0; i < gr->g.n_nodes; i++)
		n += gr->host[i] == h;
	return n;
}

/* Every node on a host; counts floor or ceil of n/h. */
static void assert_balanced(const struct graph *gr)
{
	size_t lo = gr->g.n_nodes / gr->g.n_hosts;
	size_t hi = lo + (gr->g.n_nodes % gr->g.n_hosts != 0);

	for (size_t i = 0; i < gr->g.n_nodes; i++) {
		assert_true(gr->host[i] >= 0);
		assert_true(gr->host[i] < (int)gr->g.n_hosts);
	}
	for (size_t h = 0; h < gr->g.n_hosts; h++) {
		assert_in_range(on(gr, (int)h), lo, hi);
	}
}

static void chain_10_over_2(void **state)
{
	struct nlab_spread_stats st;
	struct graph gr;

	(void)state;
	chain(&gr, 10, 2);
	g_run(&gr, &st);
	assert_int_equal(st.cut, 1);
	assert_int_equal(st.cost, 2);
	assert_int_equal(on(&gr, 0), 5);
	assert_int_equal(on(&gr, 1), 5);
	for (size_t i = 0; i < 10; i++) /* in file order: r1..r5 first */
		assert_int_equal(gr.host[i], i < 5 ? 0 : 1);
	g_free(&gr);
}

static void chain_3000_over_3(void **state)
{
	struct nlab_spread_stats st;
	struct graph gr;

	(void)state;
	chain(&gr, 3000, 3);
	g_run(&gr, &st);
	assert_int_equal(st.cut, 2);
	for (int h = 0; h < 3; h++)
		assert_int_equal(on(&gr, h), 1000);
	g_free(&gr);
}

/* H-1 cuts whatever the counts, also when they do not divide. */
static void chains_cut_h_minus_1(void **state)
{
	static const size_t sizes[][2] = { { 7, 2 },   { 10, 3 }, { 11, 4 },
					   { 100, 7 }, { 5, 5 },  { 2, 2 } };

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		struct nlab_spread_stats st;
		struct graph gr;

		chain(&gr, sizes[k][0], sizes[k][1]);
		g_run(&gr, &st);
		assert_int_equal(st.cut, sizes[k][1] - 1);
		assert_balanced(&gr);
		g_free(&gr);
	}
}

/* A chain written in a shuffled order still cuts once. */
static void shuffled_chain(void **state)
{
	enum { N = 40 };
	size_t perm[N];
	struct nlab_spread_stats st;
	struct graph gr;
	unsigned x = 12345;

	(void)state;
	for (size_t i = 0; i < N; i++)
		perm[i] = i;
	for (size_t i = N - 1; i > 0; i--) { /* a fixed shuffle */
		size_t j, t;

		x = x * 1103515245u + 12345u;
		j = (x >> 16) % (i + 1);
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	g_init(&gr, N, 2);
	for (size_t i = 0; i + 1 < N; i++)
		g_link(&gr, perm[i], perm[i + 1]);
	g_run(&gr, &st);
	assert_int_equal(st.cut, 1);
	assert_balanced(&gr);
	g_free(&gr);
}

static void star_cuts_only_its_switch(void **state)
{
	struct nlab_spread_stats st;
	struct graph gr;

	(void)state;
	star(&gr, 30, 3);
	g_run(&gr, &st);
	assert_int_equal(st.cut, 1);
	assert_int_equal(st.cost, 3);
	assert_balanced(&gr);
	for (size_t i = 0; i < 30; i++) /* in file order: x1..x10 first */
		assert_int_equal(gr.host[i], (int)(i / 10));
	g_free(&gr);
}

static void ring(void **state)
{
	static const size_t sizes[][2] = { { 10, 2 }, { 12, 3 }, { 100, 4 } };

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		struct nlab_spread_stats st;
		struct graph gr;
		size_t n = sizes[k][0];

		chain(&gr, n, sizes[k][1]);
		g_link(&gr, n - 1, 0);
		g_run(&gr, &st);
		assert_int_equal(st.cut, sizes[k][1]); /* a ring: H arcs */
		assert_balanced(&gr);
		g_free(&gr);
	}
}

/* Pinned nodes stay; the rest fills around them. */
static void pins_honoured(void **state)
{
	struct nlab_spread_stats st;
	struct graph gr;

	(void)state;
	chain(&gr, 10, 2);
	gr.pin[0] = 1; /* r1 on the second host, r10 on the first */
	gr.pin[9] = 0;
	g_run(&gr, &st);
	assert_int_equal(gr.host[0], 1);
	assert_int_equal(gr.host[9], 0);
	assert_int_equal(st.cut, 1);
	assert_balanced(&gr);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(gr.host[i], i < 5 ? 1 : 0);
	g_free(&gr);
}

/* Six of ten pinned on one of three hosts: it keeps its six, the others
 * share the rest evenly. */
static void balance_with_pins(void **state)
{
	struct nlab_spread_stats st;
	struct graph gr;

	(void)state;
	chain(&gr, 10, 3);
	for (size_t i = 0; i < 6; i++)
		gr.pin[i] = 0;
	g_run(&gr, &st);
	assert_int_equal(on(&gr, 0), 6);
	assert_int_equal(on(&gr, 1), 2);
	assert_int_equal(on(&gr, 2), 2);
	assert_int_equal(st.cut, 2);
	g_free(&gr);
	/* pins on a host below its share: it gets the share */
	chain(&gr, 12, 3);
	gr.pin[11] = 2;
	g_run(&gr, &st);
	assert_int_equal(gr.host[11], 2);
	assert_balanced(&gr);
	assert_int_equal(st.cut, 2);
	g_free(&gr);
	/* every node pinned: nothing to do, nothing moved */
	chain(&gr, 4, 2);
	for (size_t i = 0; i < 4; i++)
		gr.pin[i] = (int)(i % 2);
	g_run(&gr, &st);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(gr.host[i], (int)(i % 2));
	assert_int_equal(st.cut, 3);
	g_free(&gr);
}

/* A grid of switches and links, some pins: deterministic. */
static void mesh(struct graph *gr, size_t side, size_t hosts)
{
	g_init(gr, side * side, hosts);
	for (size_t r = 0; r < side; r++)
		for (size_t c = 0; c < side; c++) {
			size_t v = r * side + c;

			if (c + 1 < side)
				g_link(gr, v, v + 1);
			if (r + 1 < side)
				g_link(gr, v, v + side);
		}
	for (size_t r = 0; r + 2 < side; r += 3) { /* a few switches */
		size_t m[3] = { r * side, r * side + 1, (r + 2) * side + 2 };

		g_seg(gr, m, 3);
	}
	gr->pin[side * side - 1] = 0;
}

/* Growth alone cuts a 6x6 grid along its diagonal (10 links); the
 * refinement straightens it: 6, down the middle. */
static void refined(void **state)
{
	struct nlab_spread_stats st;
	struct graph gr;

	(void)state;
	mesh(&gr, 6, 2);
	gr.pin[35] = -1; /* no pins, no switches: a plain grid */
	gr.n_segs = 60;
	g_run(&gr, &st);
	assert_int_equal(st.cut, 6);
	assert_balanced(&gr);
	g_free(&gr);
}

static void deterministic(void **state)
{
	struct nlab_spread_stats a, b;
	struct graph g1, g2;

	(void)state;
	mesh(&g1, 30, 4);
	mesh(&g2, 30, 4);
	g_run(&g1, &a);
	g_run(&g2, &b);
	assert_memory_equal(g1.host, g2.host, 900 * sizeof(int));
	assert_int_equal(a.cut, b.cut);
	assert_int_equal(a.cost, b.cost);
	assert_balanced(&g1);
	/* a 30x30 grid over 4: about 2 x 30 links cut, not hundreds */
	assert_true(a.cut < 100);
	g_free(&g1);
	g_free(&g2);
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Processor time (the machine is shared): well under 100 ms. */
static void timed(struct graph *gr, const char *what, size_t want_cut)
{
	struct nlab_spread_stats st;
	double t0 = cpu_ms(), ms;

	g_run(gr, &st);
	ms = cpu_ms() - t0;
	print_message("spread: %-24s %6zu nodes over %zu hosts: %zu cut, "
		      "%.2f ms\n",
		      what, gr->g.n_nodes, gr->g.n_hosts, st.cut, ms);
	if (want_cut)
		assert_int_equal(st.cut, want_cut);
	assert_balanced(gr);
	assert_true(ms < TIME_LIMIT_MS);
}

static void fast(void **state)
{
	struct graph gr;

	(void)state;
	chain(&gr, 3000, 3);
	timed(&gr, "chain", 2);
	g_free(&gr);
	star(&gr, 3000, 3);
	timed(&gr, "star (one switch)", 1);
	g_free(&gr);
	chain(&gr, 10000, 8);
	timed(&gr, "chain", 7);
	g_free(&gr);
	star(&gr, 10000, 8);
	timed(&gr, "star (one switch)", 1);
	g_free(&gr);
	mesh(&gr, 100, 8);
	timed(&gr, "grid 100x100", 0);
	g_free(&gr);
}

/* ---- on a topology ------------------------------------------------------ */

static const char lab[] = "[lab]\n"
			  "name = sp\n"
			  "[host h1]\n"
			  "address = 192.0.2.1\n"
			  "via = local\n"
			  "[host h2]\n"
			  "address = 192.0.2.2\n"
			  "via = exec true\n"
			  "[node r1]\n"
			  "eth0 = s1\n"
			  "[node r2]\n"
			  "eth0 = s1\n"
			  "eth1 = s2\n"
			  "[node r3]\n"
			  "eth0 = s2\n"
			  "eth1 = s3\n"
			  "[node r4]\n"
			  "host = h1\n"
			  "eth0 = s3\n";

static struct nlab_topology *load(const struct nlab_load_opts *o,
				  struct nlab_diag *d)
{
	struct nlab_topology *t = NULL;

	nlab_topology_load_opts(fixture_write("sp.ini", lab), o, &t, d);
	return t;
}

static void topology_placement(void **state)
{
	struct nlab_load_opts o = { .spread = true };
	struct nlab_diag d = { 0 };
	struct nlab_topology *t = load(&o, &d), *again;
	cleanup_free char *text = NULL, *desc = NULL;
	size_t len;

	(void)state;
	for (size_t i = 0; i < d.n; i++)
		print_error("%s\n", d.lines[i]);
	assert_non_null(t);
	/* r4 pinned on h1: r3 joins it, r1 and r2 go to h2 */
	assert_string_equal(t->nodes[3].host->name, "h1");
	assert_false(t->nodes[3].spread);
	assert_string_equal(t->nodes[2].host->name, "h1");
	assert_string_equal(t->nodes[0].host->name, "h2");
	assert_string_equal(t->nodes[1].host->name, "h2");
	assert_true(t->nodes[0].spread);
	assert_true(t->segments[1].spans); /* s2 only */
	assert_false(t->segments[0].spans);
	assert_false(t->segments[2].spans);
	text = nlab_spread_text(t, &len);
	assert_string_equal(text, "r1 h2\nr2 h2\nr3 h1\n");
	desc = nlab_spread_describe(t);
	assert_non_null(strstr(desc, "h1: 2 nodes (1 by host =): r3, r4\n"));
	assert_non_null(strstr(desc, "h2: 2 nodes: r1, r2\n"));
	assert_non_null(strstr(desc, "1 segment across hosts (2 VXLAN "
				     "ports): s2\n"));
	/* what the hosts and the records load: the placement, no --spread */
	o = (struct nlab_load_opts){ .place = text };
	again = load(&o, &d);
	assert_non_null(again);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(again->nodes[i].host->name,
				    t->nodes[i].host->name);
	nlab_topology_free(again);
	nlab_topology_free(t);
	nlab_diag_free(&d);
}

static void topology_bad_placement(void **state)
{
	struct nlab_load_opts o = { .place = "r4 h2\nr1 h1\nr2 h1\nr3 h2\n" };
	struct nlab_diag d = { 0 };
	struct nlab_topology *t;

	(void)state;
	t = load(&o, &d);
	assert_null(t);
	assert_true(fixture_diag_has(&d, "node r4 has host = already"));
	nlab_diag_free(&d);
	o.place = "r9 h1\n";
	t = load(&o, &d);
	assert_null(t);
	assert_true(fixture_diag_has(&d, "placement 'r9 h1'"));
	nlab_diag_free(&d);
	/* without --spread: the old error, naming --spread */
	o.place = NULL;
	t = load(&o, &d);
	assert_null(t);
	assert_true(fixture_diag_has(&d, "`netlab up --spread` places"));
	nlab_diag_free(&d);
}

static const struct CMUnitTest spread_tests[] = {
	cmocka_unit_test(chain_10_over_2),
	cmocka_unit_test(chain_3000_over_3),
	cmocka_unit_test(chains_cut_h_minus_1),
	cmocka_unit_test(shuffled_chain),
	cmocka_unit_test(star_cuts_only_its_switch),
	cmocka_unit_test(ring),
	cmocka_unit_test(pins_honoured),
	cmocka_unit_test(balance_with_pins),
	cmocka_unit_test(refined),
	cmocka_unit_test(deterministic),
	cmocka_unit_test(fast),
	cmocka_unit_test(topology_placement),
	cmocka_unit_test(topology_bad_placement),
};
UNIT_GROUP("spread", spread_tests, fixture_setup, fixture_teardown)
