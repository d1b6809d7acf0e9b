// SPDX-License-Identifier: MIT
/* Argument helpers shared by the commands. */
#include <string.h>

#include "cli.h"

int cli_one_arg(const struct cli *cli, int argc, char **argv, const char *what,
		const char **arg)
{
	if (argc > 1 && !strcmp(argv[1], "--")) {
		argv++;
		argc--;
	} else if (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		return cli_usage(cli, "unknown option '%s'", argv[1]);
	}
	if (argc < 2)
		return cli_usage(cli, "missing %s", what);
	if (argc > 2)
		return cli_usage(cli, "too many arguments");
	*arg = argv[1];
	return 0;
}
