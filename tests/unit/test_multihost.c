// SPDX-License-Identifier: MIT
/* A lab over several hosts: the crossing segments' VNI and MTU, and each
 * host's part (a normal topology of its nodes, line numbers kept). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "topology/part.h"
#include "unit.h"

static const char lab[] = "[lab]\n"			 /* 1 */
			  "name = mh\n"			 /* 2 */
			  "labels = ab=WAN\n"		 /* 3 */
			  "[host h1]\n"			 /* 4 */
			  "address = 192.0.2.1\n"	 /* 5 */
			  "via = local\n"		 /* 6 */
			  "[host h2]\n"			 /* 7 */
			  "address = 192.0.2.2\n"	 /* 8 */
			  "via = exec nsenter -t 1 --\n" /* 9 */
			  "mtu = 9000\n"		 /* 10 */
			  "[node a]\n"			 /* 11 */
			  "host = h1\n"			 /* 12 */
			  "eth0 = ab 10.0.0.1/24\n"	 /* 13 */
			  "[node b]\n"			 /* 14 */
			  "host = h2\n"			 /* 15 */
			  "eth0 = ab 10.0.0.2/24\n"	 /* 16 */
			  "eth1 = cd 10.0.1.1/24\n"	 /* 17 */
			  "[node c]\n"			 /* 18 */
			  "host = h2\n"			 /* 19 */
			  "eth0 = cd 10.0.1.2/24\n"	 /* 20 */
			  "[test t]\n"			 /* 21 */
			  "reach = a c\n";		 /* 22 */

/* The documented rule: FNV-1a of "LAB.SEGMENT", low 24 bits. */
static uint32_t vni(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return (h & 0xffffff) ? (h & 0xffffff) : 1;
}

static void crossing_segments(void **state)
{
	struct nlab_diag d = { 0 };
	struct nlab_topology *t = fixture_load("mh.ini", lab, &d);

	(void)state;
	assert_non_null(t);
	assert_int_equal(t->n_machines, 2);
	assert_int_equal(t->machines[1].via, NLAB_VIA_EXEC);
	assert_int_equal(t->machines[1].argc, 4);
	assert_string_equal(t->nodes[1].host->name, "h2");
	assert_true(t->segments[0].spans);  /* ab: h1 and h2 */
	assert_false(t->segments[1].spans); /* cd: h2 only */
	assert_int_equal(t->segments[0].vni, vni("mh.ab"));
	assert_int_equal(t->segments[0].mtu,
			 1450); /* the smaller of 1500, 9000 */
	nlab_topology_free(t);
}

static void part_of_h2(void **state)
{
	struct nlab_diag d = { 0 };
	struct nlab_topology *t = fixture_load("mh.ini", lab, &d), *p;
	char *text, *line;
	size_t len, n = 0;

	(void)state;
	assert_non_null(t);
	text = nlab_topology_part(t, &t->machines[1], &len);
	/* line for line: b's section is where it was, a's is blank */
	line = text;
	for (int i = 1; i < 14; i++)
		line = strchr(line, '\n') + 1;
	assert_memory_equal(line, "[node b]\n\n", 10);
	assert_null(strstr(text, "[node a]"));
	assert_null(strstr(text, "[host"));
	assert_null(strstr(text, "[test"));
	assert_null(strstr(text, "labels"));
	assert_non_null(strstr(text, "[switch ab]\nmtu = 1450\n"));
	p = fixture_load("part.ini", text, &d);
	for (size_t i = 0; i < d.n; i++)
		print_error("%s\n", d.lines[i]);
	assert_non_null(p);
	assert_int_equal(p->n_nodes, 2);
	assert_int_equal(p->n_machines, 0);
	for (size_t i = 0; i < p->n_segments; i++)
		n += p->segments[i].kind == NLAB_SEG_BRIDGE;
	assert_int_equal(n, 1); /* ab: a stub bridge its VXLAN port joins */
	free(text);
	nlab_topology_free(p);
	nlab_topology_free(t);
}

static const struct CMUnitTest multihost_tests[] = {
	cmocka_unit_test(crossing_segments),
	cmocka_unit_test(part_of_h2),
};
UNIT_GROUP("multihost", multihost_tests, fixture_setup, fixture_teardown)
