// SPDX-License-Identifier: MIT
/* netlab: argument parsing and dispatch.  One file per command beside this
 * one; each is a thin layer over libnetlab. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef NETLAB_VERSION
#define NETLAB_VERSION "0.1"
#endif

const struct command commands[] = {
	{ "up", cmd_up,
	  "[--name NAME] [--wait[=TIMEOUT]] [--timings] [--spread] [--dry-run] "
	  "FILE",
	  "build the lab described by FILE (all or nothing)",
	  "On any failure, or SIGINT/SIGTERM/SIGHUP, everything made so far "
	  "is\n"
	  "removed and the cause printed.  Exit 130 after a SIGINT.\n"
	  "--name NAME: the lab's name instead of the file's ([lab] name or "
	  "its\n"
	  "base name), so that one file makes several labs side by side; "
	  "later\n"
	  "commands then take NAME.  A lab of that name already up is an "
	  "error.\n"
	  "FILE may be a Kathara lab: its directory, or its lab.conf (see "
	  "convert).\n"
	  "A node's run that exits non-zero or is killed within 1 s gets a\n"
	  "warning on stderr with the end of its log; up still exits 0.\n"
	  "--wait: once up, run each node's `ready` command inside it, all "
	  "nodes at\n"
	  "once, every 0.5 s until it exits 0; return when all are ready.  "
	  "After\n"
	  "TIMEOUT (default 60 s; 90, 30s, 500ms, 2m) exit 1 naming the "
	  "nodes\n"
	  "that are not, with the end of their last output; the lab stays "
	  "up.\n"
	  "--timings (or netlab -v up): once up, print on stderr how long "
	  "each\n"
	  "phase took (preflight, state, namespaces, bridges, links, "
	  "addresses,\n"
	  "qdiscs, sysctls, hosts, nodes, run watch) and the total.\n"
	  "--spread: in a lab over several hosts, place the nodes without\n"
	  "host = (balanced counts, few segments across hosts; pinned nodes\n"
	  "stay), print the placement, then bring the lab up so.  --dry-run:\n"
	  "print the placement only." },
	{ "down", cmd_down, "[--grace SECONDS] [--timings] LAB|FILE | --all",
	  "remove a lab and every trace of it",
	  "Works from the lab's own record, also after a crash of `up`.\n"
	  "Removing a lab that does not exist is not an error (exit 0; "
	  "stderr\n"
	  "names the labs there are).  --all removes every lab under "
	  "/run/netlab\n"
	  "without asking, printing each; exit 1 if one could not be removed.\n"
	  "Node processes get SIGTERM, then SIGKILL after the grace period\n"
	  "(default 5 s).\n"
	  "--timings (or netlab -v down): print on stderr how long each "
	  "phase took\n"
	  "(record, files, processes, namespaces, state) and the total." },
	{ "status", cmd_status, "[LAB|FILE] [--json]",
	  "list labs, or show one lab's nodes and interfaces",
	  "A lab is up, degraded (each node or switch that is not whole is\n"
	  "named: supervisor dead, stopped, netns gone) or incomplete (`up`\n"
	  "is running or was killed).  --json: typed fields, in the shape of\n"
	  "docs/status.schema.json.\n"
	  "Each node shows its run and how many processes live in it besides\n"
	  "its supervisor: `run: exited 0, 4 processes` is a forking init\n"
	  "script that left its daemons running, `0 processes` a dead node." },
	{ "apply", cmd_apply, "[--dry-run] [--name NAME] FILE",
	  "change a running lab to what its edited FILE says",
	  "Only what changed is touched: addresses, routes, sysctls and\n"
	  "forward, impairments and the hosts files change in place; a node\n"
	  "whose run, bind, tmpfs, env, log_max, files or shared changed is "
	  "restarted, the\n"
	  "others keep their processes.  Prints one line per change, "
	  "grouped by\n"
	  "node.  All or nothing: on a failure or SIGINT/SIGTERM/SIGHUP "
	  "what was\n"
	  "done is undone.  Adding or removing nodes, interfaces or "
	  "switches,\n"
	  "moving an interface, MAC, MTU and switch settings are not made "
	  "in\n"
	  "place: apply then exits 1, listing them, and changes nothing.\n"
	  "--dry-run: print the plan only (exit 1 if it holds such changes)." },
	{ "stop", cmd_stop, "[--grace SECONDS] LAB|FILE NODE...",
	  "stop nodes: their processes end, their links go down",
	  "A stopped node keeps its netns, interfaces and settings; its\n"
	  "processes get SIGTERM, then SIGKILL after the grace period "
	  "(default\n"
	  "5 s), and its interfaces are set down, so that each peer loses "
	  "its\n"
	  "carrier (a powered-off box).  status shows it stopped; the lab "
	  "stays\n"
	  "up.  Stopping a stopped node is not an error." },
	{ "start", cmd_start, "LAB|FILE NODE...",
	  "start stopped (or dead) nodes again",
	  "Sets the node's interfaces up with the addresses and routes the\n"
	  "topology declares, then starts its supervisor and run anew.  "
	  "Starting\n"
	  "a running node is not an error (it is left alone).  All or "
	  "nothing:\n"
	  "if one node cannot start, the others are stopped again." },
	{ "restart", cmd_restart, "[--grace SECONDS] LAB|FILE NODE...",
	  "stop, then start nodes (new processes)",
	  "The other nodes keep their processes.  A node that could be "
	  "stopped\n"
	  "but not started again is left stopped, and the command fails." },
	{ "exec", cmd_exec, "LAB|FILE NODE [--] [CMD [ARG...]]",
	  "run a command (default: a shell) inside a node",
	  "CMD runs in the node's net, PID, mount and UTS namespaces with cwd "
	  "/\n"
	  "and NETLAB_LAB, NETLAB_NODE set.  Exit status: CMD's; 128+N if it\n"
	  "died of signal N; 127 if it was not found." },
	{ "ps", cmd_ps, "LAB|FILE NODE", "list a node's processes", NULL },
	{ "log", cmd_log, "LAB|FILE NODE [LOGFILE] [-f|--follow]",
	  "show the output of a node's run, or a file of its /var/log",
	  "The newest log_max bytes (default 4m) are kept; a first line\n"
	  "\"[netlab: N bytes of older output dropped]\" says when older ones\n"
	  "were.  -f, --follow: keep printing new output until the lab goes\n"
	  "down.\n"
	  "LOGFILE: a file of the node's own /var/log instead, where daemons\n"
	  "log (netlab log demo r1 frr/frr.log), read while the node runs.\n"
	  "It is relative, without '..'; no symbolic link under /var/log is\n"
	  "followed." },
	{ "check", cmd_check, "[--name NAME] [--spread] FILE",
	  "load and validate a topology; needs no privileges",
	  "--name NAME checks it under that lab name, as `up --name` would "
	  "build it.\n"
	  "--spread: place the nodes without host = as `up --spread` would, "
	  "and\nprint the placement.\n"
	  "Warns (exit still 0) when it asks for impairments this kernel "
	  "lacks.\n"
	  "FILE may be a Kathará lab: its directory, or its lab.conf; notes "
	  "say\nwhat of it is not applied." },
	{ "graph", cmd_graph, "[--name NAME] FILE|LAB",
	  "print the topology as Graphviz DOT",
	  "Routers (forward = yes) are drawn as boxes with a double outline, "
	  "other\n"
	  "nodes as boxes, switches as grey ellipses.\n"
	  "Example: netlab graph lab.ini | dot -Tsvg > lab.svg" },
	{ "link", cmd_link, "LAB|FILE NODE IFNAME up|down",
	  "cut or restore a cable at run time",
	  "down sets both ends down (for a switch member: the node's "
	  "interface\n"
	  "and its bridge port); up restores both, with the addresses and "
	  "routes\n"
	  "the topology declares for them." },
	{ "impair", cmd_impair, "LAB|FILE NODE IFNAME [OPTION=VALUE...|clear]",
	  "show or change an interface's impairments",
	  "With no option: print them in topology syntax, or 'none'.  Options\n"
	  "(rate delay jitter loss duplicate corrupt reorder) replace the "
	  "whole\n"
	  "set; 'clear' removes it.  A bad value exits 2, a missing netem "
	  "qdisc\n"
	  "exits 1; either way nothing changes.\n"
	  "Impairments act on what the interface sends (egress) only: to "
	  "slow\n"
	  "or spoil both directions of a cable, impair both of its ends." },
	{ "capture", cmd_capture,
	  "LAB|FILE NODE IFNAME [-w FILE] [-c COUNT] [FILTER...]",
	  "capture packets on a node's interface as pcap",
	  "FILTER is a BPF filter (as tcpdump's).  Without -w the pcap stream "
	  "goes\n"
	  "to stdout (messages to stderr): netlab capture demo r1 eth0 | "
	  "tcpdump -r -\n"
	  "Ends after COUNT packets, on SIGINT/SIGTERM (exit 0, file "
	  "complete), or\n"
	  "when the lab goes down.  NODE may be a switch, to capture on its "
	  "ports." },
	{ "ping", cmd_ping,
	  "LAB|FILE [-c|--count N] [-W|--timeout MS] [-4|-6] [--json]",
	  "reachability matrix between every pair of nodes",
	  "Pings every global address of every other node, in each family the\n"
	  "source has, concurrently.  A row is a source node, a column a "
	  "target;\n"
	  "each cell counts the target's addresses:\n"
	  "  .    every address answered every ping\n"
	  "  ~    every address answered, some pings were lost\n"
	  "  A/N  A of the N addresses answered (e.g. IPv4 but not IPv6)\n"
	  "  X    no address answered\n"
	  "  -    nothing to ping (no address family in common)\n"
	  "  ?    not pinged: a node's namespace is missing\n"
	  "  \\    the node itself\n"
	  "The last line gives the addresses that answered and the pings "
	  "lost.\n"
	  "Exit 0 only if every address answered." },
	{ "convert", cmd_convert, "[--name NAME] DIR|DIR/lab.conf",
	  "print a Kathará lab as a netlab topology",
	  "DIR is a Kathará lab: a lab.conf, DEVICE.startup scripts, DEVICE/\n"
	  "file trees.  `netlab up DIR` runs it as it is; convert prints the\n"
	  "topology that runs, with notes on what is not applied and why:\n"
	  "  netlab convert labs/rip > rip.ini && netlab up rip.ini\n"
	  "Its paths name the lab's files through DIR as given: keep the\n"
	  "output in the current directory.  --name NAME: the lab's name\n"
	  "instead of LAB_NAME or the directory's.  Needs no privileges." },
	{ "help", cmd_help, "[COMMAND|topology]",
	  "show a command's usage, or the topology reference",
	  "netlab help topology prints netlab.ini(5), the topology format." },
	{ "test", cmd_test,
	  "[--up] [--wait[=T]] [--name NAME] [--tap] [--junit FILE] LAB|FILE "
	  "[TEST...]",
	  "run the lab's [test NAME] sections and report each check",
	  "Runs every test (or those named) against the running lab, each "
	  "step\n"
	  "top to bottom, and prints one line per check with the time it "
	  "took to\n"
	  "hold (from the test's start, or its latest wait or do), then a "
	  "summary.\n"
	  "With a FILE, its tests run against the lab it names, so tests can "
	  "be\n"
	  "edited while the lab runs.\n"
	  "--up: bring FILE's lab up, wait for ready, test, take it down "
	  "(for CI).\n"
	  "--wait[=T]: first wait for every node's ready (default 60 s; "
	  "implied\n"
	  "by --up).  --tap: TAP version 13 on stdout.  --junit FILE: also "
	  "write\n"
	  "JUnit XML (testsuites/testsuite/testcase) to FILE.\n"
	  "Exit 0 only if every check held; 1 otherwise; 2 for a usage or\n"
	  "topology error." },
	{ NULL, NULL, NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: netlab [-v|-q] COMMAND [ARGS...]\n"
		   "       netlab --help | --version | COMMAND --help\n\n"
		   "commands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
}

void cli_usage_print(FILE *f)
{
	usage(f);
}

int cli_help(const struct command *c)
{
	printf("usage: netlab %s %s\n\n%s.\n", c->name, c->args, c->summary);
	if (c->help)
		printf("\n%s\n", c->help);
	return EXIT_OK;
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

/* One whole line: `down` warns from two threads (the files beside the
 * processes). */
