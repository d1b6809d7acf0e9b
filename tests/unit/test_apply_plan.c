// SPDX-License-Identifier: MIT
/* `apply`'s plan: two topologies compared into steps, one line each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/apply.h"
#include "lab/applyplan.h"
#include "fixture.h"
#include "unit.h"

/* The plan's lines that are said, one per line; and its counts. */
static char *plan_of(const char *old_text, const char *new_text,
		     const char *stopped, size_t *todo, size_t *refused)
{
	struct nlab_topology *o = fixture_load_ok("old.ini", old_text);
	struct nlab_topology *n = fixture_load_ok("new.ini", new_text);
	const char *names[] = { stopped };
	struct nlab_plan p;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	nlab_plan_make(o, n, names, stopped ? 1 : 0, &p);
	for (size_t i = 0; i < p.n; i++)
		if (p.steps[i].text)
			fprintf(f, "%s\n", p.steps[i].text);
	fclose(f);
	*todo = p.n_todo;
	*refused = p.n_refused;
	nlab_plan_free(&p);
	nlab_topology_free(o);
	nlab_topology_free(n);
	return out;
}

static const char base[] = "[node a]\n"
			   "eth0 = ab 10.0.0.1/24 2001:db8::1/64\n"
			   "forward = yes\n"
			   "sysctl = net.ipv4.conf.all.rp_filter=1\n"
			   "run = exec sleep 1\n"
			   "[node b]\n"
			   "eth0 = ab 10.0.0.2/24 rate=1mbit\n"
			   "route = default via 10.0.0.1\n";

static void plan_same_is_empty(void **state)
{
	size_t todo, refused;
	char *out;

	(void)state;
	out = plan_of(base, base, NULL, &todo, &refused);
	assert_string_equal(out, "");
	assert_int_equal(todo, 0);
	assert_int_equal(refused, 0);
	free(out);
}

static void plan_in_place(void **state)
{
	size_t todo, refused;
	char *out;

	(void)state;
	out = plan_of(base,
		      "[node a]\n"
		      "eth0 = ab 10.0.0.1/24 2001:db8::9/64\n"
		      "forward = no\n"
		      "env = X=1\n"
		      "run = exec sleep 1\n"
		      "[node b]\n"
		      "eth0 = ab 10.0.0.2/24 delay=10ms\n"
		      "route = default via 10.0.0.1 metric 7\n",
		      NULL, &todo, &refused);
	assert_string_equal(
		out,
		"a: eth0: remove address 2001:db8::1/64\n"
		"a: eth0: add address 2001:db8::9/64\n"
		"a: sysctl net.ipv4.ip_forward = 0 (was 1) (forward = no)\n"
		"a: sysctl net.ipv6.conf.all.forwarding = 0 (was 1) "
		"(forward = no)\n"
		"a: sysctl net.ipv4.conf.all.rp_filter: not set any more "
		"(was 1): back to a new namespace's value\n"
		"a: restart (env changed)\n"
		"b: remove route default via 10.0.0.1\n"
		"b: add route default via 10.0.0.1 metric 7\n"
		"b: eth0: impairments delay=10ms (were rate=1mbit)\n"
		"lab: rewrite the nodes' hosts files (addresses changed)\n");
	assert_int_equal(todo, 10);
	assert_int_equal(refused, 0);
	free(out);
}

/* A stopped node: no restart, its new routes wait for its start. */
static void plan_stopped_node(void **state)
{
	size_t todo, refused;
	char *out;

	(void)state;
	out = plan_of(base,
		      "[node a]\n"
		      "eth0 = ab 10.0.0.1/24 2001:db8::1/64\n"
		      "forward = yes\n"
		      "sysctl = net.ipv4.conf.all.rp_filter=1\n"
		      "run = exec sleep 2\n"
		      "[node b]\n"
		      "eth0 = ab 10.0.0.2/24 rate=1mbit\n"
		      "route = default via 10.0.0.1, 10.9.0.0/16 via "
		      "10.0.0.1\n",
		      "b", &todo, &refused);
	assert_string_equal(out,
			    "a: restart (run changed)\n"
			    "b: add route 10.9.0.0/16 via 10.0.0.1 (at the "
			    "node's next start: it is stopped)\n");
	assert_int_equal(todo, 1);
	free(out);
	out = plan_of(base, base, "a", &todo, &refused);
	assert_string_equal(out, "");
	free(out);
}

/* Nodes and links added, removed, moved; an MTU changed in place. */
static void plan_structure(void **state)
{
	size_t todo, refused;
	char *out;

	(void)state;
	out = plan_of(base,
		      "[node a]\n"
		      "eth0 = ab 10.0.0.1/24 2001:db8::1/64 mtu=1400\n"
		      "eth1 = lan 10.1.0.1/24\n"
		      "forward = yes\n"
		      "sysctl = net.ipv4.conf.all.rp_filter=1\n"
		      "run = exec sleep 1\n"
		      "[node c]\n"
		      "eth0 = ab 10.0.0.3/24\n"
		      "eth1 = lan 10.1.0.2/24\n",
		      NULL, &todo, &refused);
	assert_string_equal(out,
			    "c: add node\n"
			    "a: eth0: remove link to b:eth0 (segment ab)\n"
			    "a: eth0: add link to c:eth0 (segment ab)\n"
			    "a: eth1: add link to c:eth1 (segment lan)\n"
			    "lab: rewrite the nodes' hosts files (addresses "
			    "changed)\n"
			    "c: start\n"
			    "b: remove node\n");
	assert_int_equal(refused, 0);
	assert_int_equal(todo, 6);
	free(out);
	/* In place: an MTU and a MAC; a switch gains and loses ports. */
	out = plan_of("[node a]\neth0 = ab\neth1 = s\n"
		      "[node b]\neth0 = ab\neth1 = s\n"
		      "[node c]\neth0 = s\n",
		      "[node a]\neth0 = ab mtu=9000 mac=02:00:00:00:00:0a\n"
		      "eth1 = s\n"
		      "[node b]\neth0 = ab\n"
		      "[node c]\neth0 = s\n"
		      "[node d]\neth0 = s\n",
		      NULL, &todo, &refused);
	assert_string_equal(out, "d: add node\n"
				 "b: eth1: remove link to switch s\n"
				 "d: eth0: add link to switch s\n"
				 "a: eth0: mtu 9000 (was 1500)\n"
				 "a: eth0: mac 02:00:00:00:00:0a (was random)\n"
				 "d: start\n");
	assert_int_equal(refused, 0);
	free(out);
}

static void plan_refused(void **state)
{
	size_t todo, refused;
	char *out;

	(void)state;
	out = plan_of("[switch s]\n[node a]\neth0 = s\n",
		      "[lab]\nhosts = no\n[switch s]\nstp = yes\n"
		      "[node a]\neth0 = s\n",
		      NULL, &todo, &refused);
	assert_string_equal(
		out,
		"lab: switch s: change its settings (not made in place: "
		"`netlab down` and `up` do it)\n"
		"lab: hosts = no (was yes) (not made in place: `netlab down` "
		"and `up` do it)\n");
	assert_int_equal(refused, 2);
	free(out);
}

static const struct CMUnitTest apply_plan_tests[] = {
	cmocka_unit_test(plan_same_is_empty), cmocka_unit_test(plan_in_place),
	cmocka_unit_test(plan_stopped_node),  cmocka_unit_test(plan_structure),
	cmocka_unit_test(plan_refused),
};

UNIT_GROUP("apply-plan", apply_plan_tests, fixture_setup, fixture_teardown)
