// SPDX-License-Identifier: MIT
/* netlab test [--up] [--wait[=T]] [--name NAME] [--tap] [--junit FILE]
 *             LAB|FILE [TEST...] */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "netlab.h"
#include "labarg.h"
#include "testout.h"

/* The readiness of the nodes, reported as a suite of its own; no test
 * can be named so. */
#define READY_SUITE "(ready)"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

struct args {
	bool up, wait, tap;
	uint64_t wait_ms;
	const char *name, *junit, *lab_arg;
	char **tests;
	int n_tests;
};

static int parse(const struct cli *cli, int argc, char **argv, struct args *a)
{
	bool opts = true;
	int ret = cli_wait_arg(cli, &argc, argv, &a->wait, &a->wait_ms);

	if (ret)
		return ret;
	a->tests = xcalloc((size_t)argc, sizeof(*a->tests));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (opts && !strcmp(s, "--")) {
			opts = false;
		} else if (opts && !strcmp(s, "--up")) {
			a->up = true;
		} else if (opts && !strcmp(s, "--tap")) {
			a->tap = true;
		} else if (opts && !strcmp(s, "--name")) {
			if (i + 1 == argc)
				return cli_usage(cli, "--name needs a value");
			a->name = argv[++i];
		} else if (opts && !strcmp(s, "--junit")) {
			if (i + 1 == argc)
				return cli_usage(cli, "--junit needs a FILE");
			a->junit = argv[++i];
		} else if (opts && !strncmp(s, "--name=", 7)) {
			a->name = s + 7;
		} else if (opts && !strncmp(s, "--junit=", 8)) {
			a->junit = s + 8;
		} else if (opts && s[0] == '-' && s[1]) {
			return cli_usage(cli, "unknown option '%s'", s);
		} else if (!a->lab_arg) {
			a->lab_arg = s;
		} else {
			a->tests[a->n_tests++] = argv[i];
		}
	}
	if (!a->lab_arg)
		return cli_usage(cli, "missing LAB or FILE");
	if (a->name && !nlab_valid_name(a->name))
		return cli_usage(cli,
				 "--name: '%s' is not a valid lab name "
				 "([a-z0-9][a-z0-9_-]{0,31})",
				 a->name);
	if (a->junit && !*a->junit)
		return cli_usage(cli, "--junit needs a file name");
	if ((a->up || a->name) && !cli_is_file_arg(a->lab_arg))
		return cli_usage(cli,
				 "%s takes a topology FILE, not a lab name",
				 a->up ? "--up" : "--name");
	if (a->up)
		a->wait = true;
	return 0;
}

/* The topology: a FILE's (its tests, which may be newer than the running
 * lab's), else the running lab's stored copy. */
static int load(const struct cli *cli, const struct args *a,
		struct nlab_topology **t)
{
	struct nlab_load_opts o = { .rename = a->name };
	struct nlab_diag d = { 0 };
	struct nlab_err e = { 0 };
	int ret;

	if (cli_is_file_arg(a->lab_arg)) {
		if (!nlab_topology_load_opts(a->lab_arg, &o, t, &d))
			return 0;
		ret = cli_diag(cli, &d);
		nlab_diag_free(&d);
		return ret;
	}
	if (!nlab_valid_name(a->lab_arg))
		return cli_usage(cli, "'%s' is neither a file nor a lab name",
				 a->lab_arg);
	if (nlab_lab_topology(a->lab_arg, t, &e))
		return cli_fail(cli, &e);
	return 0;
}

/* The tests named on the command line, in their order; none: all. */
static int pick(const struct cli *cli, const struct args *a,
		const struct nlab_topology *t, const struct nlab_test ***out,
		size_t *n)
{
	char list[512] = "";

	*n = 0;
	*out = xcalloc(t->n_tests + (size_t)a->n_tests + 1, sizeof(**out));
	for (size_t i = 0; i < t->n_tests; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? ", " : "", t->tests[i].name);
	if (!t->n_tests)
		return cli_usage(cli,
				 "lab %s has no tests (add [test NAME] "
				 "sections to its topology)",
				 t->name);
	if (!a->n_tests) {
		for (size_t i = 0; i < t->n_tests; i++)
			(*out)[(*n)++] = &t->tests[i];
		return 0;
	}
	for (int i = 0; i < a->n_tests; i++) {
		const struct nlab_test *x = nlab_topology_test(t, a->tests[i]);

		if (!x)
			return cli_usage(
				cli, "lab %s has no test '%s' (its tests: %s)",
				t->name, a->tests[i], list);
		(*out)[(*n)++] = x;
	}
	return 0;
}

/* Returns false when a node is not ready. */
static bool ready(struct tout *o, const char *lab,
		  const struct nlab_topology *t, uint64_t ms)
{
	struct nlab_ready *r = NULL;
	size_t n = 0;
	char how[300], heading[128];
	int ret;

	for (size_t i = 0; i < t->n_nodes; i++)
		n += !!t->nodes[i].ready;
	if (!n)
		return true;
	snprintf(heading, sizeof(heading),
		 "ready? %zu node%s (for up to %.1f s)", n, n == 1 ? "" : "s",
		 ms / 1000.0);
	tout_suite(o, READY_SUITE, 0, heading);
	ret = nlab_ready_wait(lab, t, ms, &got_signal, &r, &n);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *tail = NULL, *detail = NULL;

		if (!r[i].ready) {
			tail = nlab_text_tail(r[i].last.out ? r[i].last.out
							    : "",
					      r[i].last.len, 8, "  | ");
			detail = nlab_strfmt(
				"not ready after %.1f s: %s (%u %s)%s\n%s",
				r[i].ms / 1000.0,
				r[i].has_last
					? nlab_cmd_end_str(&r[i].last, how,
							   sizeof(how))
					: "never tried",
				r[i].attempts,
				r[i].attempts == 1 ? "try" : "tries",
				*tail ? "; its output ended:" : "; no output",
				tail);
		}
		tout_row(o, r[i].node->name, 0, TOUT_READY,
			 r[i].ready ? NLAB_PASS : NLAB_FAIL, r[i].ms, detail);
	}
	nlab_ready_free(r, n);
	return !ret;
}

