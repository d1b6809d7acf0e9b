// SPDX-License-Identifier: MIT
/* `netlab graph`'s DOT output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dot.h"
#include "fixture.h"
#include "unit.h"

static char *render(const char *name, const char *text)
{
	struct nlab_diag d = { 0 };
	struct nlab_topology *t = fixture_load(name, text, &d);
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	for (size_t i = 0; i < d.n; i++)
		print_error("%s\n", d.lines[i]);
	nlab_diag_free(&d);
	assert_non_null(t);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	nlab_topology_dot(t, f);
	fclose(f);
	nlab_topology_free(t);
	return out;
}

static void dot_shapes_and_edges(void **state)
{
	char *g;

	(void)state;
	g = render("g.ini", "[node r1]\n"
			    "eth0 = lan 10.0.0.1/24\n"
			    "eth1 = wire 10.0.12.1/30 rate=1mbit mtu=1400\n"
			    "[node r2]\n"
			    "eth0 = wire 10.0.12.2/30\n"
			    "[node h1]\n"
			    "eth0 = lan 10.0.0.10/24\n"
			    "[switch lan]\n");
	assert_non_null(strstr(g, "graph \"g\" {\n"));
	assert_non_null(strstr(g, "\t\"r1\" [shape=box];\n"));
	assert_non_null(strstr(g, "\t\"lan\" [shape=ellipse"));
	/* a veth segment: one edge between the nodes */
	assert_non_null(strstr(g,
			       "\t\"r1\" -- \"r2\" [minlen=2, label=\"wire\", "
			       "taillabel=\"eth1\\n10.0.12.1/30\\nmtu=1400"
			       "\\nrate=1mbit\", headlabel=\"eth0\\n"
			       "10.0.12.2/30\"];\n"));
	/* a bridge: one edge per member, to the switch */
	assert_non_null(strstr(g, "\t\"h1\" -- \"lan\" [label=\"eth0\\n"
				  "10.0.0.10/24\"];\n"));
	assert_int_equal(g[strlen(g) - 2], '}');
	free(g);
}

static const struct CMUnitTest dot_tests[] = {
	cmocka_unit_test(dot_shapes_and_edges),
};

UNIT_GROUP("dot", dot_tests, fixture_setup, fixture_teardown)
