// SPDX-License-Identifier: MIT
/*
 * netlab convert [--name NAME] DIR|DIR/lab.conf: a Kathará lab as netlab's
 * topology, on stdout.  The text is the one `netlab up DIR` loads, but
 * for its paths: they name the lab's files through DIR as given, so that
 * the output saved in the current directory (`> lab.ini`) finds them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "netlab.h"

int cmd_convert(struct cli *cli, int argc, char **argv)
{
	cleanup_diag struct nlab_diag diag = { 0 };
	struct nlab_kathara k;
	const char *dir, *name;
	int rc = cli_file_args(cli, argc, argv, "Kathará lab DIR", &dir, &name);

	if (rc)
		return rc;
	if (!nlab_kathara_path(dir))
		return cli_usage(cli,
				 "'%s' is no Kathará lab: give its directory "
				 "or its lab.conf",
				 dir);
	if (nlab_kathara_load(dir, true, name, &k, &diag))
		return cli_diag(cli, &diag);
	fwrite(k.ini, 1, k.ini_len, stdout);
	nlab_kathara_free(&k);
	if (fflush(stdout) || ferror(stdout)) {
		cli_error(cli, "writing the topology: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
