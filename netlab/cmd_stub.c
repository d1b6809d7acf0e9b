// SPDX-License-Identifier: MIT
/* Commands that exist in --help but are not implemented yet. */
#include "cli.h"

static int not_yet(struct cli *cli)
{
	cli_error(cli, "not implemented yet");
	return EXIT_FAIL;
}

#define STUB(n)                                                                \
	int cmd_##n(struct cli *cli, int argc, char **argv)                    \
	{                                                                      \
		(void)argc;                                                    \
		(void)argv;                                                    \
		return not_yet(cli);                                           \
	}

STUB(capture)
STUB(ping)
