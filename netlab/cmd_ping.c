// SPDX-License-Identifier: MIT
/* netlab ping LAB|FILE [-c|--count N] [-W|--timeout MS] [-4|-6] [--json] */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "json.h"
#include "netlab.h"
#include "labarg.h"

#define INTERVAL_MS 100

struct tally {
	size_t addrs, reachable;
	unsigned long sent, received;
};

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v;

	if (!s || nlab_parse_uint(s, max, &v) || v < min)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static void addr_str(const struct nlab_ping_probe *p, char *buf, size_t len)
{
	inet_ntop(p->family, p->addr, buf, len);
}

static struct tally count_up(const struct nlab_ping_probe *p, size_t n)
{
	struct tally t = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (p[i].skipped)
			continue;
		t.addrs++;
		t.sent += p[i].sent;
		t.received += p[i].received;
		t.reachable += p[i].received > 0;
	}
	return t;
}

static void print_matrix(const struct cli *cli, const struct nlab_topology *t,
			 const struct nlab_ping_probe *p, size_t n,
			 const bool *missing, size_t n_missing)
{
	size_t nn = t->n_nodes, w0 = 0;
	cleanup_free struct nlab_ping_cell *cells =
		xcalloc(nn * nn + 1, sizeof(*cells));
	cleanup_free int *w = xcalloc(nn + 1, sizeof(*w));
	struct tally all = count_up(p, n);
	char buf[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < n; i++) {
		struct nlab_ping_cell *c = &cells[(p[i].from - t->nodes) * nn +
						  (p[i].to - t->nodes)];

		if (p[i].skipped) {
			c->skipped++;
			continue;
		}
		c->sent += p[i].sent;
		c->received += p[i].received;
		c->addrs++;
		c->answered += p[i].received > 0;
	}
	for (size_t i = 0; i < nn; i++) {
		size_t len = strlen(t->nodes[i].name);

		w0 = len > w0 ? len : w0;
		w[i] = len > 3 ? (int)len : 3;
	}
	/* Left-aligned columns, no trailing blanks: `awk '$1 == "a"'`
	 * finds a row and $(j + 2) its j-th cell. */
	printf("%-*s", (int)w0, "");
	for (size_t j = 0; j < nn; j++)
		printf(" %-*s", j + 1 < nn ? w[j] : 0, t->nodes[j].name);
	putchar('\n');
	for (size_t i = 0; i < nn; i++) {
		printf("%-*s", (int)w0, t->nodes[i].name);
		for (size_t j = 0; j < nn; j++) {
			nlab_ping_cell_str(&cells[i * nn + j], i == j, buf,
					   sizeof(buf));
			printf(" %-*s", j + 1 < nn ? w[j] : 0, buf);
		}
		putchar('\n');
	}
	for (size_t i = 0; i < nn; i++)
		if (missing[i])
			printf("node %s of lab %s is missing (its netns "
			       "%s.%s was removed): not pinged\n",
			       t->nodes[i].name, t->name, t->name,
			       t->nodes[i].name);
	if (cli->verbose > 0)
		for (size_t i = 0; i < n; i++) {
			if (p[i].skipped || p[i].received >= p[i].sent)
				continue;
			addr_str(&p[i], buf, sizeof(buf));
			printf("%s -> %s %s: %u/%u answered\n", p[i].from->name,
			       p[i].to->name, buf, p[i].received, p[i].sent);
		}
	printf("%zu/%zu addresses reachable, %u%% loss", all.reachable,
	       all.addrs, nlab_ping_loss_pct(all.sent, all.received));
	if (n_missing)
		printf(", %zu node%s missing", n_missing,
		       n_missing == 1 ? "" : "s");
	putchar('\n');
}

static void print_json(const struct nlab_topology *t,
		       const struct nlab_ping_probe *p, size_t n,
		       unsigned count, const bool *missing, size_t n_missing)
{
	struct tally all = count_up(p, n);
	char buf[INET6_ADDRSTRLEN];
	bool first = true;

	printf("{\"lab\": ");
	json_str(stdout, t->name);
	printf(", \"count\": %u, \"nodes\": [", count);
	for (size_t i = 0; i < t->n_nodes; i++) {
		printf("%s{\"name\": ", i ? ", " : "");
		json_str(stdout, t->nodes[i].name);
		printf(", \"missing\": %s}", missing[i] ? "true" : "false");
	}
	printf("],\n \"results\": [");
	for (size_t i = 0; i < n; i++) {
		if (p[i].skipped)
			continue;
		addr_str(&p[i], buf, sizeof(buf));
		printf("%s\n  {\"from\": ", first ? "" : ",");
		first = false;
		json_str(stdout, p[i].from->name);
		printf(", \"to\": ");
		json_str(stdout, p[i].to->name);
		printf(", \"family\": %d, \"address\": ",
		       p[i].family == AF_INET ? 4 : 6);
		json_str(stdout, buf);
		printf(", \"sent\": %u, \"received\": %u}", p[i].sent,
		       p[i].received);
	}
	printf("],\n \"addresses\": %zu, \"reachable\": %zu, \"sent\": %lu, "
	       "\"received\": %lu, \"loss\": %u, \"ok\": %s}\n",
	       all.addrs, all.reachable, all.sent, all.received,
	       nlab_ping_loss_pct(all.sent, all.received),
	       all.reachable == all.addrs && !n_missing ? "true" : "false");
}

/*
 * A lab over several hosts.  On each host (the internal --part): the
 * whole lab's probes from this host's nodes, one line each, "FROM TO
 * ADDRESS SENT RECEIVED".  On the coordinator: those lines from every
 * host, filled into the whole lab's probes, for the usual matrix.
 */
