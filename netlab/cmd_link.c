// SPDX-License-Identifier: MIT
/* netlab link LAB NODE IFNAME up|down */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "runtime.h"

int cmd_link(struct cli *cli, int argc, char **argv)
{
	struct nlab_err e = { 0 };
	bool up;

	if (argc != 5)
		return cli_usage(cli, "expected LAB NODE IFNAME up|down");
	if (!nlab_valid_name(argv[1]) || !nlab_valid_name(argv[2]) ||
	    !nlab_valid_ifname(argv[3]))
		return cli_usage(cli, "'%s %s %s' is not a LAB NODE IFNAME",
				 argv[1], argv[2], argv[3]);
	if (!strcmp(argv[4], "up"))
		up = true;
	else if (!strcmp(argv[4], "down"))
		up = false;
	else
		return cli_usage(cli, "expected up or down, not '%s'", argv[4]);
	if (cli_need_root(cli))
		return EXIT_FAIL;
	if (nlab_link_set(argv[1], argv[2], argv[3], up, &e))
		return cli_fail(cli, &e);
	return EXIT_OK;
}
