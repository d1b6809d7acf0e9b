// SPDX-License-Identifier: MIT
/* netlab log LAB|FILE NODE [LOGFILE] [-f] */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "netlab.h"
#include "labarg.h"

/* No log to show: no such lab, or no such node in it. */
static int no_log(struct cli *cli, const char *lab, const char *node)
{
	struct nlab_topology *t;
	struct nlab_err e = { 0 };

	if (nlab_lab_topology(lab, &t, &e))
		return cli_fail(cli, &e);
	if (nlab_topology_node(t, node))
		nlab_err_set(&e, 0, "node %s of lab %s has no log yet", node,
			     lab);
	else
		nlab_err_no_node(&e, t, node, false);
	nlab_topology_free(t);
	return cli_fail(cli, &e);
}

/* FILE of the node's own /var/log, e.g. a daemon's log. */
static int varlog(struct cli *cli, const char *lab, const char *node,
		  const char *file, bool follow)
{
	struct nlab_err e = { 0 };
	cleanup_close int pidfd = -1;
	cleanup_close int fd = nlab_varlog_open(lab, node, file, &pidfd, &e);

	if (fd < 0)
		return cli_fail(cli, &e);
	/* With -f: until interrupted or the node goes down. */
	if (nlab_file_copy(fd, pidfd, follow, stdout, &e))
		return cli_fail(cli, &e);
	return EXIT_OK;
}

int cmd_log(struct cli *cli, int argc, char **argv)
{
	char name[NLAB_NAME_MAX + 1];
	struct nlab_err e = { 0 };
	bool follow = false;
	int rc;
	const char *lab = NULL, *node = NULL, *file = NULL, *lab_arg;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-f") || !strcmp(argv[a], "--follow"))
			follow = true;
		else if (!lab)
			lab = argv[a];
		else if (!node)
			node = argv[a];
		else if (!file)
			file = argv[a];
		else
			return cli_usage(cli, "unexpected argument '%s'",
					 argv[a]);
	}
	if (!node)
		return cli_usage(cli, "expected LAB NODE");
	rc = cli_lab_arg(cli, lab, name, sizeof(name));
	if (rc)
		return rc;
	lab_arg = lab;
	lab = name;
	if (!nlab_valid_name(node))
		return cli_usage(cli, "'%s' is not a node name", node);
	if (file && !nlab_varlog_path_ok(file))
		return cli_usage(cli,
				 "'%s': LOGFILE is a path relative to "
				 "the node's /var/log, without '..'",
				 file);
	if (cli_need_root(cli))
		return EXIT_FAIL;
	for (int i = 1; i < argc; i++) /* a lab over several hosts */
		if (argv[i] == lab_arg) {
			rc = cli_multi_node(cli, lab, node, argc, argv, i);
			if (rc >= 0)
				return rc;
			break;
		}
	if (file)
		return varlog(cli, lab, node, file, follow);
	/* With -f: until interrupted or the lab goes down. */
	rc = nlab_log_print(lab, node, follow, stdout, &e);
	if (rc < 0)
		return cli_fail(cli, &e);
	if (rc > 0)
		return no_log(cli, lab, node);
	return EXIT_OK;
}
