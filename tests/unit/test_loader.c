// SPDX-License-Identifier: MIT
/* The loader: valid topologies become the right model. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fixture.h"
#include "unit.h"

/* Load a file that must be valid, or must fail naming a needle: fixture.h */
#define load_ok	 fixture_load_ok
#define load_bad fixture_load_bad

static void assert_prefix(const struct nlab_prefix *p, const char *want)
{
	char buf[64];

	assert_string_equal(nlab_prefix_str(p, buf, sizeof(buf)), want);
}

static struct nlab_segment *segment(const struct nlab_topology *t,
				    const char *name)
{
	for (size_t i = 0; i < t->n_segments; i++)
		if (!strcmp(t->segments[i].name, name))
			return &t->segments[i];
	fail_msg("no segment %s", name);
	return NULL;
}

/* The SPEC's own example, with mounts that exist here. */
static void spec_example_model(void **state)
{
	char text[4096];
	struct nlab_topology *t;
	struct nlab_node *r1, *h2;
	struct nlab_iface *eth1;
	struct nlab_segment *lan, *r1r2;
	char want[512];

	(void)state;
	mkdir(fixture_path("r1"), 0755);
	mkdir(fixture_path("r1/etc"), 0755);
	snprintf(text, sizeof(text),
		 "; comments start with ';' or '#'\n"
		 "[lab]\n"
		 "name  = demo          ; optional\n"
		 "hosts = no\n"
		 "\n"
		 "[node r1]\n"
		 "eth0    = lan 10.0.0.1/24 2001:db8:0::1/64\n"
		 "eth1    = r1r2 10.0.12.1/30 2001:db8:12::1/64 delay=10ms "
		 "loss=0.5%% rate=10mbit\n"
		 "forward = yes\n"
		 "route   = 10.0.34.0/24 via 10.0.12.2, 2001:db8:34::/64 via "
		 "2001:db8:12::2 metric 20\n"
		 "sysctl  = net.ipv4.conf.all.rp_filter=0\n"
		 "run     = exec bird -f -c r1/bird.conf   ; comment\n"
		 "bind    = r1/etc:/tmp:ro\n"
		 "tmpfs   = %s\n"
		 "\n"
		 "[node r2]\n"
		 "eth0    = r1r2 10.0.12.2/30 2001:db8:12::2/64\n"
		 "run     = \"echo r2 up; exec sleep infinity\"\n"
		 "\n"
		 "[node h1]\n"
		 "eth0  = lan 10.0.0.10/24\n"
		 "route = default via 10.0.0.1\n"
		 "\n"
		 "[node h2]\n"
		 "eth0  = lan 10.0.0.11/24 mac=02:00:00:00:00:11 mtu=1400\n"
		 "route = default via 10.0.0.1\n"
		 "\n"
		 "[switch lan]          ; optional\n"
		 "stp = yes\n"
		 "ageing = 30\n",
		 fixture_dir());
	t = load_ok("spec.ini", text);

	assert_string_equal(t->name, "demo");
	assert_false(t->hosts);
	assert_string_equal(t->dir, fixture_dir());
	assert_int_equal(t->n_nodes, 4);
	r1 = nlab_topology_node(t, "r1");
	assert_non_null(r1);
	assert_int_equal(r1->line, 6);
	assert_true(r1->forward);
	assert_int_equal(r1->n_ifaces, 2);
	assert_prefix(&r1->ifaces[0].addrs[0], "10.0.0.1/24");
	assert_prefix(&r1->ifaces[0].addrs[1], "2001:db8::1/64");
	assert_int_equal(r1->ifaces[0].line, 7);

	eth1 = nlab_node_iface(r1, "eth1");
	assert_non_null(eth1);
	assert_ptr_equal(eth1->node, r1);
	assert_int_equal(eth1->impair.set,
			 NLAB_IMP_DELAY | NLAB_IMP_LOSS | NLAB_IMP_RATE);
	assert_int_equal(eth1->impair.delay_us, 10000);
	assert_int_equal(eth1->impair.rate_bps, 10000000);
	assert_true(eth1->impair.loss_pct == 0.5);

	assert_int_equal(r1->n_routes, 2);
	assert_int_equal(r1->routes[0].gw_family, AF_INET);
	assert_prefix(&r1->routes[0].dst, "10.0.34.0/24");
	assert_false(r1->routes[0].has_metric);
	assert_int_equal(r1->routes[1].gw_family, AF_INET6);
	assert_prefix(&r1->routes[1].dst, "2001:db8:34::/64");
	assert_true(r1->routes[1].has_metric);
	assert_int_equal(r1->routes[1].metric, 20);
	assert_int_equal(r1->routes[1].line, 10);

	assert_int_equal(r1->n_sysctls, 1);
	assert_string_equal(r1->sysctls[0].key, "net.ipv4.conf.all.rp_filter");
	assert_string_equal(r1->sysctls[0].value, "0");
	assert_string_equal(r1->run, "exec bird -f -c r1/bird.conf");

	/* mounts in file order, host paths resolved against the file's dir */
	assert_int_equal(r1->n_mounts, 2);
	snprintf(want, sizeof(want), "%s/r1/etc", fixture_dir());
	assert_string_equal(r1->mounts[0].source, want);
	assert_string_equal(r1->mounts[0].target, "/tmp");
	assert_true(r1->mounts[0].readonly);
	assert_null(r1->mounts[1].source);
	assert_string_equal(r1->mounts[1].target, fixture_dir());

	assert_string_equal(nlab_topology_node(t, "r2")->run,
			    "echo r2 up; exec sleep infinity");
	assert_true(nlab_topology_node(t, "h1")->routes[0].is_default);
	assert_int_equal(nlab_topology_node(t, "h1")->routes[0].dst.family,
			 AF_INET);

	h2 = nlab_topology_node(t, "h2");
	assert_true(h2->ifaces[0].has_mac);
	assert_int_equal(h2->ifaces[0].mac[5], 0x11);
	assert_int_equal(h2->ifaces[0].mtu, 1400);

	/* segments in order of first use */
	assert_int_equal(t->n_segments, 2);
	assert_string_equal(t->segments[0].name, "lan");
	lan = segment(t, "lan");
	r1r2 = segment(t, "r1r2");
	assert_int_equal(lan->kind, NLAB_SEG_BRIDGE);
	assert_int_equal(lan->n_members, 3);
	assert_ptr_equal(lan->members[0], &r1->ifaces[0]);
	assert_ptr_equal(lan->members[2], &h2->ifaces[0]);
	assert_ptr_equal(h2->ifaces[0].segment, lan);
	assert_non_null(lan->sw);
	assert_true(lan->sw->stp);
	assert_true(lan->sw->has_ageing);
	assert_int_equal(lan->sw->ageing_s, 30);
	assert_int_equal(r1r2->kind, NLAB_SEG_VETH);
	assert_null(r1r2->sw);
	assert_int_equal(t->n_switches, 1);
	nlab_topology_free(t);
}

