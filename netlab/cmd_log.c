// SPDX-License-Identifier: MIT
/* netlab log LAB NODE [-f] */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "nodelog.h"

int cmd_log(struct cli *cli, int argc, char **argv)
{
	struct nlab_err e = { 0 };
	bool follow = false;
	const char *lab = NULL, *node = NULL;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-f") || !strcmp(argv[a], "--follow"))
			follow = true;
		else if (!lab)
			lab = argv[a];
		else if (!node)
			node = argv[a];
		else
			return cli_usage(cli, "unexpected argument '%s'",
					 argv[a]);
	}
	if (!node)
		return cli_usage(cli, "expected LAB NODE");
	if (!nlab_valid_name(lab) || !nlab_valid_name(node))
		return cli_usage(cli, "'%s %s' is not a LAB NODE pair", lab,
				 node);
	if (cli_need_root(cli))
		return EXIT_FAIL;
	/* With -f: until interrupted or the lab goes down. */
	if (nlab_log_print(lab, node, follow, stdout, &e))
		return cli_fail(cli, &e);
	return EXIT_OK;
}
