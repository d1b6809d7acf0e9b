// SPDX-License-Identifier: MIT
/* netlab link LAB|FILE NODE IFNAME up|down */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "netlab.h"
#include "labarg.h"

/* "a eth0 <-> b eth0: down", or "... <-> switch lan: down": the cable. */
static void say(const char *lab, const char *node, const char *ifname, bool up)
{
	struct nlab_topology *t;
	const struct nlab_node *n;
	const struct nlab_iface *i;
	const struct nlab_segment *s;
	struct nlab_err e;
	const char *state = up ? "up" : "down";

	if (nlab_lab_topology(lab, &t, &e)) { /* it was there a moment ago */
		printf("%s %s: %s\n", node, ifname, state);
		return;
	}
	n = nlab_topology_node(t, node);
	i = n ? nlab_node_iface(n, ifname) : NULL;
	s = i ? i->segment : NULL;
	if (s && s->kind == NLAB_SEG_VETH && s->n_members == 2) {
		const struct nlab_iface *o =
			s->members[s->members[0] == i ? 1 : 0];

		printf("%s %s <-> %s %s: %s\n", node, ifname, o->node->name,
		       o->name, state);
	} else if (s) {
		printf("%s %s <-> switch %s: %s\n", node, ifname, s->name,
		       state);
	} else {
		printf("%s %s: %s\n", node, ifname, state);
	}
	nlab_topology_free(t);
}

int cmd_link(struct cli *cli, int argc, char **argv)
{
	struct nlab_err e = { 0 };
	char lab[NLAB_NAME_MAX + 1];
	bool up;
	int rc;

	if (argc != 5)
		return cli_usage(cli, "expected LAB NODE IFNAME up|down");
	rc = cli_lab_node_if(cli, argv + 1, lab, sizeof(lab));
	if (rc)
		return rc;
	if (!strcmp(argv[4], "up"))
		up = true;
	else if (!strcmp(argv[4], "down"))
		up = false;
	else
		return cli_usage(cli, "expected up or down, not '%s'", argv[4]);
	if (cli_need_root(cli))
		return EXIT_FAIL;
	rc = cli_multi_node(cli, lab, argv[2], argc, argv, 1);
	if (rc >= 0)
		return rc;
	if (nlab_link_set(lab, argv[2], argv[3], up, &e))
		return cli_fail(cli, &e);
	if (cli->verbose >= 0)
		say(lab, argv[2], argv[3], up);
	return EXIT_OK;
}
