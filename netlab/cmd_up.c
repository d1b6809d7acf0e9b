// SPDX-License-Identifier: MIT
/* netlab up [--name NAME] [--wait[=TIMEOUT]] [--spread] [--dry-run] FILE */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "netlab.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The phases of `up` that lib/lab/lab.h names, for --timings. */
#define MAX_PHASES 16

struct progress {
	bool tty;
	double start;
	bool shown;
	bool timings;
	const char *host; /* `up --host NAME`: NAME, in each line */
	double mark;	  /* when the last phase ended */
	size_t n_phases;
	struct {
		const char *name; /* static strings of libnetlab */
		double s;
	} phases[MAX_PHASES];
};

/* A phase ends with done == total: its time is since the previous end. */
static void note_phase(struct progress *p, const char *phase)
{
	double t = now();

	if (p->n_phases && !strcmp(p->phases[p->n_phases - 1].name, phase))
		return;
	if (p->n_phases == MAX_PHASES)
		return;
	p->phases[p->n_phases].name = phase;
	p->phases[p->n_phases++].s = t - p->mark;
	p->mark = t;
}

/* --timings: each phase on a line of stderr, once `up` is done; @last
 * names the time since the last phase of libnetlab. */
static void show_timings(struct progress *p, const char *last)
{
	const char *h = p->host ? p->host : "", *sep = p->host ? ": " : "";

	note_phase(p, last);
	for (size_t i = 0; i < p->n_phases; i++)
		fprintf(stderr, "netlab: up: %s%s%-10s %9.1f ms\n", h, sep,
			p->phases[i].name, p->phases[i].s * 1000);
	fprintf(stderr, "netlab: up: %s%s%-10s %9.1f ms\n", h, sep, "total",
		(p->mark - p->start) * 1000);
}

/* On a terminal, once `up` has taken over a second: one line, rewritten. */
static void show_progress(void *data, const char *phase, size_t done,
			  size_t total)
{
	struct progress *p = data;

	if (p->timings && done == total)
		note_phase(p, phase);
	if (!p->tty || now() - p->start < 1.0)
		return;
	fprintf(stderr, "\r\033[Knetlab: up: %s %zu/%zu", phase, done, total);
	p->shown = true;
}

/* How long `up` watches the nodes' `run` for one that fails at once. */
#define RUN_WATCH_MS 1000
/* Lines of such a node's log shown with the warning. */
#define RUN_LOG_LINES 5

struct watched {
	const struct cli *cli;
	const char *lab;
};

/* "warning: node r1: run exited 3 within 1 s; last lines of its log:" */
static void run_failed(void *data, const struct nlab_node *n,
		       const struct nlab_run *r)
{
	const struct watched *w = data;
	char how[64], tail[2048];
	const char *sig;

	if (r->state == NLAB_RUN_EXITED) {
		snprintf(how, sizeof(how), "exited %d", r->value);
	} else {
		sig = sigabbrev_np(r->value);
		if (sig)
			snprintf(how, sizeof(how), "was killed by SIG%s", sig);
		else
			snprintf(how, sizeof(how), "was killed by signal %d",
				 r->value);
	}
	nlab_log_tail(w->lab, n->name, RUN_LOG_LINES, tail, sizeof(tail));
	cli_error(w->cli, "warning: node %s: run %s within %d s; %s", n->name,
		  how, RUN_WATCH_MS / 1000,
		  tail[0] ? "last lines of its log:" : "its log is empty");
	for (char *line = tail, *next; tail[0] && line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		fprintf(stderr, "  %s\n", line);
	}
}

/* --wait: every node's `ready` polled; the lab stays up either way. */
static int wait_ready(struct cli *cli, const struct nlab_topology *t,
		      uint64_t ms)
{
	struct nlab_ready *r = NULL;
	size_t n, late = 0;
	double start = now();
	int ret;

	ret = nlab_ready_wait(t->name, t, ms, &got_signal, &r, &n);
	for (size_t i = 0; i < n; i++)
		late += !r[i].ready;
	if (!ret) {
		if (cli->verbose >= 0 && n)
			printf("lab %s ready in %.2f s (%zu node%s)\n", t->name,
			       now() - start, n, n == 1 ? "" : "s");
	} else {
		char names[512] = "";

		for (size_t i = 0; i < n; i++)
			if (!r[i].ready)
				snprintf(names + strlen(names),
					 sizeof(names) - strlen(names), "%s%s",
					 names[0] ? ", " : "", r[i].node->name);
		cli_error(cli,
			  "lab %s: %zu node%s not ready after %.1f s: %s (the "
			  "lab stays up: `netlab down %s` removes it)",
			  t->name, late, late == 1 ? "" : "s", now() - start,
			  names, t->name);
		cli_ready_failed(cli, r, n);
	}
	nlab_ready_free(r, n);
	return ret ? EXIT_FAIL : EXIT_OK;
}

