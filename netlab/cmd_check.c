// SPDX-License-Identifier: MIT
/* netlab check FILE: load and validate, print a one-line summary. */
#include <stdio.h>

#include "cli.h"

#define PLURAL(n, one, many) (n), (n) == 1 ? (one) : (many)

int cmd_check(struct cli *cli, int argc, char **argv)
{
	cleanup_topology struct nlab_topology *t = NULL;
	cleanup_diag struct nlab_diag diag = { 0 };
	struct nlab_counts n;
	const char *file;
	int rc = cli_one_arg(cli, argc, argv, "FILE", &file);

	if (rc)
		return rc;
	if (nlab_topology_load(file, &t, &diag))
		return cli_diag(cli, &diag);
	nlab_topology_counts(t, &n);
	printf("%s: %zu %s, %zu %s, %zu %s, %zu %s, %zu %s\n", t->name,
	       PLURAL(n.nodes, "node", "nodes"),
	       PLURAL(n.switches, "switch", "switches"),
	       PLURAL(n.links, "link", "links"),
	       PLURAL(n.addresses, "address", "addresses"),
	       PLURAL(n.routes, "route", "routes"));
	return EXIT_OK;
}