static void segment_kinds(void **state)
{
	struct nlab_topology *t;

	(void)state;
	t = load_ok("kinds.ini", "[node a]\n"
				 "e0 = pair\n"
				 "e1 = three\n"
				 "e2 = declared\n"
				 "[node b]\n"
				 "e0 = pair\n"
				 "e1 = three\n"
				 "e2 = declared\n"
				 "[node c]\n"
				 "e1 = three\n"
				 "e2 = stub\n"
				 "[switch declared]\n"
				 "[switch stub]\n");
	assert_int_equal(segment(t, "pair")->kind, NLAB_SEG_VETH);
	assert_int_equal(segment(t, "three")->kind, NLAB_SEG_BRIDGE);
	assert_null(segment(t, "three")->sw);
	assert_int_equal(segment(t, "declared")->kind, NLAB_SEG_BRIDGE);
	assert_ptr_equal(segment(t, "declared")->sw, &t->switches[0]);
	/* One member and a [switch]: a stub LAN, a bridge of one port. */
	assert_int_equal(segment(t, "stub")->kind, NLAB_SEG_BRIDGE);
	assert_int_equal(segment(t, "stub")->n_members, 1);
	assert_ptr_equal(segment(t, "stub")->sw, &t->switches[1]);
	assert_string_equal(t->name, "kinds");
	nlab_topology_free(t);
}

