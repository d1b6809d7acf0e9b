// SPDX-License-Identifier: MIT
/*
 * netlab graph FILE|LAB: the topology as Graphviz DOT on stdout.
 * A FILE needs no privileges; a LAB is read from its state directory
 * (root only, like everything under /run/netlab).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "dot.h"
#include "state.h"
#include "text.h"
#include "util.h"

static bool is_file_arg(const char *arg)
{
	size_t len = strlen(arg);
	struct stat sb;

	return strchr(arg, '/') || (len > 4 && !strcmp(arg + len - 4, ".ini")) ||
	       (stat(arg, &sb) == 0 && !S_ISDIR(sb.st_mode));
}

/* A running lab's topology: the copy `up` stored, with relative paths
 * resolved against the original file's directory. */
static int load_lab(struct cli *cli, const char *lab,
		    struct nlab_topology **t)
{
	cleanup_diag struct nlab_diag diag = { 0 };
	cleanup_free char *dir = NULL;
	struct nlab_load_opts o = { .skip_fs_checks = true, .name = lab };
	char path[sizeof(NLAB_STATE_DIR) + NLAB_NAME_MAX + 32];
	struct stat sb;
	int rc;

	if (!nlab_valid_name(lab))
		return cli_usage(cli, "'%s' is neither a file nor a lab name",
				 lab);
	rc = cli_need_root(cli);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), NLAB_STATE_DIR "/%s", lab);
	if (stat(path, &sb) < 0) {
		if (errno == ENOENT)
			cli_error(cli, "no lab named '%s'", lab);
		else
			cli_error(cli, "%s: %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	dir = nlab_state_slurp(lab, "source-dir");
	if (dir)
		o.dir = nlab_trim(dir);
	snprintf(path, sizeof(path), NLAB_STATE_DIR "/%s/topology.ini", lab);
	if (nlab_topology_load_opts(path, &o, t, &diag))
		return cli_diag(cli, &diag);
	return 0;
}

int cmd_graph(struct cli *cli, int argc, char **argv)
{
	cleanup_topology struct nlab_topology *t = NULL;
	cleanup_diag struct nlab_diag diag = { 0 };
	const char *arg;
	int rc = cli_one_arg(cli, argc, argv, "FILE or LAB", &arg);

	if (rc)
		return rc;
	if (is_file_arg(arg)) {
		if (nlab_topology_load(arg, &t, &diag))
			return cli_diag(cli, &diag);
	} else {
		rc = load_lab(cli, arg, &t);
		if (rc)
			return rc;
	}
	nlab_topology_dot(t, stdout);
	if (fflush(stdout) || ferror(stdout)) {
		cli_error(cli, "writing the graph: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
