// SPDX-License-Identifier: MIT
/* netlab down LAB|FILE */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "lab.h"
#include "labarg.h"

int cmd_down(struct cli *cli, int argc, char **argv)
{
	char lab[NLAB_NAME_MAX + 1];
	struct nlab_err e = { 0 };
	int ret;

	if (argc != 2)
		return cli_usage(cli, "expected LAB or FILE");
	if (cli_need_root(cli))
		return EXIT_FAIL;
	ret = cli_lab_arg(cli, argv[1], lab, sizeof(lab));
	if (ret)
		return ret;
	ret = nlab_lab_down(lab, &e);
	if (ret < 0)
		return cli_fail(cli, &e);
	if (cli->verbose >= 0) {
		if (ret == 1)
			fprintf(stderr, "netlab: down: no lab named '%s' "
					"(nothing to do)\n",
				lab);
		else
			printf("lab %s down\n", lab);
	}
	return EXIT_OK;
}
