// SPDX-License-Identifier: MIT
/* netlab help [COMMAND|topology] */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_help(struct cli *cli, int argc, char **argv)
{
	const char *what;
	int rc;

	if (argc == 1) {
		cli_usage_print(stdout);
		return EXIT_OK;
	}
	rc = cli_one_arg(cli, argc, argv, "COMMAND or topology", &what);
	if (rc)
		return rc;
	if (!strcmp(what, "topology")) {
		fputs(nlab_topology_help, stdout);
		return EXIT_OK;
	}
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, what))
			return cli_help(c);
	return cli_usage(cli, "no help on '%s' (a command, or topology)", what);
}
