// SPDX-License-Identifier: MIT
/* netlab check [--name NAME] [--spread] FILE: load and validate, print a
 * one-line summary.
 */
#include <stdio.h>

#include "cli.h"
#include "netlab.h"

#define PLURAL(n, one, many) (n), (n) == 1 ? (one) : (many)

/*
 * A topology can be valid and still not come up on this kernel: say so
 * now (a warning: the file may be meant for another host).  Without a
 * way to tell, say nothing but with -v.
 */
static void warn_kernel(const struct cli *cli, const struct nlab_topology *t)
{
	struct nlab_err e = { 0 };
	int r;

	for (size_t n = 0; n < t->n_nodes; n++)
		for (size_t i = 0; i < t->nodes[n].n_ifaces; i++) {
			const struct nlab_iface *f = &t->nodes[n].ifaces[i];

			if (!(f->impair.set & NLAB_IMP_NETEM))
				continue;
			r = nlab_netem_available(&e);
			if (r == 0)
				cli_error(cli,
					  "warning: node %s: %s: delay, "
					  "jitter, loss, duplicate, corrupt "
					  "and reorder need the netem qdisc, "
					  "which this kernel lacks "
					  "(CONFIG_NET_SCH_NETEM): `up` will "
					  "refuse this lab here",
					  t->nodes[n].name, f->name);
			else if (r < 0 && cli->verbose > 0)
				cli_error(cli,
					  "cannot tell whether this kernel "
					  "has netem: %s",
					  e.msg);
			return;
		}
}

int cmd_check(struct cli *cli, int argc, char **argv)
{
	cleanup_topology struct nlab_topology *t = NULL;
	cleanup_diag struct nlab_diag diag = { 0 };
	struct nlab_counts n;
	struct nlab_load_opts o = { 0 };
	const char *file;
	int rc;

	o.spread = cli_flag_arg(&argc, argv, "--spread");
	rc = cli_file_args(cli, argc, argv, "FILE", &file, &o.rename);
	if (rc)
		return rc;
	if (nlab_topology_load_opts(file, &o, &t, &diag))
		return cli_diag(cli, &diag);
	if (o.spread && !t->n_machines)
		return cli_usage(cli,
				 "--spread: %s has no [host] sections to "
				 "place its nodes on",
				 file);
	nlab_topology_counts(t, &n);
	printf("%s: %zu %s, %zu %s, %zu %s, %zu %s, %zu %s", t->name,
	       PLURAL(n.nodes, "node", "nodes"),
	       PLURAL(n.switches, "switch", "switches"),
	       PLURAL(n.links, "link", "links"),
	       PLURAL(n.addresses, "address", "addresses"),
	       PLURAL(n.routes, "route", "routes"));
	if (t->n_tests) /* [test NAME] sections */
		printf(", %zu %s", PLURAL(t->n_tests, "test", "tests"));
	if (t->n_machines) { /* a lab over several hosts */
		size_t cross = 0;

		for (size_t i = 0; i < t->n_segments; i++)
			cross += t->segments[i].spans;
		printf(", on %zu %s, %zu %s",
		       PLURAL(t->n_machines, "host", "hosts"),
		       PLURAL(cross, "segment across hosts",
			      "segments across hosts"));
	}
	putchar('\n');
	if (o.spread) { /* where `up --spread` would put the nodes */
		cleanup_free char *where = nlab_spread_describe(t);

		fputs(where, stdout);
	}
	fflush(stdout); /* before the probe's child could inherit it */
	cli_notes(cli, t);
	warn_kernel(cli, t);
	return EXIT_OK;
}
