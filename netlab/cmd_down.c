// SPDX-License-Identifier: MIT
/* netlab down [--grace SECONDS] [--timings] LAB|FILE, netlab down --all */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "netlab.h"
#include "labarg.h"

struct down_warn {
	const struct cli *cli;
	const char *lab;
};

/* Printed even with -q: each says what `down` left on the host. */
static void warn(void *data, const char *msg)
{
	const struct down_warn *d = data;

	cli_error(d->cli, "lab %s: %s", d->lab, msg);
}

/* --timings (or netlab -v down): each phase that lib/lab/lab.h names on a
 * line of stderr, as it ends, then the total. */
static bool timings;

struct down_clock {
	double start, mark;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void phase_done(void *data, const char *name)
{
	struct down_clock *c = data;
	double t = now();

	fprintf(stderr, "netlab: down: %-10s %9.1f ms\n", name,
		(t - c->mark) * 1000);
	c->mark = t;
}

/* One lab: 0 when it is gone (or was never there), else EXIT_FAIL.
 * Without @part, a lab this machine coordinates over several hosts goes
 * down on every host (multihost.h); with it (what the coordinator runs
 * on each host), only this host's part. */
static int down_one(struct cli *cli, const char *lab, bool part)
{
	struct down_warn dw = { .cli = cli, .lab = lab };
	struct nlab_warn w = { .fn = warn, .data = &dw };
	struct down_clock clock = { .start = now() };
	struct nlab_down_opts o = { .w = &w };
	struct nlab_err e = { 0 };
	char hint[700];
	int ret = part ? 1 : nlab_multi_down(lab, &w, &e);

	if (ret == 0 && cli->verbose >= 0)
		printf("lab %s down on every host\n", lab);
	if (ret <= 0)
		return ret < 0 ? cli_fail(cli, &e) : EXIT_OK;
	nlab_multi_part_unstitch(lab, &w);
	if (timings) {
		clock.mark = clock.start;
		o.phase = phase_done;
		o.phase_data = &clock;
	}
	ret = nlab_lab_down_opts(lab, &o, &e);
	if (timings && ret == 0)
		fprintf(stderr, "netlab: down: %-10s %9.1f ms\n", "total",
			(now() - clock.start) * 1000);
	if (ret < 0)
		return cli_fail(cli, &e);
	if (cli->verbose < 0)
		return EXIT_OK;
	if (ret == 0) {
		printf("lab %s down\n", lab);
		return EXIT_OK;
	}
	/* Not an error, so that `down` stays idempotent for scripts; but a
	 * typo should not pass for success unnoticed. */
	nlab_labs_hint(lab, hint, sizeof(hint));
	cli_error(cli, "no lab named '%s' (nothing to do); %s", lab, hint);
	return EXIT_OK;
}

/* Every lab under /run/netlab: netlab's own state, nobody else's. */
static int down_all(struct cli *cli)
{
	struct nlab_err e = { 0 };
	char **labs;
	size_t n, n_multi;
	int ret = EXIT_OK;

	/* Labs over several hosts first: a local host's part of one is
	 * among the labs below, and goes with it. */
	nlab_multi_list(&labs, &n_multi);
	for (size_t i = 0; i < n_multi; i++) {
		if (down_one(cli, labs[i], false) != EXIT_OK)
			ret = EXIT_FAIL;
		free(labs[i]);
	}
	free(labs);
	if (nlab_state_list(&labs, &n, &e))
		return cli_fail(cli, &e);
	for (size_t i = 0; i < n; i++) {
		if (down_one(cli, labs[i], false) != EXIT_OK)
			ret = EXIT_FAIL;
		free(labs[i]);
	}
	free(labs);
	if (!n && !n_multi && cli->verbose >= 0)
		fprintf(stderr, "netlab: down: no labs (nothing to do)\n");
	return ret;
}

int cmd_down(struct cli *cli, int argc, char **argv)
{
	char lab[NLAB_NAME_MAX + 1];
	const char *arg = NULL;
	bool all = false, part = false;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--grace") && i + 1 < argc) {
			char *end;
			double s = strtod(argv[++i], &end);

			if (*end || s < 0 || s > 3600)
				return cli_usage(cli,
						 "bad --grace '%s' "
						 "(seconds)",
						 argv[i]);
			nlab_grace_ms = (int)(s * 1000);
		} else if (!strcmp(argv[i], "--timings")) {
			timings = true;
		} else if (!strcmp(argv[i], "--all")) {
			all = true;
		} else if (!strcmp(argv[i], "--part")) {
			part = true; /* internal: see down_one */
		} else if (arg) {
			return cli_usage(cli, "unexpected argument '%s'",
					 argv[i]);
		} else {
			arg = argv[i];
		}
	}
	if (all && arg)
		return cli_usage(cli, "--all takes no LAB");
	if (!all && !arg)
		return cli_usage(cli, "expected LAB, FILE or --all");
	if (cli->verbose > 0)
		timings = true;
	if (cli_need_root(cli))
		return EXIT_FAIL;
	if (all)
		return down_all(cli);
	ret = cli_lab_arg(cli, arg, lab, sizeof(lab));
	if (ret)
		return ret;
	return down_one(cli, lab, part);
}
