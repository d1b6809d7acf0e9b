// SPDX-License-Identifier: MIT
/* netlab status [LAB|FILE] [--json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "labarg.h"
#include "names.h"
#include "state.h"
#include "status.h"

static void list_text(char **labs, struct nlab_lab_status *st, size_t n)
{
	if (!n) {
		printf("no labs\n");
		return;
	}
	printf("%-32s %6s %9s  %s\n", "LAB", "NODES", "SWITCHES", "STATE");
	for (size_t i = 0; i < n; i++)
		printf("%-32s %6zu %9zu  %s\n", labs[i],
		       st[i].topo ? st[i].topo->n_nodes : 0,
		       st[i].topo ? st[i].netns_total - st[i].topo->n_nodes : 0,
		       st[i].state ? st[i].state : "unreadable");
}

static void list_json(char **labs, struct nlab_lab_status *st, size_t n)
{
	printf("{\"labs\": [");
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"name\": ", i ? ", " : "");
		json_str(stdout, labs[i]);
		printf(", \"nodes\": %zu, \"switches\": %zu, \"state\": ",
		       st[i].topo ? st[i].topo->n_nodes : 0,
		       st[i].topo ? st[i].netns_total - st[i].topo->n_nodes
				  : 0);
		json_str(stdout, st[i].state ? st[i].state : "unreadable");
		printf("}");
	}
	printf("]}\n");
}

static int list_labs(struct cli *cli, bool json)
{
	struct nlab_lab_status *st;
	struct nlab_err e = { 0 };
	char **labs;
	size_t n;

	if (nlab_state_list(&labs, &n, &e))
		return cli_fail(cli, &e);
	st = calloc(n ? n : 1, sizeof(*st));
	for (size_t i = 0; i < n; i++)
		if (nlab_status_read(labs[i], false, &st[i], &e) < 0)
			memset(&st[i], 0, sizeof(st[i]));
	if (json)
		list_json(labs, st, n);
	else
		list_text(labs, st, n);
	for (size_t i = 0; i < n; i++) {
		if (st[i].topo)
			nlab_status_free(&st[i]);
		free(labs[i]);
	}
	free(st);
	free(labs);
	return EXIT_OK;
}

static void node_text(const struct nlab_node_status *n)
{
	printf("%s  netns %s%s", n->decl->name, n->netns,
	       n->present ? "" : " (gone)");
	if (n->supervisor)
		printf("  supervisor %d", n->supervisor);
	else
		printf("  no supervisor");
	if (n->run[0] && strcmp(n->run, "none"))
		printf("  run: %s", n->run);
	printf("\n");
	for (size_t i = 0; i < n->decl->n_ifaces; i++) {
		const struct nlab_if_status *f = &n->ifs[i];
		char imp[256];

		if (!f->exists) {
			printf("  %-15s missing\n", f->decl->name);
			continue;
		}
		printf("  %-15s %-4s %-10s mtu %-5u", f->decl->name,
		       f->up ? "up" : "down",
		       f->carrier ? "carrier" : "no-carrier", f->mtu);
		for (size_t a = 0; a < f->n_addrs; a++)
			printf(" %s", f->addrs[a]);
		nlab_impair_str(&f->decl->impair, imp, sizeof(imp));
		if (imp[0])
			printf("  [%s]", imp);
		printf("\n");
	}
}

static void node_json(const struct nlab_node_status *n)
{
	printf("{\"name\": ");
	json_str(stdout, n->decl->name);
	printf(", \"netns\": ");
	json_str(stdout, n->netns);
	printf(", \"present\": %s, \"supervisor\": %d, \"run\": ",
	       n->present ? "true" : "false", n->supervisor);
	json_str(stdout, n->run);
	printf(", \"interfaces\": [");
	for (size_t i = 0; i < n->decl->n_ifaces; i++) {
		const struct nlab_if_status *f = &n->ifs[i];
		char imp[256];

		printf("%s{\"name\": ", i ? ", " : "");
		json_str(stdout, f->decl->name);
		printf(", \"segment\": ");
		json_str(stdout, f->decl->segment->name);
		printf(", \"exists\": %s, \"state\": \"%s\", \"carrier\": %s, "
		       "\"mtu\": %u, \"mac\": ",
		       f->exists ? "true" : "false", f->up ? "up" : "down",
		       f->carrier ? "true" : "false", f->mtu);
		json_str(stdout, f->mac);
		printf(", \"addresses\": [");
		for (size_t a = 0; a < f->n_addrs; a++) {
			printf("%s", a ? ", " : "");
			json_str(stdout, f->addrs[a]);
		}
		printf("], \"impairments\": ");
		json_str(stdout,
			 nlab_impair_str(&f->decl->impair, imp, sizeof(imp)));
		printf("}");
	}
	printf("]}");
}

static int show_lab(struct cli *cli, const char *lab, bool json)
{
	struct nlab_lab_status st;
	struct nlab_err e = { 0 };
	int r = nlab_status_read(lab, true, &st, &e);

	if (r < 0)
		return cli_fail(cli, &e);
	if (r == 1) {
		nlab_err_no_lab(&e, lab);
		return cli_fail(cli, &e);
	}
	if (json) {
		printf("{\"lab\": ");
		json_str(stdout, lab);
		printf(", \"state\": ");
		json_str(stdout, st.state);
		printf(", \"nodes\": [");
		for (size_t n = 0; n < st.topo->n_nodes; n++) {
			printf("%s", n ? ", " : "");
			node_json(&st.nodes[n]);
		}
		printf("]}\n");
	} else {
		printf("lab %s: %s, %zu/%zu namespaces\n", lab, st.state,
		       st.netns_present, st.netns_total);
		for (size_t n = 0; n < st.topo->n_nodes; n++)
			node_text(&st.nodes[n]);
	}
	nlab_status_free(&st);
	return EXIT_OK;
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	const char *lab = NULL;
	char name[NLAB_NAME_MAX + 1];
	bool json = false;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' || lab)
			return cli_usage(cli, "unexpected argument '%s'",
					 argv[i]);
		else
			lab = argv[i];
	}
	if (cli_need_root(cli))
		return EXIT_FAIL;
	if (!lab)
		return list_labs(cli, json);
	rc = cli_lab_arg(cli, lab, name, sizeof(name));
	return rc ? rc : show_lab(cli, name, json);
}