/* Section and key names fold to lower case; values keep theirs. */
static void case_folding(void **state)
{
	struct nlab_topology *t;

	(void)state;
	t = load_ok("case.ini", "[NODE  A]\n"
				"ETH0 = lan 10.0.0.1/24\n"
				"RUN = Echo Hello\n"
				"Forward = YES\n"
				"[Node b]\n"
				"Eth0 = lan 10.0.0.2/24\n");
	assert_non_null(nlab_topology_node(t, "a"));
	assert_non_null(nlab_node_iface(nlab_topology_node(t, "a"), "eth0"));
	assert_string_equal(nlab_topology_node(t, "a")->run, "Echo Hello");
	assert_true(nlab_topology_node(t, "a")->forward);
	nlab_topology_free(t);
}

/* A continued value: joined, and its line is where the key starts. */
static void continuation_lines(void **state)
{
	struct nlab_topology *t;
	struct nlab_node *a;

	(void)state;
	t = load_ok("cont.ini", "[node a]\n"
				"eth0 = lan 10.0.0.1/24\n"
				"\n"
				"route = 10.1.0.0/16 via 10.0.0.2, \\\n"
				"        10.2.0.0/16 via 10.0.0.2, \\\n"
				"        default via 10.0.0.3\n"
				"eth1 = other \\\n"
				"   10.9.0.1/24\n"
				"[node b]\n"
				"eth0 = lan 10.0.0.2/24\n"
				"eth1 = other 10.9.0.2/24\n");
	a = nlab_topology_node(t, "a");
	assert_int_equal(a->n_routes, 3);
	assert_int_equal(a->routes[0].line, 4);
	assert_int_equal(a->routes[2].line, 4);
	assert_true(a->routes[2].is_default);
	assert_int_equal(a->ifaces[1].line, 7);
	assert_prefix(&a->ifaces[1].addrs[0], "10.9.0.1/24");
	nlab_topology_free(t);

	/* and an error in a continued value names the key's line */
	load_bad("cont-bad.ini",
		 "[node a]\n"
		 "route = 10.1.0.0/16 via 10.0.0.2, \\\n"
		 "        default via\n",
		 "cont-bad.ini:2: [node a] route: 'via' needs a gateway "
		 "address");
}

/* Quotes keep ';' and '#'; comments go. */
static void quoted_values(void **state)
{
	struct nlab_topology *t;

	(void)state;
	t = load_ok("quote.ini",
		    "[node a] # the only node\n"
		    "run = \"echo 'a; b' # not a comment\"  ; one\n"
		    "[node b]\n"
		    "run = echo plain # a comment\n");
	assert_string_equal(nlab_topology_node(t, "a")->run,
			    "echo 'a; b' # not a comment");
	assert_string_equal(nlab_topology_node(t, "b")->run, "echo plain");
	nlab_topology_free(t);
}

/* 1022 bytes is the longest logical line iniparser reads. */
static void line_length_limit(void **state)
{
	char text[2200];
	struct nlab_topology *t;
	int n;

	(void)state;
	n = snprintf(text, sizeof(text), "[node a]\nrun = ");
	memset(text + n, 'x', 1016);
	strcpy(text + n + 1016, "\n");
	t = load_ok("l1022.ini", text);
	assert_int_equal(strlen(nlab_topology_node(t, "a")->run), 1016);
	nlab_topology_free(t);

	text[n + 1016] = 'x';
	strcpy(text + n + 1017, "\n");
	load_bad("l1023.ini", text, "l1023.ini:2: line too long (1023 bytes");
}

