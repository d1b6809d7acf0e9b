// SPDX-License-Identifier: MIT
/* netlab stop|start|restart [--grace SECONDS] LAB|FILE NODE... */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "labarg.h"
#include "netlab.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* "node r1 stopped", "node r2: already running" */
static void done(void *data, const char *node, const char *what)
{
	const struct cli *cli = data;

	if (cli->verbose < 0)
		return;
	if (!strncmp(what, "already", 7))
		printf("node %s: %s\n", node, what);
	else
		printf("node %s %s\n", node, what);
}

/*
 * A lab over several hosts: on each host, in turn, the same command for
 * the nodes it runs (argv[@lab_i] is the lab, the nodes follow).  Each
 * host's share is all or nothing; the hosts' shares are not.
 */
static int run_multi(struct cli *cli, int argc, char **argv, int lab_i,
		     const char *lab)
{
	cleanup_topology struct nlab_topology *t = NULL;
	struct nlab_err e = { 0 };
	int worst = 0;

	if (nlab_multi_topology(lab, &t, &e))
		return cli_fail(cli, &e);
	for (int k = lab_i + 1; k < argc; k++)
		if (!nlab_topology_node(t, argv[k])) {
			cli_error(cli, "lab %s has no node %s", lab, argv[k]);
			return EXIT_FAIL;
		}
	for (size_t h = 0; h < t->n_machines; h++) {
		char **args = xcalloc((size_t)argc + 2, sizeof(*args));
		const char *first = NULL;
		int a = 0, rc;

		if (cli->verbose)
			args[a++] = cli->verbose < 0 ? "-q" : "-v";
		for (int k = 0; k < lab_i; k++)
			args[a++] = argv[k];
		args[a++] = (char *)lab;
		for (int k = lab_i + 1; k < argc; k++)
			if (nlab_topology_node(t, argv[k])->host ==
			    &t->machines[h]) {
				args[a++] = argv[k];
				first = first ? first : argv[k];
			}
		rc = first ? nlab_multi_each(lab, first, false, args, &e) : 0;
		free(args);
		if (rc < 0)
			return cli_fail(cli, &e);
		if (rc > worst)
			worst = rc;
	}
	return worst;
}

static int run(struct cli *cli, int argc, char **argv, enum nlab_node_op op)
{
	struct nlab_lifecycle_opts o = {
		.stop = &got_signal,
		.done = done,
		.data = cli,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	char lab[NLAB_NAME_MAX + 1];
	const char **nodes;
	struct nlab_err e = { 0 };
	int i = 1, n = 0, rc;

	if (op != NLAB_OP_START && i + 1 < argc &&
	    !strcmp(argv[i], "--grace")) {
		char *end;
		double s = strtod(argv[i + 1], &end);

		if (*end || end == argv[i + 1] || s < 0 || s > 3600)
			return cli_usage(cli, "bad --grace '%s' (seconds)",
					 argv[i + 1]);
		nlab_grace_ms = (int)(s * 1000);
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (argc - i < 2)
		return cli_usage(cli, "expected LAB NODE...");
	for (int k = i + 1; k < argc; k++)
		if (!nlab_valid_name(argv[k]))
			return cli_usage(cli, "'%s' is not a node name",
					 argv[k]);
	rc = cli_lab_arg(cli, argv[i], lab, sizeof(lab));
	if (rc)
		return rc;
	if (cli_need_root(cli))
		return EXIT_FAIL;
	if (nlab_multi_exists(lab))
		return run_multi(cli, argc, argv, i, lab);
	nodes = calloc((size_t)(argc - i), sizeof(*nodes));
	if (!nodes)
		return EXIT_FAIL;
	for (int k = i + 1; k < argc; k++)
		nodes[n++] = argv[k];
	/* A start is rolled back on SIGINT, SIGTERM or SIGHUP; a stop goes
	 * on to its end. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	rc = nlab_nodes_op(lab, op, nodes, (size_t)n, &o, &e);
	free(nodes);
	if (!rc)
		return EXIT_OK;
	cli_fail(cli, &e);
	return got_signal == SIGINT ? EXIT_SIGINT : EXIT_FAIL;
}

int cmd_stop(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, NLAB_OP_STOP);
}

int cmd_start(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, NLAB_OP_START);
}

int cmd_restart(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, NLAB_OP_RESTART);
}
