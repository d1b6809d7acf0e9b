// SPDX-License-Identifier: MIT
/*
 * lab.conf's grammar (lib/topology/kathara.c), line by line: what Kathará's
 * LabParser accepts and how it reads it, what it refuses and where.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "topology/kathara_lab.h"
#include "unit.h"

struct parsed {
	struct kat_lab lab;
	struct nlab_diag d;
	int ret;
};

static void parse(struct parsed *p, const char *text)
{
	memset(p, 0, sizeof(*p));
	p->lab.d = &p->d;
	p->lab.conf = strdup("lab.conf");
	p->ret = kat_parse_conf(&p->lab, text, strlen(text));
}

static void done(struct parsed *p)
{
	kat_lab_free(&p->lab);
	nlab_diag_free(&p->d);
}

static void show_errors(const struct parsed *p)
{
	for (size_t i = 0; i < p->d.n; i++)
		print_error("%s\n", p->d.lines[i]);
}

static const struct kat_device *dev(const struct parsed *p, const char *name)
{
	for (size_t i = 0; i < p->lab.n_devs; i++)
		if (!strcmp(p->lab.devs[i].name, name))
			return &p->lab.devs[i];
	fail_msg("no device %s", name);
	return NULL;
}

static const struct kat_iface *iface(const struct parsed *p, const char *name,
				     unsigned long num)
{
	const struct kat_device *d = dev(p, name);

	for (size_t i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].num == num)
			return &d->ifaces[i];
	fail_msg("device %s has no interface %lu", name, num);
	return NULL;
}

/* The value of @name (@key) on device @d, or NULL. */
static const char *optval(const struct parsed *p, const char *d,
			  const char *name, const char *key)
{
	const struct kat_device *v = dev(p, d);

	for (size_t i = 0; i < v->n_opts; i++)
		if (!strcmp(v->opts[i].name, name) &&
		    (!key || !strcmp(v->opts[i].key, key)))
			return v->opts[i].value;
	return NULL;
}

/* Parses without error; else the test fails showing the errors. */
static void ok_text(struct parsed *p, const char *text)
{
	parse(p, text);
	if (p->ret || p->d.total) {
		show_errors(p);
		fail_msg("refused: %s", text);
	}
}

/* Refused, with an error line that contains @needle. */
static void bad_text(const char *text, const char *needle)
{
	struct parsed p;
	bool found = false;

	parse(&p, text);
	for (size_t i = 0; i < p.d.n; i++)
		found |= strstr(p.d.lines[i], needle) != NULL;
	if (!p.ret || !found) {
		show_errors(&p);
		fail_msg("'%s': no error with '%s'", text, needle);
	}
	done(&p);
}

/* The value the regex takes, quotes and comments as Kathará reads them. */
static void values(void **state)
{
	static const struct {
		const char *line, *cd;
	} cases[] = {
		{ "pc1[0]=A\n", "A" },
		{ "pc1[0]='A'\n", "A" },
		{ "pc1[0]=\"A\"\n", "A" },
		{ "pc1[0]='A'      # an inline comment\n", "A" },
		{ "pc1[0]=\"A\"\t# a tab before it\n", "A" },
		{ "  pc1[0]=A  \n", "A" },	  /* stripped */
		{ "pc1[0]=A\r\n", "A" },	  /* CR LF */
		{ "pc1[0]=A", "A" },		  /* no newline at the end */
		{ "pc1[0]=A # it's cut\n", "A" }, /* backtracks to before it */
		{ "\xef\xbb\xbfpc1[0]=A\n",
		  "A" }, /* a BOM: netlab's leniency */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed p;

		ok_text(&p, cases[i].line);
		assert_string_equal(iface(&p, "pc1", 0)->cd, cases[i].cd);
		done(&p);
	}
}

