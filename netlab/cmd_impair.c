// SPDX-License-Identifier: MIT
/* netlab impair LAB|FILE NODE IFNAME [OPTION=VALUE...|clear] */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "labarg.h"
#include "netlab.h"

int cmd_impair(struct cli *cli, int argc, char **argv)
{
	struct nlab_impair imp = { 0 };
	struct nlab_err e = { 0 };
	char lab[NLAB_NAME_MAX + 1];
	char buf[256];
	int rc;

	if (argc < 4)
		return cli_usage(cli, "expected LAB NODE IFNAME "
				      "[OPTION=VALUE...|clear]");
	rc = cli_lab_node_if(cli, argv + 1, lab, sizeof(lab));
	if (rc)
		return rc;
	/* Every value is checked before anything is touched. */
	if (argc == 5 && !strcmp(argv[4], "clear")) {
		/* imp stays empty: remove them all */
	} else {
		for (int i = 4; i < argc; i++)
			if (nlab_impair_parse(argv[i], &imp, &e))
				return cli_usage(cli, "%s", e.msg);
		if (nlab_impair_check(&imp, &e))
			return cli_usage(cli, "%s", e.msg);
	}
	if (cli_need_root(cli))
		return EXIT_FAIL;
	rc = cli_multi_node(cli, lab, argv[2], argc, argv, 1);
	if (rc >= 0)
		return rc;
	if (argc == 4) {
		if (nlab_impair_get(lab, argv[2], argv[3], &imp, &e))
			return cli_fail(cli, &e);
		nlab_impair_str(&imp, buf, sizeof(buf));
		printf("%s\n", buf[0] ? buf : "none");
		return EXIT_OK;
	}
	if (nlab_impair_set(lab, argv[2], argv[3], &imp, &e))
		return cli_fail(cli, &e);
	return EXIT_OK;
}