/* A big lab loads, and fast: nothing in the loader is quadratic. */
static void ten_thousand_sections(void **state)
{
	size_t cap = 10000 * 80, len = 0;
	char *text = malloc(cap);
	struct nlab_topology *t;
	struct timespec a, b;
	double secs;

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < 10000; i++)
		len += (size_t)snprintf(
			text + len, cap - len,
			"[node n%d]\neth0 = s%d 10.%d.%d.%d/31\n", i, i / 2,
			i >> 16, (i >> 8) & 255, i & 255);
	clock_gettime(CLOCK_MONOTONIC, &a);
	t = load_ok("big.ini", text);
	clock_gettime(CLOCK_MONOTONIC, &b);
	free(text);
	secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	assert_int_equal(t->n_nodes, 10000);
	assert_int_equal(t->n_segments, 5000);
	assert_int_equal(t->segments[4999].kind, NLAB_SEG_VETH);
	nlab_topology_free(t);
	/* ~0.5 s here, under ASan included; 10 s only catches the O(n^2) */
	assert_true(secs < 10.0);
}

static void lab_names(void **state)
{
	struct nlab_load_opts o = { .skip_fs_checks = true, .name = "mylab" };
	struct nlab_topology *t = NULL;
	struct nlab_diag d = { 0 };

	(void)state;
	/* from the file's base name, less .ini */
	t = load_ok("my-lab_2.ini", "[node a]\n");
	assert_string_equal(t->name, "my-lab_2");
	nlab_topology_free(t);
	/* not a valid name, and no [lab] name */
	load_bad("file.name.ini", "[node a]\n", "add [lab] with name =");
	t = load_ok("file.name.ini", "[lab]\nname = ok\n[node a]\n");
	assert_string_equal(t->name, "ok");
	nlab_topology_free(t);
	/* a stored copy: the name comes from the options */
	fixture_write("topology.ini", "[node a]\n");
	assert_int_equal(nlab_topology_load_opts(fixture_path("topology.ini"),
						 &o, &t, &d),
			 0);
	assert_string_equal(t->name, "mylab");
	nlab_topology_free(t);
}

/* [lab] hosts: yes (the default) shares one file, private a copy each. */
static void hosts_modes(void **state)
{
	static const struct {
		const char *text;
		enum nlab_hosts_mode mode;
	} cases[] = {
		{ "[node a]\n", NLAB_HOSTS_SHARED },
		{ "[lab]\nhosts = yes\n[node a]\n", NLAB_HOSTS_SHARED },
		{ "[lab]\nhosts = private\n[node a]\n", NLAB_HOSTS_PRIVATE },
		{ "[lab]\nhosts = no\n[node a]\n", NLAB_HOSTS_NO },
	};
	struct nlab_topology *t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = load_ok("hosts.ini", cases[i].text);
		assert_int_equal(t->hosts, cases[i].mode);
		nlab_topology_free(t);
	}
	load_bad("hosts.ini", "[lab]\nhosts = shared\n[node a]\n",
		 "hosts.ini:2: [lab] hosts: expected yes, no or private, not "
		 "'shared'");
}

/* opts.dir resolves relative host paths; skip_fs_checks skips stat. */
static void load_options(void **state)
{
	struct nlab_load_opts o = { .dir = "/elsewhere",
				    .skip_fs_checks = true };
	struct nlab_topology *t = NULL;
	struct nlab_diag d = { 0 };
	const char *path;

	(void)state;
	path = fixture_write("opts.ini", "[node a]\n"
					 "bind = data/x:/nonexistent/y\n"
					 "tmpfs = /nonexistent//z/./\n");
	assert_int_equal(nlab_topology_load_opts(path, &o, &t, &d), 0);
	assert_string_equal(t->dir, "/elsewhere");
	assert_string_equal(t->nodes[0].mounts[0].source, "/elsewhere/data/x");
	assert_string_equal(t->nodes[0].mounts[0].target, "/nonexistent/y");
	assert_false(t->nodes[0].mounts[0].readonly);
	assert_string_equal(t->nodes[0].mounts[1].target, "/nonexistent/z");
	nlab_topology_free(t);

	/* the same file checked against the file system fails */
	assert_int_equal(nlab_topology_load(path, &t, &d), -2);
	assert_true(fixture_diag_has(&d, "bind: source "));
	assert_true(fixture_diag_has(&d, "tmpfs: /nonexistent/z does not "
					 "exist"));
	nlab_diag_free(&d);
}

