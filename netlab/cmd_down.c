// SPDX-License-Identifier: MIT
/* netlab down LAB|FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "lab.h"
#include "labarg.h"
#include "proc.h"

struct down_warn {
	const struct cli *cli;
	const char *lab;
};

/* Printed even with -q: each says what `down` left on the host. */
static void warn(void *data, const char *msg)
{
	const struct down_warn *d = data;

	cli_error(d->cli, "lab %s: %s", d->lab, msg);
}

int cmd_down(struct cli *cli, int argc, char **argv)
{
	char lab[NLAB_NAME_MAX + 1];
	struct nlab_err e = { 0 };
	struct down_warn dw = { .cli = cli, .lab = lab };
	struct nlab_warn w = { .fn = warn, .data = &dw };
	int ret;

	const char *arg = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--grace") && i + 1 < argc) {
			char *end;
			double s = strtod(argv[++i], &end);

			if (*end || s < 0 || s > 3600)
				return cli_usage(cli,
						 "bad --grace '%s' "
						 "(seconds)",
						 argv[i]);
			nlab_grace_ms = (int)(s * 1000);
		} else if (arg) {
			return cli_usage(cli, "unexpected argument '%s'",
					 argv[i]);
		} else {
			arg = argv[i];
		}
	}
	if (!arg)
		return cli_usage(cli, "expected LAB or FILE");
	if (cli_need_root(cli))
		return EXIT_FAIL;
	ret = cli_lab_arg(cli, arg, lab, sizeof(lab));
	if (ret)
		return ret;
	ret = nlab_lab_down_warn(lab, &w, &e);
	if (ret < 0)
		return cli_fail(cli, &e);
	if (cli->verbose >= 0) {
		if (ret == 1)
			fprintf(stderr,
				"netlab: down: no lab named '%s' "
				"(nothing to do)\n",
				lab);
		else
			printf("lab %s down\n", lab);
	}
	return EXIT_OK;
}
