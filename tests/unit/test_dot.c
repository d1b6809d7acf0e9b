// SPDX-License-Identifier: MIT
/* `netlab graph`'s DOT output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology/dot.h"
#include "fixture.h"
#include "unit.h"

static char *render(const char *name, const char *text)
{
	struct nlab_topology *t = fixture_load_ok(name, text);
	char *out = NULL;
	size_t len = 0;
	FILE *f;

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
			    "forward = yes\n"
			    "[node r2]\n"
			    "eth0 = wire 10.0.12.2/30\n"
			    "[node h1]\n"
			    "eth0 = lan 10.0.0.10/24\n"
			    "[switch lan]\n");
	assert_non_null(strstr(g, "graph \"g\" {\n"));
	/* a router: a double outline, a tinted title; a host: neither */
	assert_non_null(strstr(g, "\t\"r1\" [label=<<table border=\"2\""));
	assert_non_null(strstr(g, "<b>r1</b> <i>router</i>"));
	assert_non_null(strstr(g, "\t\"r2\" [label=<<table border=\"1\""));
	assert_null(strstr(g, "<b>r2</b> <i>router"));
	/* each interface a row: name, segment, addresses and options */
	assert_non_null(strstr(g, "<td align=\"left\"><b>eth1</b></td>"
				  "<td align=\"left\"><i>wire</i></td>"
				  "<td align=\"left\">10.0.12.1/30"
				  "<br align=\"left\"/>mtu=1400"
				  "<br align=\"left\"/>rate=1mbit</td>"));
	/* a switch: a grey ellipse, one plain edge per member */
	assert_non_null(strstr(g, "\t\"lan\" [shape=ellipse"));
	assert_non_null(strstr(g, "\t\"h1\" -- \"lan\";\n"));
	/* a veth segment: one edge, its name the only label */
	assert_non_null(strstr(g, "\t\"r1\" -- \"r2\" [label=\"wire\"];\n"));
	/* edges carry no head or tail labels, which dot lets overlap */
	assert_null(strstr(g, "headlabel"));
	assert_null(strstr(g, "taillabel"));
	assert_null(strstr(g, "layout="));
	assert_int_equal(g[strlen(g) - 2], '}');
	free(g);
}

/* A star of many leaves would be one very wide row: radial instead. */
static void dot_star_is_radial(void **state)
{
	char text[4096];
	size_t len;
	char *g;

	(void)state;
	len = (size_t)snprintf(text, sizeof(text), "[node hub]\n");
	for (int i = 1; i <= 12; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"eth%d = s%d 10.0.%d.1/24\n", i, i, i);
	for (int i = 1; i <= 12; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"[node n%d]\neth0 = s%d 10.0.%d.2/24\n",
					i, i, i);
	g = render("star.ini", text);
	assert_non_null(strstr(g, "layout=twopi, overlap=false, "
				  "root=\"hub\""));
	/* each leaf's table names its segment; edges stay bare */
	assert_non_null(strstr(g, "\t\"hub\" -- \"n7\";\n"));
	free(g);
	g = render("small.ini", "[node a]\neth0 = ab\n[node b]\neth0 = ab\n");
	assert_null(strstr(g, "layout="));
	free(g);
}

static const struct CMUnitTest dot_tests[] = {
	cmocka_unit_test(dot_shapes_and_edges),
	cmocka_unit_test(dot_star_is_radial),
};

UNIT_GROUP("dot", dot_tests, fixture_setup, fixture_teardown)