static void routes(void **state)
{
	struct nlab_topology *t;
	struct nlab_node *a;

	(void)state;
	t = load_ok("routes.ini", "[node a]\n"
				  "eth0 = l 10.0.0.1/24 2001:db8::1/64\n"
				  "eth1 = m 10.1.0.1/24\n"
				  "route = 10.9.0.5 via 10.1.0.2, "
				  "2001:db8:9::/48 via fe80::1 dev eth0, "
				  "default via 10.0.0.2 dev eth0 metric 5, "
				  "default via 10.1.0.2 metric 10\n"
				  "[node b]\n"
				  "eth0 = l 10.0.0.2/24\n"
				  "eth1 = m 10.1.0.2/24\n");
	a = nlab_topology_node(t, "a");
	assert_int_equal(a->n_routes, 4);
	assert_prefix(&a->routes[0].dst, "10.9.0.5/32");
	assert_string_equal(a->routes[1].dev, "eth0");
	assert_int_equal(a->routes[1].gw_family, AF_INET6);
	assert_string_equal(a->routes[2].dev, "eth0");
	assert_int_equal(a->routes[2].metric, 5);
	assert_int_equal(a->routes[3].metric, 10);
	nlab_topology_free(t);

	load_bad("gw-dev.ini",
		 "[node a]\neth0 = l 10.0.0.1/24\neth1 = m 10.1.0.1/24\n"
		 "route = default via 10.1.0.2 dev eth0\n"
		 "[node b]\neth0 = l 10.0.0.2/24\neth1 = m 10.1.0.2/24\n",
		 "gateway 10.1.0.2 is not in a subnet of eth0");
	load_bad("gw-ll.ini",
		 "[node a]\neth0 = l 2001:db8::1/64\n"
		 "route = default via fe80::1\n"
		 "[node b]\neth0 = l 2001:db8::2/64\n",
		 "link-local gateway fe80::1 needs 'dev IFNAME'");
}

/* More than NLAB_MAX_ERRORS: 20 kept, in line order, all counted. */
static void errors_capped_and_sorted(void **state)
{
	char text[4096];
	struct nlab_diag d = { 0 };
	size_t len;

	(void)state;
	len = (size_t)snprintf(text, sizeof(text), "[node a]\n");
	for (int i = 0; i < 25; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"eth%d = s%d 10.0.0.%d\n", i, i, i + 1);
	assert_null(fixture_load("many.ini", text, &d));
	assert_int_equal(d.n, NLAB_MAX_ERRORS);
	assert_int_equal(d.total, 50); /* no length, no peer: 2 per line */
	assert_non_null(strstr(d.lines[0], "many.ini:2: "));
	assert_non_null(strstr(d.lines[19], "many.ini:11: "));
	nlab_diag_free(&d);
}

static void counts(void **state)
{
	struct nlab_topology *t;
	struct nlab_counts c;

	(void)state;
	t = load_ok("counts.ini", "[node a]\neth0 = ab 10.0.0.1/30\n"
				  "eth1 = lan 10.1.0.1/24 2001:db8::1/64\n"
				  "route = default via 10.0.0.2\n"
				  "[node b]\neth0 = ab 10.0.0.2/30\n"
				  "eth1 = lan 10.1.0.2/24\n"
				  "[node c]\neth0 = lan 10.1.0.3/24\n");
	nlab_topology_counts(t, &c);
	assert_int_equal(c.nodes, 3);
	assert_int_equal(c.switches, 1);
	assert_int_equal(c.links, 4); /* the veth, and 3 bridge ports */
	assert_int_equal(c.addresses, 6);
	assert_int_equal(c.routes, 1);
	nlab_topology_free(t);
}

