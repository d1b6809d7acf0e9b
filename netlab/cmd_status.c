// SPDX-License-Identifier: MIT
/* netlab status [LAB|FILE] [--json] */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "labarg.h"
#include "netlab.h"

/* "a: supervisor dead; e: stopped by SIGTERM from inside the node" */
static void degraded_text(const struct nlab_lab_status *st)
{
	for (size_t d = 0; d < st->n_degraded; d++) {
		const struct nlab_degraded *g = &st->degraded[d];
		const char *sep = ": ";

		printf("%s%s", d ? "; " : "", g->name);
		for (size_t r = 0; r < nlab_n_deg_reasons; r++) {
			char why[64];

			if (!(g->why & nlab_deg_reasons[r].bit))
				continue;
			printf("%s%s", sep, nlab_deg_reasons[r].text);
			sep = ", ";
			if (nlab_deg_reasons[r].bit != NLAB_DEG_STOPPED)
				continue;
			nlab_stop_str(&g->run, why, sizeof(why));
			printf(" by %s", why);
		}
	}
}

static void state_text(const struct nlab_lab_status *st)
{
	printf("%s", st->state);
	if (!st->n_degraded && !st->n_stopped)
		return;
	printf(" (");
	degraded_text(st);
	for (size_t i = 0; i < st->n_stopped; i++)
		printf("%s%s: stopped by `netlab stop`",
		       i || st->n_degraded ? "; " : "", st->stopped[i]);
	printf(")");
}

/* ["r2"]: the nodes stopped by `netlab stop`. */
static void stopped_json(const struct nlab_lab_status *st)
{
	printf("[");
	for (size_t i = 0; i < st->n_stopped; i++) {
		printf("%s", i ? ", " : "");
		json_str(stdout, st->stopped[i]);
	}
	printf("]");
}

/* [{"name": "a", "reasons": ["supervisor-dead"]}] */
static void degraded_json(const struct nlab_lab_status *st)
{
	printf("[");
	for (size_t d = 0; d < st->n_degraded; d++) {
		const struct nlab_degraded *g = &st->degraded[d];
		const char *sep = "";

		printf("%s{\"name\": ", d ? ", " : "");
		json_str(stdout, g->name);
		printf(", \"reasons\": [");
		for (size_t r = 0; r < nlab_n_deg_reasons; r++) {
			if (!(g->why & nlab_deg_reasons[r].bit))
				continue;
			printf("%s", sep);
			json_str(stdout, nlab_deg_reasons[r].id);
			sep = ", ";
		}
		printf("]}");
	}
	printf("]");
}

/* A lab's switches: its bridge segments, as the topology says (the
 * record of an `up` still running holds only some of their namespaces). */
static size_t switches(const struct nlab_topology *t)
{
	size_t n = 0;

	for (size_t i = 0; t && i < t->n_segments; i++)
		n += t->segments[i].kind == NLAB_SEG_BRIDGE;
	return n;
}

static void list_text(char **labs, struct nlab_lab_status *st, size_t n)
{
	if (!n) {
		printf("no labs\n");
		return;
	}
	printf("%-32s %6s %9s  %s\n", "LAB", "NODES", "SWITCHES", "STATE");
	for (size_t i = 0; i < n; i++) {
		printf("%-32s %6zu %9zu  ", labs[i],
		       st[i].topo ? st[i].topo->n_nodes : 0,
		       switches(st[i].topo));
		if (st[i].state)
			state_text(&st[i]);
		else
			printf("unreadable");
		printf("\n");
	}
}

static void list_json(char **labs, struct nlab_lab_status *st, size_t n)
{
	printf("{\"labs\": [");
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"name\": ", i ? ", " : "");
		json_str(stdout, labs[i]);
		printf(", \"nodes\": %zu, \"switches\": %zu, \"state\": ",
		       st[i].topo ? st[i].topo->n_nodes : 0,
		       switches(st[i].topo));
		json_str(stdout, st[i].state ? st[i].state : "unreadable");
		printf(", \"degraded\": ");
		degraded_json(&st[i]);
		printf(", \"stopped\": ");
		stopped_json(&st[i]);
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
	for (size_t i = 0; i < n; i++) {
		if (nlab_status_read(labs[i], false, &st[i], &e) < 0) {
			if (st[i].topo)
				nlab_status_free(&st[i]);
			memset(&st[i], 0, sizeof(st[i]));
		}
	}
	if (json) {
		list_json(labs, st, n);
	} else {
		char **multi;
		size_t n_multi;

		list_text(labs, st, n);
		/* Labs over several hosts this machine coordinates (a
		 * local host's part of one is in the table above). */
		nlab_multi_list(&multi, &n_multi);
		for (size_t i = 0; i < n_multi; i++) {
			printf("%s%s",
			       i ? ", "
				 : "over several hosts, "
				   "coordinated here: ",
			       multi[i]);
			free(multi[i]);
		}
		if (n_multi)
			printf(" (netlab status LAB shows each host)\n");
		free(multi);
	}
	for (size_t i = 0; i < n; i++) {
		if (st[i].topo)
			nlab_status_free(&st[i]);
		free(labs[i]);
	}
	free(st);
	free(labs);
	return EXIT_OK;
}

