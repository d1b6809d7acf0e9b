// SPDX-License-Identifier: MIT
/* [test NAME] sections and `ready`: the loader's model of them, and the
 * pure helpers the test runner reports with. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "kernel/kroute.h"
#include "topology/labtest.h"
#include "lab/nodecmd.h"
#include "topology/prefix.h"
#include "unit.h"

#define NODES                                                                  \
	"[node a]\n"                                                           \
	"eth0 = lan 10.0.0.1/24 2001:db8::1/64\n"                              \
	"[node b]\n"                                                           \
	"eth0 = lan 10.0.0.2/24 2001:db8::2/64\n"                              \
	"[node c]\n"                                                           \
	"eth0 = lan 10.0.0.3/24\n"

static struct nlab_topology *load_ok(const char *text)
{
	return fixture_load_ok("t.ini", text);
}

static void load_bad(const char *text, const char *needle)
{
	fixture_load_bad("bad.ini", text, needle);
}

static const char *addr(int family, const uint8_t *a)
{
	static char buf[INET6_ADDRSTRLEN];

	return inet_ntop(family, a, buf, sizeof(buf));
}

/* Keys repeat in a [test] section, each line a step, in file order, with
 * the values iniparser gives every other key (quotes, comments,
 * continued lines). */
static void steps_keep_order(void **state)
{
	struct nlab_topology *t;
	const struct nlab_test *x;

	(void)state;
	t = load_ok(NODES "[test one]\n"		    /* line 7 */
			  "reach = a b\n"		    /* 8 */
			  "REACH   =   b c   ; a comment\n" /* 9 */
			  "exec = \"a echo x=1; echo y\"\n" /* 10 */
			  "expect = ^y$\n"		    /* 11 */
			  "reach = a \\\n"		    /* 12 */
			  "        c\n"			    /* 13 */
			  "wait = 2s\n"			    /* 14 */
			  "reach = a b\n"		    /* 15 */
			  "[test two]\n"		    /* 16 */
			  "exec = c true\n");
	assert_int_equal(t->n_tests, 2);
	x = nlab_topology_test(t, "one");
	assert_non_null(x);
	assert_int_equal(x->line, 7);
	assert_int_equal(x->n_steps, 6);
	assert_int_equal(x->steps[0].kind, NLAB_STEP_REACH);
	assert_int_equal(x->steps[0].line, 8);
	assert_string_equal(x->steps[0].nodes[0]->name, "a");
	assert_string_equal(x->steps[0].nodes[1]->name, "b");
	assert_int_equal(x->steps[1].line, 9);
	assert_string_equal(x->steps[1].text, "reach b c");
	assert_int_equal(x->steps[2].kind, NLAB_STEP_EXEC);
	assert_string_equal(x->steps[2].node->name, "a");
	assert_string_equal(x->steps[2].cmd, "echo x=1; echo y");
	assert_string_equal(x->steps[2].expect, "^y$");
	assert_int_equal(x->steps[2].expect_line, 11);
	assert_string_equal(x->steps[2].text,
			    "exec a echo x=1; echo y (expect /^y$/)");
	assert_int_equal(x->steps[3].line, 12);
	assert_int_equal(x->steps[3].n_nodes, 2);
	assert_string_equal(x->steps[3].nodes[1]->name, "c");
	assert_int_equal(x->steps[4].kind, NLAB_STEP_WAIT);
	assert_int_equal(x->steps[4].wait_ms, 2000);
	assert_int_equal(x->steps[5].line, 15);
	x = nlab_topology_test(t, "two");
	assert_non_null(x);
	assert_int_equal(x->n_steps, 1);
	assert_null(nlab_topology_test(t, "three"));
	nlab_topology_free(t);
}

/* Only a [test] section may repeat a key: a node still may not, and the
 * node after a test section is read as before. */
static void repeats_only_in_tests(void **state)
{
	(void)state;
	load_bad(NODES "[test x]\nreach = a b\nreach = a b\n"
		       "[node d]\neth0 = w 10.1.0.1/24\neth0 = w "
		       "10.1.0.2/24\n[node e]\neth0 = w 10.1.0.3/24\n",
		 "bad.ini:12: [node d] eth0: duplicate key (first at line 11)");
}

