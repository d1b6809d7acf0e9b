// SPDX-License-Identifier: MIT
/* Impairment options, name rules, formatting helpers. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "topology/topology.h"
#include "unit.h"

static struct nlab_impair parse_ok(const char *const *opts)
{
	struct nlab_impair imp = { 0 };
	struct nlab_err e = { 0 };

	for (; *opts; opts++)
		if (nlab_impair_parse(*opts, &imp, &e))
			fail_msg("%s: %s", *opts, e.msg);
	return imp;
}

static void parse_bad(const char *opt, const char *needle)
{
	struct nlab_impair imp = { 0 };
	struct nlab_err e = { 0 };

	assert_int_equal(nlab_impair_parse(opt, &imp, &e), -1);
	if (!strstr(e.msg, needle))
		fail_msg("%s: '%s' does not say '%s'", opt, e.msg, needle);
	assert_int_equal(imp.set, 0);
}

/* Exact units in, exact base units in the model. */
static void impair_units(void **state)
{
	static const char *const opts[] = {
		"rate=1.5mbit",	  "delay=2.5ms",
		"jitter=250us",	  "loss=0.000001%",
		"duplicate=100%", "corrupt=0%",
		"reorder=25%",	  NULL,
	};
	struct nlab_impair imp = parse_ok(opts);

	(void)state;
	assert_int_equal(imp.rate_bps, 1500000);
	assert_int_equal(imp.delay_us, 2500);
	assert_int_equal(imp.jitter_us, 250);
	assert_true(imp.loss_pct == 0.000001);
	assert_true(imp.duplicate_pct == 100);
	assert_true(imp.corrupt_pct == 0);
	assert_true(imp.set & NLAB_IMP_CORRUPT); /* an explicit 0 counts */
	assert_true(imp.reorder_pct == 25);
	assert_int_equal(imp.set, NLAB_IMP_RATE | NLAB_IMP_NETEM);

	static const char *const big[] = { "rate=17gbit", "delay=200s",
					   "jitter=200000000us", NULL };
	imp = parse_ok(big);
	assert_int_equal(imp.rate_bps, 17000000000ull);
	assert_int_equal(imp.delay_us, 200000000u);
	assert_int_equal(imp.jitter_us, 200000000u);
}

/* Every value the parser takes fits what the qdiscs are given: rate
 * 1kbit..17gbit (tbf), delay and jitter 0..200s (netem's 32-bit ticks),
 * percentages 0..100.  Each end in, one step past it out. */
static void impair_ranges(void **state)
{
	static const char *const in[] = {
		"rate=1kbit",
		"rate=1000bit",
		"rate=17gbit",
		"rate=17000000000bit",
		"rate=16.999999999gbit",
		"delay=0us",
		"delay=200s",
		"delay=200000ms",
		"jitter=0s",
		"jitter=200000000us",
		"loss=0%",
		"loss=100%",
		"reorder=100%",
	};
	static const char *const out[] = {
		"rate=999bit",
		"rate=0.999kbit",
		"rate=0bit",
		"rate=17.000000001gbit",
		"rate=17000000001bit",
		"rate=20gbit",
		"rate=18446744073709551615gbit",
		"delay=200.000001s",
		"delay=200000001us",
		"delay=3000s",
		"delay=2148s",
		"delay=4295s",
		"jitter=200001ms",
		"loss=100.000001%",
		"duplicate=101%",
	};
	struct nlab_impair imp;
	struct nlab_err e;

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++) {
		memset(&imp, 0, sizeof(imp));
		if (nlab_impair_parse(in[i], &imp, &e))
			fail_msg("%s refused: %s", in[i], e.msg);
	}
	for (size_t i = 0; i < sizeof(out) / sizeof(*out); i++) {
		memset(&imp, 0, sizeof(imp));
		if (!nlab_impair_parse(out[i], &imp, &e))
			fail_msg("%s accepted", out[i]);
		if (!strstr(e.msg, "must be from"))
			fail_msg("%s: '%s' gives no range", out[i], e.msg);
		assert_int_equal(imp.set, 0);
	}
	parse_bad("rate=20gbit", "rate=20gbit: must be from 1kbit to 17gbit");
	parse_bad("delay=3000s", "delay=3000s: must be from 0s to 200s");
	parse_bad("jitter=201s", "jitter=201s: must be from 0s to 200s");
	parse_bad("corrupt=150%", "must be from 0% to 100%");
}

static void impair_errors(void **state)
{
	(void)state;
	parse_bad("delay=10", "needs a unit (us, ms or s)");
	parse_bad("delay=10sec", "unknown unit 'sec'");
	parse_bad("delay=-1ms", "not a number");
	parse_bad("delay=1.5us", "finer than the smallest step");
	parse_bad("delay=5000s", "must be from 0s to 200s");
	parse_bad("loss=150%", "must be from 0% to 100%");
	parse_bad("loss=5", "needs a unit (%)");
	parse_bad("loss=0.0000001%", "finer than the smallest step");
	parse_bad("rate=10mbps", "write 80mbit");
	parse_bad("rate=1.5kbps", "write 12kbit");
	parse_bad("rate=1000", "needs a unit (bit, kbit, mbit or gbit)");
	parse_bad("rate=0mbit", "must be from 1kbit to 17gbit");
	parse_bad("dealy=1ms", "did you mean 'delay'?");
	parse_bad("mac=02:00:00:00:00:01", "'mac' is not an impairment");
	parse_bad("delay", "not OPTION=VALUE");
	parse_bad("=5ms", "not OPTION=VALUE");
}

