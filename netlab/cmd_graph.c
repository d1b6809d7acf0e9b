// SPDX-License-Identifier: MIT
/*
 * netlab graph [--name NAME] FILE|LAB: the topology as Graphviz DOT on stdout.
 * A FILE needs no privileges; a LAB is read from its state directory
 * (root only, like everything under /run/netlab).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "netlab.h"
#include "labarg.h"

/* A running lab's topology: the copy `up` stored, with relative paths
 * resolved against the original file's directory. */
static int load_lab(struct cli *cli, const char *lab, struct nlab_topology **t)
{
	struct nlab_err e = { 0 };
	int rc;

	if (!nlab_valid_name(lab))
		return cli_usage(cli, "'%s' is neither a file nor a lab name",
				 lab);
	rc = cli_need_root(cli);
	if (rc)
		return rc;
	if (nlab_lab_topology(lab, t, &e))
		return cli_fail(cli, &e);
	return 0;
}

int cmd_graph(struct cli *cli, int argc, char **argv)
{
	cleanup_topology struct nlab_topology *t = NULL;
	cleanup_diag struct nlab_diag diag = { 0 };
	struct nlab_load_opts o = { 0 };
	const char *arg;
	int rc = cli_file_args(cli, argc, argv, "FILE or LAB", &arg, &o.rename);

	if (rc)
		return rc;
	if (cli_is_file_arg(arg)) {
		if (nlab_topology_load_opts(arg, &o, &t, &diag))
			return cli_diag(cli, &diag);
	} else if (o.rename) {
		return cli_usage(cli, "--name goes with a FILE, not a LAB");
	} else {
		rc = load_lab(cli, arg, &t);
		if (rc)
			return rc;
	}
	nlab_topology_dot(t, stdout);
	if (fflush(stdout) || ferror(stdout)) {
		cli_error(cli, "writing the graph: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