static void verror(const struct cli *cli, const char *fmt, va_list ap)
{
	flockfile(stderr);
	fprintf(stderr, "netlab: %s: ", cli->cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void cli_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(cli, fmt, ap);
	va_end(ap);
}

int cli_fail(const struct cli *cli, const struct nlab_err *e)
{
	cli_error(cli, "%s", e->msg);
	return EXIT_FAIL;
}

int cli_usage(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(cli, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'netlab %s --help'.\n", cli->cmd);
	return EXIT_USAGE;
}

int cli_diag(const struct cli *cli, struct nlab_diag *d)
{
	(void)cli;
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", d->lines[i]);
	if (d->total > d->n)
		fprintf(stderr, "... and %zu more\n", d->total - d->n);
	fprintf(stderr, "%zu error%s\n", d->total, d->total == 1 ? "" : "s");
	return EXIT_USAGE;
}

void cli_notes(const struct cli *cli, const struct nlab_topology *t)
{
	if (cli->verbose < 0)
		return;
	for (size_t i = 0; i < t->n_notes; i++)
		cli_error(cli, "note: %s", t->notes[i]);
}

int cli_need_root(const struct cli *cli)
{
	if (geteuid() == 0)
		return 0;
	cli_error(cli, "must be run as root");
	return EXIT_FAIL;
}

int main(int argc, char **argv)
{
	struct cli cli = { .verbose = 0, .cmd = "netlab" };
	int i = 1;

	/* `up`'s launcher: netlab executed anew by itself (lab/node.h). */
	if (argc > 0 && !strcmp(argv[0], NLAB_LAUNCHER_ARGV0))
		return nlab_launcher_main(argc, argv);
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--version")) {
			printf("netlab %s\n", NETLAB_VERSION);
			return EXIT_OK;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			cli.verbose++;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			cli.verbose--;
		} else {
			fprintf(stderr, "netlab: unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(c->name, argv[i]))
			continue;
		cli.cmd = c->name;
		if (cli_wants_help(argc - i, argv + i))
			return cli_help(c);
		return c->run(&cli, argc - i, argv + i);
	}
	fprintf(stderr, "netlab: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return EXIT_USAGE;
}