static void route_steps(void **state)
{
	struct nlab_topology *t;
	const struct nlab_step *s;
	char buf[64];

	(void)state;
	t = load_ok(NODES "[test r]\n"
			  "route = a 10.0.0.77/24\n"
			  "route = a default via 10.0.0.2 dev eth0\n"
			  "route = a default via 2001:db8::2\n"
			  "route = a 10.9.0.0/16 via fe80::1 dev lo\n"
			  "route = a ::/0\n"
			  "route = a default\n");
	s = t->tests[0].steps;
	assert_int_equal(t->tests[0].n_steps, 6);
	/* host bits dropped: the kernel keeps networks */
	assert_string_equal(nlab_prefix_str(&s[0].dst, buf, sizeof(buf)),
			    "10.0.0.0/24");
	assert_int_equal(s[0].gw_family, 0);
	assert_string_equal(s[0].dev, "");
	assert_int_equal(s[1].dst.family, AF_INET);
	assert_int_equal(s[1].dst.len, 0);
	assert_string_equal(addr(s[1].gw_family, s[1].gw), "10.0.0.2");
	assert_string_equal(s[1].dev, "eth0");
	/* default takes its gateway's family */
	assert_int_equal(s[2].dst.family, AF_INET6);
	/* an IPv4 route may go via IPv6 (RFC 5549) */
	assert_int_equal(s[3].dst.family, AF_INET);
	assert_int_equal(s[3].gw_family, AF_INET6);
	assert_string_equal(s[3].dev, "lo");
	assert_int_equal(s[4].dst.family, AF_INET6);
	assert_int_equal(s[4].dst.len, 0);
	assert_int_equal(s[5].dst.family, AF_INET);
	nlab_topology_free(t);
}

static void unreach_and_do_steps(void **state)
{
	struct nlab_topology *t;
	const struct nlab_step *s;
	char buf[128];

	(void)state;
	t = load_ok(NODES "[test u]\n"
			  "unreach = a:c b:2001:db8::99 c:10.0.0.9\n"
			  "do = link a eth0 down\n"
			  "do = link b eth0 up\n"
			  "do = impair a eth0 rate=1mbit delay=10ms\n"
			  "do = impair a eth0 clear\n");
	s = t->tests[0].steps;
	assert_int_equal(s[0].kind, NLAB_STEP_UNREACH);
	assert_int_equal(s[0].n_targets, 3);
	assert_string_equal(s[0].targets[0].from->name, "a");
	assert_string_equal(s[0].targets[0].to->name, "c");
	assert_null(s[0].targets[1].to);
	assert_int_equal(s[0].targets[1].family, AF_INET6);
	assert_string_equal(addr(AF_INET6, s[0].targets[1].addr),
			    "2001:db8::99");
	assert_string_equal(addr(AF_INET, s[0].targets[2].addr), "10.0.0.9");
	assert_int_equal(s[1].kind, NLAB_STEP_LINK);
	assert_false(s[1].up);
	assert_string_equal(s[1].ifname, "eth0");
	assert_true(s[2].up);
	assert_int_equal(s[3].kind, NLAB_STEP_IMPAIR);
	assert_string_equal(nlab_impair_str(&s[3].impair, buf, sizeof(buf)),
			    "rate=1mbit delay=10ms");
	assert_int_equal(s[4].impair.set, 0);
	assert_true(nlab_step_is_do(&s[1]));
	assert_false(nlab_step_is_check(&s[1]));
	assert_true(nlab_step_is_check(&s[0]));
	/* a test of only do steps and waits checks nothing: it has a check */
	nlab_topology_free(t);
}

/* Every kind of mistake, reported at its line with its section. */
static void step_errors(void **state)
{
	static const struct {
		const char *step, *needle;
	} cases[] = {
		{ "reach = a", "reach: needs two nodes or more" },
		{ "reach = a zz", "reach: no node 'zz'" },
		{ "reach = a b a", "reach: 'a' is listed twice" },
		{ "unreach = a", "unreach: 'a': expected NODE:TARGET" },
		{ "unreach = a:b:c", "'b:c' is neither a node nor an address" },
		{ "route = a 10.0.0.0",
		  "route: address 10.0.0.0 needs a prefix" },
		{ "route = a 10.0.0.0/24 via b",
		  "'via' needs a gateway address" },
		{ "route = a 10.0.0.0/24 dev eth7", "no interface 'eth7'" },
		{ "route = a 10.0.0.0/24 via 10.0.0.1 via 10.0.0.2",
		  "unexpected 'via'" },
		{ "exec = a", "missing COMMAND" },
		{ "exec = q true", "no node 'q'" },
		{ "expect = x", "goes right after the exec" },
		{ "wait = 5h", "'5h' is not a duration" },
		{ "do = link a eth0",
		  "expected do = link NODE IFNAME up|down" },
		{ "do = link a eth0 down now", "expected do = link" },
		{ "do = impair a eth0 loss=120%", "loss=120%: must be from" },
		{ "do = impair a eth0 clear rate=1mbit", "or clear" },
		{ "do = restart a", "restart is not supported yet" },
		{ "do = reboot a", "unknown action 'reboot'" },
		{ "rech = a b", "unknown step 'rech' (did you mean 'reach'?)" },
	};
	char text[512], needle[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 NODES "[test e]\n%s\nreach = a b\n", cases[i].step);
		snprintf(needle, sizeof(needle), "bad.ini:8: [test e]");
		load_bad(text, needle);
		load_bad(text, cases[i].needle);
	}
	load_bad(NODES "[test e]\nexec = a true\nexpect = (\n", "expect: '(':");
	load_bad(NODES "[test e]\nwait = 1s\n",
		 "bad.ini:7: [test e]: a test needs a check");
	load_bad(NODES "[test]\nreach = a b\n", "needs a name: [test NAME]");
	/* iniparser reads each step under its own key: the key must be on
	 * the step's first line */
	load_bad(NODES "[test e]\nreach \\\n  = a b\n",
		 "bad.ini:8: syntax error: a key cannot go on over two lines");
	load_bad(NODES "[test e]\nreach = a c\n[node v6]\n"
		       "eth0 = lan 2001:db8::6/64\n[test f]\nreach = a v6 c\n",
		 "v6 and c have no global address of one family");
}