/* A mistyped setting is told from an interface by its value. */
static void typo_or_interface(void **state)
{
	struct nlab_topology *t;

	(void)state;
	load_bad("typo.ini", "[node a]\nfoward = yes\n",
		 "unknown setting 'foward' (did you mean 'forward'?)");
	load_bad("typo2.ini", "[node a]\nrout = default via 10.0.0.1\n",
		 "did you mean 'route'?");
	/* "runs" is one edit from "run", but this is an interface */
	t = load_ok("notypo.ini", "[node a]\nruns = lan 10.0.0.1/24\n"
				  "[node b]\nrun0 = lan\n");
	assert_non_null(nlab_node_iface(nlab_topology_node(t, "a"), "runs"));
	assert_non_null(nlab_node_iface(nlab_topology_node(t, "b"), "run0"));
	nlab_topology_free(t);
	/* Interfaces near a setting's name, or on a segment named like a
	 * number: an address, a shared segment or a digit at the end of the
	 * name says so.  (ens3 is two edits from env, wan from run.) */
	t = load_ok("ifaces.ini", "[node a]\n"
				  "eth0 = 12 10.0.12.1/24\n"
				  "ens3 = lan\n"
				  "wan = isp 10.0.1.1/24\n"
				  "tun0 = vpn\n"
				  "e0 = pair\n"
				  "[node b]\n"
				  "eth0 = 12 10.0.12.2/24\n"
				  "eth1 = lan\n"
				  "eth2 = isp 10.0.1.2/24\n"
				  "e0 = pair\n"
				  "lan = vpn\n");
	assert_int_equal(nlab_topology_node(t, "a")->n_ifaces, 5);
	assert_int_equal(nlab_topology_node(t, "b")->n_ifaces, 5);
	assert_int_equal(t->n_segments, 5);
	nlab_topology_free(t);
	/* A value like a number, a size or yes/no makes no segment. */
	load_bad("value.ini", "[node a]\ncpu = 2\n[node b]\ncpu = 2\n",
		 "unknown setting 'cpu'");
	load_bad("size.ini", "[node a]\nshm = 64m\n[node b]\nshm = 64m\n",
		 "unknown setting 'shm' (node settings:");
	load_bad("bool.ini", "[node a]\ndebug = on\n[node b]\ndebug = on\n",
		 "unknown setting 'debug'");
	load_bad("case.ini", "[node a]\ndebug = YES\nshm = 1G\n",
		 "unknown setting 'shm'");
	load_bad("case2.ini", "[node a]\ndebug = YES\n",
		 "unknown setting 'debug'");
	load_bad("mtu.ini", "[node a]\nmtu = 1400\n",
		 "an MTU goes on an interface line");
}

static void missing_file(void **state)
{
	struct nlab_topology *t = NULL;
	struct nlab_diag d = { 0 };

	(void)state;
	assert_int_equal(nlab_topology_load(fixture_path("none.ini"), &t, &d),
			 -2);
	assert_int_equal(d.total, 1);
	assert_non_null(strstr(d.lines[0], "No such file"));
	nlab_diag_free(&d);
	assert_int_equal(nlab_topology_load(fixture_dir(), &t, &d), -2);
	assert_non_null(strstr(d.lines[0], "is a directory"));
	nlab_diag_free(&d);
}

static const struct CMUnitTest loader_tests[] = {
	cmocka_unit_test(spec_example_model),
	cmocka_unit_test(segment_kinds),
	cmocka_unit_test(case_folding),
	cmocka_unit_test(continuation_lines),
	cmocka_unit_test(quoted_values),
	cmocka_unit_test(line_length_limit),
	cmocka_unit_test(ten_thousand_sections),
	cmocka_unit_test(lab_names),
	cmocka_unit_test(load_options),
	cmocka_unit_test(hosts_modes),
	cmocka_unit_test(routes),
	cmocka_unit_test(errors_capped_and_sorted),
	cmocka_unit_test(counts),
	cmocka_unit_test(typo_or_interface),
	cmocka_unit_test(missing_file),
};

UNIT_GROUP("loader", loader_tests, fixture_setup, fixture_teardown)
