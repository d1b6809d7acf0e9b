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
