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

int cli_file_args(const struct cli *cli, int argc, char **argv,
		  const char *what, const char **arg, const char **name)
{
	bool opts_done = false;

	*arg = NULL;
	*name = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!opts_done && !strcmp(a, "--")) {
			opts_done = true;
		} else if (!opts_done && (!strcmp(a, "--name") ||
					  !strncmp(a, "--name=", 7))) {
			if (a[6] == '=')
				*name = a + 7;
			else if (i + 1 < argc)
				*name = argv[++i];
			else
				return cli_usage(cli, "--name needs a value");
			if (!nlab_valid_name(*name))
				return cli_usage(cli,
						 "--name: '%s' is not a valid "
						 "lab name "
						 "([a-z0-9][a-z0-9_-]{0,31})",
						 *name);
		} else if (!opts_done && a[0] == '-' && a[1]) {
			return cli_usage(cli, "unknown option '%s'", a);
		} else if (*arg) {
			return cli_usage(cli, "too many arguments");
		} else {
			*arg = a;
		}
	}
	if (!*arg)
		return cli_usage(cli, "missing %s", what);
	return 0;
}

bool cli_flag_arg(int *argc, char **argv, const char *flag)
{
	bool seen = false;
	int out = 1, i = 1;

	for (; i < *argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], flag))
			seen = true;
		else
			argv[out++] = argv[i];
	}
	while (i < *argc)
		argv[out++] = argv[i++];
	*argc = out;
	argv[out] = NULL;
	return seen;
}