/* What the regex refuses, or reads as a value Kathará then refuses. */
static void bad_values(void **state)
{
	(void)state;
	bad_text("pc1[0]=\n", "lab.conf:1: syntax error");
	bad_text("pc1[0]=''\n", "lab.conf:1: syntax error");
	bad_text("pc1[0]='A\n", "a quote that is not closed");
	bad_text("pc1[0]='A\"\n", "quotes that do not match");
	bad_text("pc1[0]=\"A\"#x\n", "text after the closing quote");
	bad_text("pc1[0]=\"A\" x\n", "text after the closing quote");
	/* unquoted, the comment is the value's */
	bad_text("pc1[0]=A # to r2\n", "collision domain 'A # to r2'");
	/* and the longest value before a quote: "A  " */
	bad_text("pc1[0]=A   # it's\n", "collision domain 'A  '");
	bad_text("pc1[0] =A\n", "no white space goes around '='");
	/* the regex takes " A" as the value */
	bad_text("pc1[0]= A\n", "collision domain ' A'");
	bad_text("Pc1[0]=A\n", "lab.conf:1: syntax error");
	bad_text("pc-1[0]=A\n", "lab.conf:1: syntax error");
	bad_text("pc1[]=A\n", "lab.conf:1: syntax error");
	bad_text("pc1[a.b]=A\n", "lab.conf:1: syntax error");
	bad_text("pc1(0)=A\n", "lab.conf:1: syntax error");
	bad_text("a234567890123456789012345678901[0]=A\n", "syntax error");
	bad_text(" # indented\npc1[0]=A\n", "lab.conf:1: syntax error: a "
					    "comment starts with '#'");
	bad_text("pc1[0]=A\nhello\n", "lab.conf:2: syntax error");
}

static void comments_and_meta(void **state)
{
	struct parsed p;

	(void)state;
	ok_text(&p, "# a comment\n"
		    "#pc9[0]=X\n"
		    "\n"
		    "   \t\n"
		    "\r\n"
		    "LAB_DESCRIPTION=\"it's 'quoted'\"\n"
		    "LAB_VERSION=1.0\r\n"
		    "LAB_NAME=My Lab\n"
		    "pc1[0]=A\n");
	assert_int_equal(p.lab.n_devs, 1);
	assert_string_equal(p.lab.meta[KAT_LAB_DESCRIPTION], "its quoted");
	assert_int_equal(p.lab.meta_line[KAT_LAB_DESCRIPTION], 6);
	assert_string_equal(p.lab.meta[KAT_LAB_VERSION], "1.0");
	assert_string_equal(p.lab.meta[KAT_LAB_NAME], "My Lab");
	done(&p);
	bad_text("LAB_WEB=http://x/?a=b\npc1[0]=A\n",
		 "lab.conf:1: LAB_WEB: a value with '=' is refused");
	bad_text("LAB_AUTHOR = me\npc1[0]=A\n", "lab.conf:1: syntax error");
	bad_text("LAB_COLOUR=red\npc1[0]=A\n", "lab.conf:1: syntax error");
	bad_text("", "lab.conf: the file is empty");
	bad_text("# nothing\n", "lab.conf: no devices");
}

static void interfaces(void **state)
{
	struct parsed p;

	(void)state;
	ok_text(&p, "pc1[1]=B/02:00:00:00:00:AB\n"
		    "pc1[00]=A\n"		     /* int("00") */
		    "pc1[0_2]=C\n"		     /* int("0_2") is 2 */
		    "pc2[0]=/A//02:00:00:00:00:02\n" /* empty parts go */
		    "pc2[x1]=A\n"); /* no number: an (unknown) option */
	assert_string_equal(iface(&p, "pc1", 0)->cd, "A");
	assert_null(iface(&p, "pc1", 0)->mac);
	assert_string_equal(iface(&p, "pc1", 1)->cd, "B");
	assert_string_equal(iface(&p, "pc1", 1)->mac, "02:00:00:00:00:AB");
	assert_int_equal(iface(&p, "pc1", 1)->line, 1);
	assert_string_equal(iface(&p, "pc1", 2)->cd, "C");
	assert_string_equal(iface(&p, "pc2", 0)->mac, "02:00:00:00:00:02");
	assert_int_equal(dev(&p, "pc2")->n_ifaces, 1);
	assert_string_equal(optval(&p, "pc2", "x1", NULL), "A");
	done(&p);

	bad_text("pc1[0]=A/\n", "'A/' is no interface");
	bad_text("pc1[0]=A/0/0\n", "'A/0/0' is no interface");
	bad_text("pc1[0]=A/00:00:00:00:00\n", "is no MAC address");
	bad_text("pc1[0]=A-B\n", "collision domain 'A-B' holds");
	bad_text("pc1[0]=A\npc1[0]=B\n",
		 "lab.conf:2: pc1[0]: interface 0 is set already (line 1)");
	bad_text("pc1[0]=A\npc1[1]=A\n",
		 "lab.conf:2: pc1[1]: device pc1 is on collision domain A");
	bad_text("pc1[0]=A\npc1[2]=B\n",
		 "lab.conf:2: pc1[2]: device pc1 has no interface 1");
	bad_text("shared[0]=A\n", "'shared' is a reserved name");
	bad_text("_test[image]=x\n", "'_test' is a reserved name");
}

