// SPDX-License-Identifier: MIT
/* netlab ps LAB|FILE NODE */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "netlab.h"
#include "labarg.h"

int cmd_ps(struct cli *cli, int argc, char **argv)
{
	struct nlab_nodeproc *p;
	struct nlab_err e = { 0 };
	char lab[NLAB_NAME_MAX + 1];
	size_t n;
	int rc;

	if (argc != 3)
		return cli_usage(cli, "expected LAB NODE");
	rc = cli_lab_arg(cli, argv[1], lab, sizeof(lab));
	if (rc)
		return rc;
	if (!nlab_valid_name(argv[2]))
		return cli_usage(cli, "'%s' is not a node name", argv[2]);
	if (cli_need_root(cli))
		return EXIT_FAIL;
	rc = cli_multi_node(cli, lab, argv[2], argc, argv, 1);
	if (rc >= 0)
		return rc;
	if (nlab_node_procs(lab, argv[2], &p, &n, &e))
		return cli_fail(cli, &e);
	printf("%7s %9s  %s\n", "PID", "HOST-PID", "COMMAND");
	for (size_t i = 0; i < n; i++)
		printf("%7d %9d  %s\n", (int)p[i].node_pid, (int)p[i].host_pid,
		       p[i].cmd);
	free(p);
	return EXIT_OK;
}