/* "running, pid 2", "exited 3", "killed (SIGKILL)", "lost"; false when
 * there is nothing to say (no `run`). */
static bool run_text(const struct nlab_run *r)
{
	const char *sig = sigabbrev_np(r->value);

	switch (r->state) {
	case NLAB_RUN_RUNNING:
		printf("  run: running, pid %d", r->value);
		break;
	case NLAB_RUN_EXITED:
		printf("  run: exited %d", r->value);
		break;
	case NLAB_RUN_KILLED:
		if (sig)
			printf("  run: killed (SIG%s)", sig);
		else
			printf("  run: killed (signal %d)", r->value);
		break;
	case NLAB_RUN_LOST:
		printf("  run: lost (it died with the supervisor)");
		break;
	default: /* none, or not known yet */
		return false;
	}
	return true;
}

static void node_text(const struct nlab_node_status *n)
{
	char why[64];
	bool ran;

	printf("%s  netns %s%s", n->decl->name, n->netns,
	       n->present ? "" : " (gone)");
	switch (n->state) {
	case NLAB_NODE_UP:
		printf("  supervisor %d", n->supervisor);
		break;
	case NLAB_NODE_STOPPED:
		nlab_stop_str(&n->run, why, sizeof(why));
		if (n->stop_requested)
			printf("  stopped by `netlab stop` (%s)", why);
		else
			printf("  stopped by %s", why);
		break;
	case NLAB_NODE_DEAD:
		printf("  supervisor dead");
		break;
	default:
		printf("  no supervisor");
		break;
	}
	/* "run: exited 0, 4 processes": the daemons a forking `run` left
	 * behind, or none (a dead router). */
	ran = run_text(&n->run);
	if (n->state == NLAB_NODE_UP)
		printf("%s%zu process%s", ran ? ", " : "  ", n->processes,
		       n->processes == 1 ? "" : "es");
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
		nlab_impair_str(&f->impair, imp, sizeof(imp));
		if (imp[0])
			printf("  [%s]", imp);
		if (f->decl->segment->label) /* an imported lab's own name */
			printf("  on %s", f->decl->segment->label);
		printf("\n");
	}
}

/* {"state": "exited", "exit": 3}: one number beside the state, named
 * for what it is. */
static void run_json(const struct nlab_run *r)
{
	static const char *const value_name[NLAB_RUN__MAX] = {
		[NLAB_RUN_RUNNING] = "pid",
		[NLAB_RUN_EXITED] = "exit",
		[NLAB_RUN_KILLED] = "signal",
	};

	printf("{\"state\": ");
	json_str(stdout, nlab_run_state_name(r->state));
	if ((unsigned)r->state < NLAB_RUN__MAX && value_name[r->state])
		printf(", \"%s\": %d", value_name[r->state], r->value);
	printf("}");
}

/* {"rate_bps": 1000000, "delay_us": 10000, "loss_pct": 0.5}: the set
 * ones only, in base units. */