static void options(void **state)
{
	struct parsed p;

	(void)state;
	ok_text(&p, "pc1[0]=A\n"
		    "pc1[image]=one\n"
		    "pc1[image]=two\n"
		    "pc1[exec]=echo 1\n"
		    "pc1[exec]=echo 1\n"
		    "pc1[sysctl]=net.ipv4.ip_forward= 0 \n"
		    "pc1[sysctl]=net.ipv4.conf.all.rp_filter=2\n"
		    "pc1[sysctl]=net.ipv4.ip_forward=1\n"
		    "pc1[env]=A=b=c\n"
		    "pc1[ulimit]=nofile=10:5\n"
		    "pc1[ulimit]=memlock=-1\n"
		    "pc1[port]=8080:80/UDP\n"
		    "pc1[port]=22\n"
		    "pc1[volume]=/a||/b\n"
		    "pc1[privileged]=Yes\n"
		    "pc1[ipv6]=on\n");
	assert_string_equal(optval(&p, "pc1", "image", NULL), "two");
	{
		const struct kat_device *d = dev(&p, "pc1");
		size_t execs = 0, images = 0;

		for (size_t i = 0; i < d->n_opts; i++) {
			execs += !strcmp(d->opts[i].name, "exec");
			images += !strcmp(d->opts[i].name, "image");
		}
		assert_int_equal(execs, 2); /* every exec line counts */
		assert_int_equal(images, 1);
	}
	assert_string_equal(optval(&p, "pc1", "sysctl", "net.ipv4.ip_forward"),
			    "1");
	assert_string_equal(
		optval(&p, "pc1", "sysctl", "net.ipv4.conf.all.rp_filter"),
		"2");
	assert_string_equal(optval(&p, "pc1", "env", "A"), "b=c");
	/* soft over hard is cut to hard, as Kathará does */
	assert_string_equal(optval(&p, "pc1", "ulimit", "nofile"), "5:5");
	assert_string_equal(optval(&p, "pc1", "ulimit", "memlock"),
			    "unlimited:unlimited");
	assert_string_equal(optval(&p, "pc1", "port", "8080/udp"), "80");
	assert_string_equal(optval(&p, "pc1", "port", "3000/tcp"), "22");
	assert_string_equal(optval(&p, "pc1", "volume", "/a"), "/b|ro");
	assert_string_equal(optval(&p, "pc1", "privileged", NULL), "true");
	/* a replaced value is a note, as Kathará's warning */
	assert_true(p.lab.n_notes >= 2);
	assert_non_null(strstr(p.lab.notes[0], "lab.conf:3: pc1[image] "
					       "replaces the value of line 2"));
	done(&p);

	bad_text("pc1[0]=A\npc1[sysctl]=kernel.x=1\n",
		 "lab.conf:2: pc1[sysctl]: 'kernel.x=1' is no sysctl");
	bad_text("pc1[0]=A\npc1[sysctl]=net.x.y=1=2\n", "is no sysctl");
	bad_text("pc1[0]=A\npc1[env]=x\n", "'x' is no environment variable");
	bad_text("pc1[0]=A\npc1[ulimit]=nofile=-2\n", "-1 (unlimited) or more");
	bad_text("pc1[0]=A\npc1[ulimit]=files=1\n", "'files' is no resource");
	bad_text("pc1[0]=A\npc1[port]=a:80\n", "is no port mapping");
	bad_text("pc1[0]=A\npc1[volume]=/a|/b|rwx\n", "the mode is ro, rw");
	bad_text("pc1[0]=A\npc1[bridged]=yep\n", "neither true nor false");
	bad_text("pc1[0]=A\npc1[mem]=12q\n", "is no amount of memory");
	bad_text("pc1[0]=A\npc1[cpus]=0x1\n", "is no number of CPUs");
	bad_text("pc1[0]=A\npc1[num_terms]=-1\n", "is no number of terminals");
	bad_text("pc1[0]=A\npc1[ipv6]=2\n", "neither true nor false");
}

