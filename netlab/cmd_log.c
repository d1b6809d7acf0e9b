// SPDX-License-Identifier: MIT
/* netlab log LAB|FILE NODE [-f] */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lab.h"
#include "labarg.h"
#include "names.h"
#include "node.h"
#include "state.h"

/* Copy what is in @fd to stdout; returns bytes copied or -1. */
static ssize_t drain(int fd)
{
	char buf[65536];
	ssize_t n, total = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			return -1;
		total += n;
	}
	fflush(stdout);
	return n < 0 ? -1 : total;
}

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

int cmd_log(struct cli *cli, int argc, char **argv)
{
	char path[256], dir[128], name[NLAB_NAME_MAX + 1];
	bool follow = false;
	int fd, a = 1, rc;
	const char *lab = NULL, *node = NULL;

	for (; a < argc; a++) {
		if (!strcmp(argv[a], "-f") || !strcmp(argv[a], "--follow"))
			follow = true;
		else if (!lab)
			lab = argv[a];
		else if (!node)
			node = argv[a];
		else
			return cli_usage(cli, "unexpected argument '%s'",
					 argv[a]);
	}
	if (!node)
		return cli_usage(cli, "expected LAB NODE");
	rc = cli_lab_arg(cli, lab, name, sizeof(name));
	if (rc)
		return rc;
	lab = name;
	if (!nlab_valid_name(node))
		return cli_usage(cli, "'%s' is not a node name", node);
	if (cli_need_root(cli))
		return EXIT_FAIL;
	snprintf(dir, sizeof(dir), NLAB_STATE_DIR "/%s", lab);
	snprintf(path, sizeof(path), "%s/%s" NLAB_LOG_SUFFIX, dir, node);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return no_log(cli, lab, node);
	if (drain(fd) < 0)
		return EXIT_FAIL;
	/* Follow until interrupted or the lab goes down. */
	while (follow && access(path, F_OK) == 0) {
		usleep(200 * 1000);
		if (drain(fd) < 0)
			return EXIT_FAIL;
	}
	close(fd);
	return EXIT_OK;
}