/* Take the internal `--host NAME` (a coordinator bringing up this
 * host's part of a lab over several, multihost.h) out of argv. */
static int host_arg(struct cli *cli, int *argc, char **argv, const char **host,
		    const char **dir, const char **placed)
{
	int out = 1;

	*host = *dir = *placed = NULL;
	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--dir") && i + 1 < *argc) {
			*dir = argv[++i]; /* relative paths: the file's */
			continue;
		}
		if (!strcmp(argv[i], "--placed") && i + 1 < *argc) {
			*placed = argv[++i]; /* bytes of placement on stdin */
			continue;
		}
		if (strcmp(argv[i], "--host")) {
			argv[out++] = argv[i];
			continue;
		}
		if (i + 1 >= *argc || !nlab_valid_name(argv[i + 1]))
			return cli_usage(cli, "--host needs a host name");
		*host = argv[++i];
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

/* A lab over several hosts, from the coordinator. */
static int up_multi(struct cli *cli, struct nlab_topology *t,
		    struct progress *prog)
{
	struct nlab_err e = { 0 };
	struct nlab_counts c;
	int ret = nlab_multi_up(t, &got_signal, prog->timings, &e);

	if (prog->timings)
		fprintf(stderr, "netlab: up: %-10s %9.1f ms\n", "total",
			(now() - prog->start) * 1000);

	if (ret) {
		cli_error(cli, "lab %s: %s", t->name, e.msg);
		ret = got_signal == SIGINT ? EXIT_SIGINT : EXIT_FAIL;
	} else if (cli->verbose >= 0) {
		nlab_topology_counts(t, &c);
		printf("lab %s up on %zu hosts: %zu node%s, %zu link%s in "
		       "%.2f s\n",
		       t->name, t->n_machines, c.nodes, c.nodes == 1 ? "" : "s",
		       c.links, c.links == 1 ? "" : "s", now() - prog->start);
	}
	nlab_topology_free(t);
	return ret;
}

/* --placed LEN: a decimal byte count, at most 16 MiB (a placement is a
 * line per node). */
static bool parse_placed(const char *s, size_t *len)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > (16u << 20))
		return false;
	*len = (size_t)v;
	return true;
}

/* --spread: where the nodes go, before they go there. */
static void show_placement(const struct nlab_topology *t)
{
	cleanup_free char *text = nlab_spread_describe(t);

	fputs(text, stdout);
	fflush(stdout);
}

/* up --spread --dry-run: the placement, nothing made. */
static int up_dry_run(struct cli *cli, const char *file,
		      struct nlab_load_opts *lo)
{
	cleanup_topology struct nlab_topology *t = NULL;
	cleanup_diag struct nlab_diag diag = { 0 };

	if (!strcmp(file, "-"))
		return cli_usage(cli, "--dry-run: a FILE, not -");
	if (nlab_topology_load_opts(file, lo, &t, &diag))
		return cli_diag(cli, &diag);
	cli_notes(cli, t);
	if (!t->n_machines)
		return cli_usage(cli,
				 "--spread: %s has no [host] sections to "
				 "place its nodes on",
				 file);
	show_placement(t);
	return EXIT_OK;
}