static void impair_json(const struct nlab_impair *imp)
{
	static const struct {
		unsigned bit;
		const char *name;
		size_t off;
		enum { U64, U32, PCT } kind;
	} fields[] = {
		{ NLAB_IMP_RATE, "rate_bps",
		  offsetof(struct nlab_impair, rate_bps), U64 },
		{ NLAB_IMP_DELAY, "delay_us",
		  offsetof(struct nlab_impair, delay_us), U32 },
		{ NLAB_IMP_JITTER, "jitter_us",
		  offsetof(struct nlab_impair, jitter_us), U32 },
		{ NLAB_IMP_LOSS, "loss_pct",
		  offsetof(struct nlab_impair, loss_pct), PCT },
		{ NLAB_IMP_DUPLICATE, "duplicate_pct",
		  offsetof(struct nlab_impair, duplicate_pct), PCT },
		{ NLAB_IMP_CORRUPT, "corrupt_pct",
		  offsetof(struct nlab_impair, corrupt_pct), PCT },
		{ NLAB_IMP_REORDER, "reorder_pct",
		  offsetof(struct nlab_impair, reorder_pct), PCT },
	};
	const char *sep = "";

	printf("{");
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const char *p = (const char *)imp + fields[i].off;

		if (!(imp->set & fields[i].bit))
			continue;
		printf("%s\"%s\": ", sep, fields[i].name);
		sep = ", ";
		if (fields[i].kind == U64)
			printf("%llu",
			       (unsigned long long)*(const uint64_t *)p);
		else if (fields[i].kind == U32)
			printf("%u", *(const uint32_t *)p);
		else /* to millionths of a percent, as the parser keeps it */
			printf("%.9g", round(*(const double *)p * 1e6) / 1e6);
	}
	printf("}");
}

static void node_json(const struct nlab_node_status *n)
{
	printf("{\"name\": ");
	json_str(stdout, n->decl->name);
	printf(", \"netns\": ");
	json_str(stdout, n->netns);
	printf(", \"present\": %s, \"supervisor\": %d, \"state\": ",
	       n->present ? "true" : "false", n->supervisor);
	json_str(stdout, nlab_node_state_name(n->state));
	if (n->state == NLAB_NODE_STOPPED) {
		printf(", \"stop\": {\"signal\": %d, \"from\": ",
		       n->run.stop_signal);
		json_str(stdout, nlab_stop_from_name(n->run.stop_from));
		printf(", \"requested\": %s}",
		       n->stop_requested ? "true" : "false");
	}
	printf(", \"run\": ");
	run_json(&n->run);
	printf(", \"processes\": %zu", n->processes);
	printf(", \"interfaces\": [");
	for (size_t i = 0; i < n->decl->n_ifaces; i++) {
		const struct nlab_if_status *f = &n->ifs[i];

		printf("%s{\"name\": ", i ? ", " : "");
		json_str(stdout, f->decl->name);
		printf(", \"segment\": ");
		json_str(stdout, f->decl->segment->name);
		if (f->decl->segment->label) {
			printf(", \"segment_label\": ");
			json_str(stdout, f->decl->segment->label);
		}
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
		impair_json(&f->impair);
		printf("}");
	}
	printf("]}");
}

static int show_lab(struct cli *cli, const char *lab, bool json)
{
	struct nlab_lab_status st;
	struct nlab_err e = { 0 };
	int r = nlab_status_read(lab, true, &st, &e);

	if (r < 0) {
		if (st.topo)
			nlab_status_free(&st);
		return cli_fail(cli, &e);
	}
	if (r == 1) {
		nlab_err_no_lab(&e, lab);
		return cli_fail(cli, &e);
	}
	if (json) {
		printf("{\"lab\": ");
		json_str(stdout, lab);
		printf(", \"state\": ");
		json_str(stdout, st.state);
		printf(", \"degraded\": ");
		degraded_json(&st);
		printf(", \"stopped\": ");
		stopped_json(&st);
		printf(", \"namespaces\": {\"present\": %zu, \"total\": %zu}",
		       st.netns_present, st.netns_total);
		printf(", \"nodes\": [");
		for (size_t n = 0; n < st.topo->n_nodes; n++) {
			printf("%s", n ? ", " : "");
			node_json(&st.nodes[n]);
		}
		printf("]}\n");
	} else {
		printf("lab %s: ", lab);
		state_text(&st);
		printf(", %zu/%zu namespaces\n", st.netns_present,
		       st.netns_total);
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
	if (!rc && nlab_multi_exists(name)) {
		/* A lab over several hosts: each host's part, in turn. */
		char *args[] = { "status", name, NULL };
		struct nlab_err e = { 0 };

		if (json)
			return cli_usage(cli, "--json: not yet for a lab over "
					      "several hosts");
		rc = nlab_multi_each(name, NULL, true, args, &e);
		return rc < 0 ? cli_fail(cli, &e) : rc ? EXIT_FAIL : EXIT_OK;
	}
	return rc ? rc : show_lab(cli, name, json);
}