static void impair_twice_and_check(void **state)
{
	struct nlab_impair imp = { 0 };
	struct nlab_err e = { 0 };

	(void)state;
	assert_int_equal(nlab_impair_parse("delay=1ms", &imp, &e), 0);
	assert_int_equal(nlab_impair_parse("delay=2ms", &imp, &e), -1);
	assert_non_null(strstr(e.msg, "given twice"));
	assert_int_equal(imp.delay_us, 1000);
	assert_int_equal(nlab_impair_check(&imp, &e), 0);

	memset(&imp, 0, sizeof(imp));
	assert_int_equal(nlab_impair_parse("jitter=1ms", &imp, &e), 0);
	assert_int_equal(nlab_impair_check(&imp, &e), -1);
	assert_non_null(strstr(e.msg, "jitter needs a delay"));
}

/* nlab_impair_str() gives what nlab_impair_parse() reads back. */
static void impair_round_trip(void **state)
{
	static const char *const cases[] = {
		"rate=10mbit delay=10ms loss=0.5%",
		"rate=1500kbit",
		"rate=1001bit",
		"rate=17gbit delay=200s jitter=200s",
		"rate=2gbit delay=1s jitter=1500us",
		"delay=0s loss=0% duplicate=0.000001% corrupt=99.999999% "
		"reorder=100%",
		"",
	};
	char buf[256], copy[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nlab_impair imp = { 0 }, again = { 0 };
		struct nlab_err e;
		char *cur = copy, *opt;

		snprintf(copy, sizeof(copy), "%s", cases[i]);
		while ((opt = strsep(&cur, " ")))
			if (*opt && nlab_impair_parse(opt, &imp, &e))
				fail_msg("%s: %s", opt, e.msg);
		assert_string_equal(nlab_impair_str(&imp, buf, sizeof(buf)),
				    cases[i]);
		snprintf(copy, sizeof(copy), "%s", buf);
		cur = copy;
		while ((opt = strsep(&cur, " ")))
			if (*opt)
				assert_int_equal(
					nlab_impair_parse(opt, &again, &e), 0);
		assert_memory_equal(&imp, &again, sizeof(imp));
	}
	/* a unit that shows the value exactly, the largest such */
	struct nlab_impair imp = { .rate_bps = 1000001,
				   .delay_us = 60000000,
				   .set = NLAB_IMP_RATE | NLAB_IMP_DELAY };
	assert_string_equal(nlab_impair_str(&imp, buf, sizeof(buf)),
			    "rate=1000001bit delay=60s");
	/* a short buffer is cut between options, never overrun */
	assert_string_equal(nlab_impair_str(&imp, buf, 20), "rate=1000001bit");
}

static void name_rules(void **state)
{
	static const char *const good[] = {
		"a",	 "r1",	"0",
		"lan-1", "a_b", "abcdefghijklmnopqrstuvwxyz012345",
	};
	static const char *const bad[] = {
		"",    "-a", "_a", "A",	  "a.b",
		"a/b", ".",  "..", "a b", "abcdefghijklmnopqrstuvwxyz0123456",
		"é",
	};
	static const char *const good_if[] = {
		"eth0", "e", "eth0.100", "br-lan_1", "abcdefghijklmno",
	};
	static const char *const bad_if[] = {
		"lo",  "Eth0", "-e",	  ".e",	   "abcdefghijklmnop",
		"e/1", "e 1",  "forward", "route", "",
		"e:1",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_true(nlab_valid_name(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (nlab_valid_name(bad[i]))
			fail_msg("'%s' passed as a name", bad[i]);
	for (size_t i = 0; i < sizeof(good_if) / sizeof(*good_if); i++)
		assert_true(nlab_valid_ifname(good_if[i]));
	for (size_t i = 0; i < sizeof(bad_if) / sizeof(*bad_if); i++)
		if (nlab_valid_ifname(bad_if[i]))
			fail_msg("'%s' passed as an interface name", bad_if[i]);
	assert_false(nlab_valid_name(NULL));
}

static void prefix_format(void **state)
{
	struct nlab_prefix p = { .family = AF_INET,
				 .addr = { 10, 0, 0, 1 },
				 .len = 24 };
	struct nlab_prefix q = { .family = AF_INET6,
				 .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
				 .len = 64 };
	char buf[64];

	(void)state;
	assert_string_equal(nlab_prefix_str(&p, buf, sizeof(buf)),
			    "10.0.0.1/24");
	assert_string_equal(nlab_prefix_str(&q, buf, sizeof(buf)),
			    "2001:db8::1/64");
}

static const struct CMUnitTest impair_tests[] = {
	cmocka_unit_test(impair_units),
	cmocka_unit_test(impair_ranges),
	cmocka_unit_test(impair_errors),
	cmocka_unit_test(impair_twice_and_check),
	cmocka_unit_test(impair_round_trip),
	cmocka_unit_test(name_rules),
	cmocka_unit_test(prefix_format),
};

UNIT_GROUP("impair-names", impair_tests, NULL, NULL)