int cmd_up(struct cli *cli, int argc, char **argv)
{
	struct nlab_topology *t = NULL;
	struct nlab_diag diag = { 0 };
	struct progress prog = { .start = now() };
	struct nlab_up_opts opts = {
		.stop = &got_signal,
		.progress = show_progress,
		.progress_data = &prog,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct nlab_counts c;
	struct nlab_err e = { 0 };
	struct watched w = { cli, NULL };
	double took;
	int ret;

	struct nlab_load_opts lo = { 0 };
	const char *file, *host, *dir;
	char stdin_path[64];
	cleanup_free char *cwd = NULL, *place = NULL;
	const char *placed;
	size_t placed_len = 0;
	uint64_t wait_ms;
	bool wait, dry_run;

	prog.mark = prog.start;
	prog.timings =
		cli->verbose > 0 || cli_flag_arg(&argc, argv, "--timings");
	lo.spread = cli_flag_arg(&argc, argv, "--spread");
	dry_run = cli_flag_arg(&argc, argv, "--dry-run");
	ret = host_arg(cli, &argc, argv, &host, &dir, &placed);
	if (!ret)
		ret = cli_wait_arg(cli, &argc, argv, &wait, &wait_ms);
	if (!ret)
		ret = cli_file_args(cli, argc, argv, "topology FILE", &file,
				    &lo.rename);
	if (ret)
		return ret;
	if (dry_run && !lo.spread)
		return cli_usage(cli, "--dry-run goes with --spread (`netlab "
				      "check FILE` checks a file)");
	if (dry_run)
		return up_dry_run(cli, file, &lo);
	if (cli_need_root(cli))
		return EXIT_FAIL;
	if (placed && (!host || strcmp(file, "-")))
		return cli_usage(cli, "--placed goes with --host and -");
	if (placed && !parse_placed(placed, &placed_len))
		return cli_usage(cli, "--placed: '%s' is no byte count",
				 placed);
	if (placed && nlab_stdin_head(placed_len, &place, &e))
		return cli_fail(cli, &e);
	lo.place = place;
	if (!strcmp(file, "-")) { /* the lab on stdin; paths from the cwd */
		if (nlab_stdin_file(stdin_path, sizeof(stdin_path), &e))
			return cli_fail(cli, &e);
		file = stdin_path;
		cwd = getcwd(NULL, 0);
		lo.dir = dir ? dir : cwd;
	}
	if (nlab_topology_load_opts(file, &lo, &t, &diag)) {
		ret = cli_diag(cli, &diag);
		nlab_diag_free(&diag);
		return ret;
	}
	cli_notes(cli, t);
	if (lo.spread && (host || !t->n_machines)) {
		nlab_topology_free(t);
		return cli_usage(cli,
				 "--spread: %s has no [host] sections to "
				 "place its nodes on",
				 file);
	}
	if (lo.spread && cli->verbose >= 0)
		show_placement(t);
	if (host && !t->n_machines) {
		nlab_topology_free(t);
		return cli_usage(cli,
				 "--host: this lab has no [host] sections");
	}
	if (t->n_machines && !host && wait) {
		nlab_topology_free(t);
		return cli_usage(cli, "--wait: not yet for a lab over several "
				      "hosts");
	}
	if (t->n_machines && !host) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		return up_multi(cli, t, &prog);
	}
	w.lab = t->name;
	prog.host = host;
	prog.tty = cli->verbose >= 0 && isatty(STDERR_FILENO);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	ret = host ? nlab_multi_part_up(t, host, &opts, &e)
		   : nlab_lab_up(t, &opts, &e);
	took = now() - prog.start;
	if (prog.shown)
		fputs("\r\033[K", stderr);
	if (!ret) {
		/* Up whatever its `run`s do (warnings only); a signal
		 * meanwhile undoes it all, as anywhere else in `up`. */
		nlab_run_watch(t, RUN_WATCH_MS, &got_signal, run_failed, &w);
		if (prog.timings)
			show_timings(&prog, "run watch");
		if (got_signal && nlab_lab_down(t->name, &e) < 0) {
			cli_error(cli,
				  "lab %s: interrupted by signal %d; "
				  "removing it failed: %s",
				  t->name, got_signal, e.msg);
			nlab_topology_free(t);
			return EXIT_FAIL;
		}
		ret = got_signal ? -1 : 0;
	}
	if (ret) {
		if (got_signal)
			cli_error(cli,
				  "lab %s: interrupted by signal %d, "
				  "everything removed",
				  t->name, got_signal);
		else if (e.errnum == EALREADY) /* in use: nothing was made */
			cli_error(cli, "lab %s: %s", t->name, e.msg);
		else
			cli_error(cli, "lab %s: %s (nothing left behind)",
				  t->name, e.msg);
		ret = got_signal == SIGINT ? EXIT_SIGINT : EXIT_FAIL;
	} else if (cli->verbose >= 0) {
		nlab_topology_counts(t, &c);
		printf("lab %s up: %zu node%s, %zu switch%s, %zu link%s in "
		       "%.2f s\n",
		       t->name, c.nodes, c.nodes == 1 ? "" : "s", c.switches,
		       c.switches == 1 ? "" : "es", c.links,
		       c.links == 1 ? "" : "s", took);
	}
	if (!ret && wait) {
		fflush(stdout);
		ret = wait_ready(cli, t, wait_ms);
	}
	nlab_topology_free(t);
	return ret;
}