static void print_lines(const struct nlab_ping_probe *p, size_t n)
{
	char buf[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < n; i++) {
		if (p[i].skipped)
			continue;
		addr_str(&p[i], buf, sizeof(buf));
		printf("%s %s %s %u %u\n", p[i].from->name, p[i].to->name, buf,
		       p[i].sent, p[i].received);
	}
}

struct fill {
	struct nlab_ping_probe *p;
	size_t n;
};

static void fill_line(void *data, char *text)
{
	struct fill *f = data;
	char from[64], to[64], addr[64];
	uint8_t a[16];
	unsigned sent, recv;

	if (sscanf(text, "%63s %63s %63s %u %u", from, to, addr, &sent,
		   &recv) != 5)
		return;
	memset(a, 0, sizeof(a));
	if (inet_pton(strchr(addr, ':') ? AF_INET6 : AF_INET, addr, a) != 1)
		return;
	for (size_t i = 0; i < f->n; i++) {
		struct nlab_ping_probe *q = &f->p[i];

		if (strcmp(q->from->name, from) || strcmp(q->to->name, to) ||
		    memcmp(q->addr, a, q->family == AF_INET ? 4 : 16))
			continue;
		q->sent = sent;
		q->received = recv;
	}
}

static int ping_hosts(const char *lab, const struct nlab_ping_opts *o,
		      struct nlab_ping_probe *p, size_t n, struct nlab_err *e)
{
	char count[16], timeout[16];
	char *args[] = { "ping",
			 "--part",
			 "-c",
			 count,
			 "-W",
			 timeout,
			 o->family == AF_INET6 ? "-6" : "-4",
			 (char *)lab,
			 NULL };
	struct fill f = { p, n };

	snprintf(count, sizeof(count), "%u", o->count);
	snprintf(timeout, sizeof(timeout), "%u", o->timeout_ms);
	if (!o->family) { /* both: drop the -4 */
		args[6] = (char *)lab;
		args[7] = NULL;
	}
	/* What no host reports (a host or node gone) counts as lost. */
	for (size_t i = 0; i < n; i++) {
		p[i].sent = o->count;
		p[i].received = 0;
	}
	return nlab_multi_collect(lab, args, fill_line, &f, e) < 0 ? -1 : 0;
}

int cmd_ping(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 'W' },
		{ "json", no_argument, NULL, 'j' },
		{ "part", no_argument, NULL, 'p' }, /* internal: multihost */
		{ NULL, 0, NULL, 0 },
	};
	struct nlab_ping_opts o = {
		.count = 3,
		.interval_ms = INTERVAL_MS,
		.timeout_ms = 1000,
	};
	struct nlab_topology *t = NULL;
	cleanup_free struct nlab_ping_probe *p = NULL;
	cleanup_free bool *missing = NULL;
	struct nlab_err e = { 0 };
	bool json = false, part = false, multi;
	const struct nlab_host *me = NULL;
	char lab[NLAB_NAME_MAX + 1];
	size_t n, n_missing;
	int c, ret;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:W:46", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (parse_uint(optarg, 1, 10000, &o.count))
				return cli_usage(cli,
						 "count must be 1..10000, "
						 "not '%s'",
						 optarg);
			break;
		case 'W':
			if (parse_uint(optarg, 1, 600000, &o.timeout_ms))
				return cli_usage(cli,
						 "timeout must be "
						 "1..600000 ms, not '%s'",
						 optarg);
			break;
		case '4':
		case '6':
			if (o.family)
				return cli_usage(cli, "-4 and -6 exclude each "
						      "other");
			o.family = c == '4' ? AF_INET : AF_INET6;
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			part = true;
			break;
		case ':':
			return cli_usage(cli, "option '%s' needs a value",
					 argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage(cli, "unknown option '-%c'",
						 optopt);
			return cli_usage(cli, "unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage(cli, "expected one LAB");
	ret = cli_lab_arg(cli, argv[optind], lab, sizeof(lab));
	if (ret)
		return ret;
	if (cli_need_root(cli))
		return EXIT_FAIL;
	multi = !part && nlab_multi_exists(lab);
	if (multi  ? nlab_multi_topology(lab, &t, &e)
	    : part ? nlab_multi_whole(lab, &t, &me, &e) != 0
		   : nlab_lab_topology(lab, &t, &e)) {
		if (!e.msg[0])
			nlab_err_set(&e, 0,
				     "lab %s is no part of a lab over "
				     "several hosts here",
				     lab);
		return cli_fail(cli, &e);
	}
	nlab_ping_plan(t, o.family, &p, &n);
	/* A node whose netns was removed behind netlab's back is left out
	 * and reported; the others are pinged all the same. */
	missing = xcalloc(t->n_nodes + 1, sizeof(*missing));
	n_missing = 0;
	if (part)
		nlab_ping_only_from(lab, t, me, p, n, missing);
	else if (!multi)
		n_missing = nlab_ping_missing(lab, t, p, n, missing);
	if (multi ? ping_hosts(lab, &o, p, n, &e)
		  : nlab_ping_run(lab, p, n, &o, &e)) {
		ret = cli_fail(cli, &e);
	} else {
		struct tally all = count_up(p, n);

		if (part)
			print_lines(p, n);
		else if (json)
			print_json(t, p, n, o.count, missing, n_missing);
		else
			print_matrix(cli, t, p, n, missing, n_missing);
		ret = all.reachable == all.addrs && !n_missing ? EXIT_OK
							       : EXIT_FAIL;
	}
	nlab_topology_free(t);
	return ret;
}