static void ready_setting(void **state)
{
	struct nlab_topology *t;

	(void)state;
	t = load_ok("[node a]\neth0 = lan 10.0.0.1/24\n"
		    "ready = \"vtysh -c 'show ip ospf neighbor' | grep -q "
		    "Full; true\"\n[node b]\neth0 = lan 10.0.0.2/24\n");
	assert_string_equal(t->nodes[0].ready,
			    "vtysh -c 'show ip ospf neighbor' | grep -q Full; "
			    "true");
	assert_null(t->nodes[1].ready);
	assert_int_equal(t->n_tests, 0);
	nlab_topology_free(t);
	load_bad("[node a]\neth0 = lan 10.0.0.1/24\nready =\n[node b]\n"
		 "eth0 = lan 10.0.0.2/24\n",
		 "bad.ini:3: [node a] ready: empty command");
	/* a setting's name is no interface's */
	assert_false(nlab_valid_ifname("ready"));
}

static void durations(void **state)
{
	static const struct {
		const char *s;
		long long ms; /* -1: refused */
	} cases[] = {
		{ "0", 0 },	   { "30", 30000 },    { "30s", 30000 },
		{ "1.5s", 1500 },  { "500ms", 500 },   { "2m", 120000 },
		{ "0.5m", 30000 }, { "60m", 3600000 }, { "3600", 3600000 },
		{ "61m", -1 },	   { "3601s", -1 },    { "1h", -1 },
		{ "", -1 },	   { "s", -1 },	       { "-1s", -1 },
		{ "1.s", -1 },	   { "0.0001s", -1 },  { "1.5ms", -1 },
		{ " 1s", -1 },	   { "1 s", -1 },      { "99999999999", -1 },
	};
	struct nlab_err e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t ms = 12345;
		int r = nlab_parse_duration(cases[i].s, &ms, &e);

		if (cases[i].ms < 0) {
			if (!r)
				fail_msg("'%s' was taken (%llu ms)", cases[i].s,
					 (unsigned long long)ms);
			assert_int_equal(ms, 12345);
		} else {
			if (r)
				fail_msg("'%s': %s", cases[i].s, e.msg);
			assert_int_equal(ms, cases[i].ms);
		}
	}
}

static struct nlab_kroute kr(const char *dst, uint8_t proto)
{
	struct nlab_kroute r = { .type = RTN_UNICAST, .protocol = proto };

	if (strcmp(dst, "default"))
		assert_int_equal(nlab_parse_prefix(dst, &r.dst, NULL), 0);
	else
		r.dst.family = AF_INET;
	return r;
}

static void nexthop(struct nlab_kroute *r, const char *gw, const char *dev)
{
	struct nlab_nexthop *nh = &r->nh[r->n_nh++];

	if (gw)
		nh->family = nlab_parse_addr(gw, nh->gw);
	snprintf(nh->dev, sizeof(nh->dev), "%s", dev);
	nh->oif = 2;
}