/* Every error of the file, each at its line. */
static void every_error(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, "pc1[0]=A\n"
		  "pc1[1]='B\n"
		  "pc2[0]=A/xx\n"
		  "pc3 [0]=A\n");
	assert_int_equal(p.ret, -1);
	assert_int_equal(p.d.total, 3);
	assert_non_null(strstr(p.d.lines[0], "lab.conf:2:"));
	assert_non_null(strstr(p.d.lines[1], "lab.conf:3:"));
	assert_non_null(strstr(p.d.lines[2], "lab.conf:4:"));
	done(&p);
}

static const struct CMUnitTest kathara_tests[] = {
	cmocka_unit_test(values),
	cmocka_unit_test(bad_values),
	cmocka_unit_test(comments_and_meta),
	cmocka_unit_test(interfaces),
	cmocka_unit_test(options),
	cmocka_unit_test(every_error),
};

UNIT_GROUP("kathara", kathara_tests, NULL, NULL)

/* [lab] description and labels, which a Kathará lab's text uses, are
 * topology settings like any. */
static void lab_settings(void **state)
{
	struct nlab_diag d = { 0 };
	struct nlab_topology *t;

	(void)state;
	t = fixture_load("labels.ini",
			 "[lab]\n"
			 "description = \"what it is for; in short\"\n"
			 "labels = lan=LAN, wire=The Wire\n"
			 "[node a]\neth0 = lan\neth1 = wire\n"
			 "[node b]\neth0 = lan\neth1 = wire\n"
			 "[node c]\neth0 = lan\n",
			 &d);
	for (size_t i = 0; i < d.n; i++)
		print_error("%s\n", d.lines[i]);
	assert_non_null(t);
	assert_string_equal(t->description, "what it is for; in short");
	for (size_t i = 0; i < t->n_segments; i++) {
		const struct nlab_segment *s = &t->segments[i];

		assert_string_equal(nlab_segment_shown(s),
				    !strcmp(s->name, "lan") ? "LAN"
							    : "The Wire");
	}
	nlab_topology_free(t);
	nlab_diag_free(&d);
}

/* A Kathará lab through the loader: the error of netlab's own checks
 * points at lab.conf's line and key, not at the translated text. */
static void loader_map(void **state)
{
	char dir[600], conf[700];
	struct nlab_diag d = { 0 };
	struct nlab_topology *t = NULL;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/klab", fixture_dir());
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(conf, sizeof(conf), "%s/lab.conf", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("LAB_NAME=Map Test\n\npc1[0]=A\npc2[0]=A/03:00:00:00:00:01\n", f);
	fclose(f);
	assert_int_equal(nlab_topology_load(dir, &t, &d), -2);
	assert_null(t);
	assert_int_equal(d.total, 1);
	assert_non_null(strstr(d.lines[0], "/klab/lab.conf:4: pc2[0]: mac="));
	nlab_diag_free(&d);

	f = fopen(conf, "w");
	fputs("LAB_NAME=Map Test\n\npc1[0]=A\npc2[0]=A\n", f);
	fclose(f);
	assert_int_equal(nlab_topology_load(conf, &t, &d), 0);
	assert_string_equal(t->name, "map-test");
	assert_int_equal(t->n_nodes, 2);
	assert_string_equal(t->nodes[1].ifaces[0].name, "eth0");
	assert_string_equal(t->segments[0].name, "a");
	assert_string_equal(t->segments[0].label, "A");
	assert_false(t->hosts);
	assert_true(t->n_notes == 0);
	assert_non_null(strstr(t->dir, "/klab"));
	nlab_topology_free(t);
}

static const struct CMUnitTest kathara_load_tests[] = {
	cmocka_unit_test(lab_settings),
	cmocka_unit_test(loader_map),
};

UNIT_GROUP("kathara-load", kathara_load_tests, fixture_setup, fixture_teardown)
