// SPDX-License-Identifier: MIT
/* netlab apply [--dry-run] [--name NAME] FILE */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "netlab.h"
#include "cli.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void say(void *data, const char *line)
{
	const struct cli *cli = data;

	if (cli->verbose >= 0)
		printf("%s\n", line);
}

int cmd_apply(struct cli *cli, int argc, char **argv)
{
	struct nlab_topology *t = NULL;
	struct nlab_diag diag = { 0 };
	struct nlab_load_opts lo = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct nlab_err e = { 0 };
	size_t changes = 0;
	struct nlab_apply_opts o = {
		.stop = &got_signal,
		.say = say,
		.data = cli,
		.changes = &changes,
	};
	cleanup_free char **args = xcalloc((size_t)argc + 1, sizeof(*args));
	bool opts_done = false;
	const char *file;
	int n = 0, ret;

	/* --dry-run here; the rest as `up` takes them. */
	for (int i = 0; i < argc; i++) {
		opts_done |= i && !strcmp(argv[i], "--");
		if (i && !opts_done && !strcmp(argv[i], "--dry-run"))
			o.dry_run = true;
		else
			args[n++] = argv[i];
	}
	ret = cli_file_args(cli, n, args, "topology FILE", &file, &lo.rename);
	if (ret)
		return ret;
	if (cli_need_root(cli))
		return EXIT_FAIL;
	if (nlab_topology_load_opts(file, &lo, &t, &diag)) {
		ret = cli_diag(cli, &diag);
		nlab_diag_free(&diag);
		return ret;
	}
	if (t->n_machines) { /* its nodes are not all here */
		nlab_topology_free(t);
		return cli_usage(cli, "not yet for a lab over several hosts "
				      "([host] sections)");
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	ret = nlab_lab_apply(t, &o, &e);
	/* The plan first, then what became of it. */
	fflush(stdout);
	if (ret) {
		if (e.errnum == ENOENT)
			cli_error(cli, "%s (`netlab up %s` builds it)", e.msg,
				  file);
		else
			cli_error(cli, "lab %s: %s", t->name, e.msg);
		ret = got_signal == SIGINT ? EXIT_SIGINT : EXIT_FAIL;
	} else if (cli->verbose >= 0) {
		if (!changes)
			printf("lab %s: nothing to change\n", t->name);
		else if (o.dry_run)
			printf("lab %s: %zu change%s to make (dry run: none "
			       "made)\n",
			       t->name, changes, changes == 1 ? "" : "s");
		else
			printf("lab %s: %zu change%s made\n", t->name, changes,
			       changes == 1 ? "" : "s");
	}
	nlab_topology_free(t);
	return ret;
}