/* The kernel's routes shown as `ip route` shows them, and matched. */
static void kernel_routes(void **state)
{
	struct nlab_kroute r = kr("10.10.3.0/24", RTPROT_OSPF), m;
	struct nlab_prefix want;
	uint8_t gw[16];
	char buf[256];

	(void)state;
	nexthop(&r, "10.10.13.2", "eth1");
	r.has_metric = true;
	r.metric = 20;
	assert_string_equal(nlab_kroute_str(&r, buf, sizeof(buf)),
			    "10.10.3.0/24 via 10.10.13.2 dev eth1 proto ospf "
			    "metric 20");
	nlab_parse_prefix("10.10.3.0/24", &want, NULL);
	nlab_parse_addr("10.10.13.2", gw);
	assert_true(nlab_kroute_match(&r, &want, 0, NULL, ""));
	assert_true(nlab_kroute_match(&r, &want, AF_INET, gw, ""));
	assert_true(nlab_kroute_match(&r, &want, AF_INET, gw, "eth1"));
	assert_false(nlab_kroute_match(&r, &want, AF_INET, gw, "eth0"));
	nlab_parse_addr("10.10.12.2", gw);
	assert_false(nlab_kroute_match(&r, &want, AF_INET, gw, ""));
	nlab_parse_prefix("10.10.3.0/25", &want, NULL);
	assert_false(nlab_kroute_match(&r, &want, 0, NULL, ""));

	/* multipath: any next hop, but gateway and device on the same one */
	m = kr("10.10.23.0/30", RTPROT_OSPF);
	nexthop(&m, "10.10.12.2", "eth0");
	nexthop(&m, "10.10.13.2", "eth1");
	assert_string_equal(nlab_kroute_str(&m, buf, sizeof(buf)),
			    "10.10.23.0/30 proto ospf nexthop via 10.10.12.2 "
			    "dev eth0 nexthop via 10.10.13.2 dev eth1");
	nlab_parse_prefix("10.10.23.0/30", &want, NULL);
	nlab_parse_addr("10.10.13.2", gw);
	assert_true(nlab_kroute_match(&m, &want, AF_INET, gw, "eth1"));
	assert_false(nlab_kroute_match(&m, &want, AF_INET, gw, "eth0"));

	/* connected, default, other types, an IPv6 gateway for IPv4 */
	r = kr("10.10.1.0/24", RTPROT_KERNEL);
	r.scope = RT_SCOPE_LINK;
	nexthop(&r, NULL, "eth2");
	assert_string_equal(nlab_kroute_str(&r, buf, sizeof(buf)),
			    "10.10.1.0/24 dev eth2 proto kernel scope link");
	r = kr("default", RTPROT_STATIC);
	nexthop(&r, "fe80::1", "eth0");
	assert_string_equal(nlab_kroute_str(&r, buf, sizeof(buf)),
			    "default via inet6 fe80::1 dev eth0 proto static");
	r = kr("192.0.2.0/24", 77);
	r.type = RTN_BLACKHOLE;
	assert_string_equal(nlab_kroute_str(&r, buf, sizeof(buf)),
			    "blackhole 192.0.2.0/24 proto 77");
}

/* The end of a command's output, for reports: last lines, long lines
 * cut, control bytes shown rather than sent to the terminal. */
static void output_tail(void **state)
{
	const char *out = "one\ntwo\nthree\nfour\n\n";
	char *s, long_line[400];

	(void)state;
	/* blank lines at the end are not worth showing */
	s = nlab_text_tail(out, strlen(out), 2, "> ");
	assert_string_equal(s, "> three\n> four\n");
	free(s);
	s = nlab_text_tail("one\ntwo\nthree\nfour", 18, 2, "> ");
	assert_string_equal(s, "> three\n> four\n");
	free(s);
	s = nlab_text_tail(out, strlen(out), 10, "");
	assert_string_equal(s, "one\ntwo\nthree\nfour\n");
	free(s);
	s = nlab_text_tail("", 0, 3, "> ");
	assert_string_equal(s, "");
	free(s);
	s = nlab_text_tail("a\033[2Jb\tc\n", 8, 3, "");
	assert_string_equal(s, "a?[2Jb\tc\n");
	free(s);
	memset(long_line, 'x', sizeof(long_line));
	s = nlab_text_tail(long_line, sizeof(long_line), 1, "");
	assert_int_equal(strlen(s), 160 + 3 + 1);
	assert_string_equal(s + 160, "...\n");
	free(s);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(steps_keep_order),
	cmocka_unit_test(repeats_only_in_tests),
	cmocka_unit_test(route_steps),
	cmocka_unit_test(unreach_and_do_steps),
	cmocka_unit_test(step_errors),
	cmocka_unit_test(ready_setting),
	cmocka_unit_test(durations),
	cmocka_unit_test(kernel_routes),
	cmocka_unit_test(output_tail),
};

UNIT_GROUP("labtest", tests, fixture_setup, fixture_teardown)