/* A test not run: each of its steps says so. */
static void not_run(struct tout *o, const struct nlab_test *test,
		    const char *why)
{
	for (size_t i = 0; i < test->n_steps; i++) {
		const struct nlab_step *s = &test->steps[i];

		if (s->kind != NLAB_STEP_WAIT)
			tout_row(o, s->text, s->line,
				 nlab_step_is_check(s) ? TOUT_CHECK : TOUT_STEP,
				 NLAB_NOT_RUN, 0, why);
	}
}

/* Each step of a test, as it ends. */
static void step_done(void *data, const struct nlab_test *test,
		      const struct nlab_step_result *r)
{
	struct tout *o = data;
	cleanup_free char *name = NULL;
	const char *detail = r->detail;

	if (r->undo)
		name = nlab_strfmt("undo %s", r->done);
	else
		name = xstrdup(r->step->text);
	tout_row(o, name, r->step->line,
		 nlab_step_is_check(r->step) ? TOUT_CHECK : TOUT_STEP,
		 r->outcome, r->ms, detail);
}

static int up(const struct cli *cli, struct tout *o,
	      const struct nlab_topology *t)
{
	struct nlab_up_opts uo = { .stop = &got_signal };
	struct nlab_err e = { 0 };
	uint64_t start = nlab_now_ms();

	if (t->n_machines) { /* its nodes are not all here */
		cli_error(cli,
			  "lab %s: --up: not yet for a lab over several "
			  "hosts ([host] sections)",
			  t->name);
		return EXIT_USAGE;
	}
	if (nlab_lab_up(t, &uo, &e)) {
		cli_error(cli, "lab %s: %s (nothing left behind)", t->name,
			  e.msg);
		return got_signal == SIGINT ? EXIT_SIGINT : EXIT_FAIL;
	}
	tout_note(o, "lab %s up in %.2f s", t->name,
		  (nlab_now_ms() - start) / 1000.0);
	return 0;
}

static int down(const struct cli *cli, struct tout *o, const char *lab)
{
	struct nlab_err e = { 0 };

	if (nlab_lab_down(lab, &e) < 0) {
		cli_error(cli, "lab %s: down: %s", lab, e.msg);
		return EXIT_FAIL;
	}
	tout_note(o, "lab %s down", lab);
	return 0;
}

static int write_junit(const struct cli *cli, const struct tout *o,
		       const char *path)
{
	FILE *f = fopen(path, "we");
	int ret;

	if (!f) {
		cli_error(cli, "--junit %s: %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	ret = tout_junit(o, f);
	if (fclose(f) || ret) {
		cli_error(cli, "--junit %s: %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

int cmd_test(struct cli *cli, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	cleanup_free const struct nlab_test **tests = NULL;
	struct nlab_topology *t = NULL;
	struct args a = { 0 };
	struct tout o = { 0 };
	struct nlab_err e = { 0 };
	const char *why = NULL; /* the tests are not run */
	size_t n_tests = 0, failed;
	int ret;

	ret = parse(cli, argc, argv, &a);
	if (!ret && cli_need_root(cli))
		ret = EXIT_FAIL;
	if (!ret)
		ret = load(cli, &a, &t);
	if (!ret)
		ret = pick(cli, &a, t, &tests, &n_tests);
	/* a file names a lab that must be up (unless --up makes it) */
	if (!ret && !a.up && cli_is_file_arg(a.lab_arg)) {
		struct nlab_topology *running = NULL;

		if (nlab_lab_topology(t->name, &running, &e))
			ret = cli_fail(cli, &e);
		nlab_topology_free(running);
	}
	free(a.tests);
	if (ret) {
		nlab_topology_free(t);
		return ret;
	}
	o.tap = a.tap;
	o.lab = t->name;
	tout_begin(&o);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (a.up && (ret = up(cli, &o, t))) {
		nlab_topology_free(t);
		tout_free(&o);
		return ret;
	}
	/* Tests on a lab that is not ready would only wait to fail. */
	if (a.wait && !ready(&o, t->name, t, a.wait_ms))
		why = "not run: the lab is not ready";
	for (size_t i = 0; i < n_tests; i++) {
		struct nlab_test_opts to = {
			.lab = t->name,
			.dir = t->dir,
			.stop = &got_signal,
			.report = step_done,
			.data = &o,
		};

		tout_suite(&o, tests[i]->name, tests[i]->line, NULL);
		if (got_signal && !why)
			why = "not run: interrupted";
		if (why)
			not_run(&o, tests[i], why);
		else
			nlab_test_run(t, tests[i], &to);
	}
	if (a.up && down(cli, &o, t->name))
		ret = EXIT_FAIL;
	failed = tout_finish(&o);
	if (a.junit && write_junit(cli, &o, a.junit))
		ret = EXIT_FAIL;
	if (!ret && failed)
		ret = EXIT_FAIL;
	if (got_signal)
		ret = got_signal == SIGINT ? EXIT_SIGINT : EXIT_FAIL;
	tout_free(&o);
	nlab_topology_free(t);
	return ret;
}
