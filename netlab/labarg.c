// SPDX-License-Identifier: MIT
#include "labarg.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "netlab.h"

bool cli_is_file_arg(const char *arg)
{
	size_t len = strlen(arg);
	char conf[4096];
	struct stat sb;

	/* a Kathará lab: a directory with a lab.conf */
	snprintf(conf, sizeof(conf), "%s/lab.conf", arg);
	return strchr(arg, '/') ||
	       (len > 4 && !strcmp(arg + len - 4, ".ini")) ||
	       (stat(arg, &sb) == 0 && !S_ISDIR(sb.st_mode)) ||
	       stat(conf, &sb) == 0;
}

int cli_lab_arg(const struct cli *cli, const char *arg, char *lab, size_t len)
{
	/* Only its name is wanted: nodes without host = placed as by
	 * `up --spread`, so that such a file names its lab too. */
	struct nlab_load_opts o = { .skip_fs_checks = true, .spread = true };
	struct nlab_topology *t = NULL;
	struct nlab_diag d = { 0 };
	int ret;

	if (!cli_is_file_arg(arg)) {
		if (!nlab_valid_name(arg))
			return cli_usage(cli,
					 "'%s' is neither a file nor a "
					 "lab name",
					 arg);
		snprintf(lab, len, "%s", arg);
		return 0;
	}
	if (nlab_topology_load_opts(arg, &o, &t, &d)) {
		ret = cli_diag(cli, &d);
		nlab_diag_free(&d);
		return ret;
	}
	snprintf(lab, len, "%s", t->name);
	nlab_topology_free(t);
	return 0;
}

int cli_lab_node_if(const struct cli *cli, char **argv, char *lab, size_t len)
{
	int rc = cli_lab_arg(cli, argv[0], lab, len);

	if (rc)
		return rc;
	if (!nlab_valid_name(argv[1]) || !nlab_valid_ifname(argv[2]))
		return cli_usage(cli, "'%s %s' is not a NODE IFNAME", argv[1],
				 argv[2]);
	return 0;
}

int cli_multi_node(const struct cli *cli, const char *lab, const char *node,
		   int argc, char **argv, int lab_i)
{
	struct nlab_err e = { 0 };
	char **args;
	int k = 0;

	if (!nlab_multi_exists(lab))
		return -1;
	args = xcalloc((size_t)argc + 2, sizeof(*args));
	if (cli->verbose)
		args[k++] = cli->verbose < 0 ? "-q" : "-v";
	for (int i = 0; i < argc; i++)
		args[k++] = i == lab_i ? (char *)lab : argv[i];
	nlab_multi_exec(lab, node, args, &e);
	free(args);
	return cli_fail(cli, &e);
}
