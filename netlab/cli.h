/* SPDX-License-Identifier: MIT */
/* The command table and what every command shares. */
#ifndef NETLAB_CLI_H
#define NETLAB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netlab.h"

/* Exit statuses (SPEC §5). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,	   /* runtime failure */
	EXIT_USAGE = 2,	   /* usage or topology error */
	EXIT_SIGINT = 130, /* `up` interrupted by SIGINT, after rollback */
};

struct cli {
	int verbose; /* -v: +1, -q: -1 */
	const char *cmd;
};

struct command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv); /* argv[0] = name */
	const char *args;    /* usage after the command name */
	const char *summary; /* one line for `netlab --help` */
	const char *help;    /* extra text for `netlab CMD --help`, or NULL */
};

extern const struct command commands[];

/* Printing: every message of a command goes through these. */
void cli_error(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cli_fail(const struct cli *cli, const struct nlab_err *e);
int cli_usage(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print every topology error and the count; returns EXIT_USAGE. */
int cli_diag(const struct cli *cli, struct nlab_diag *d);
/* What an imported lab (a Kathará lab) did not get, one line each, unless
 * -q. */
void cli_notes(const struct cli *cli, const struct nlab_topology *t);
/* Exit 1 with one line unless running as root. */
int cli_need_root(const struct cli *cli);
/* True when argv holds --help or -h before any "--". */
bool cli_wants_help(int argc, char **argv);
int cli_help(const struct command *c);
/* `netlab --help`: the usage and the list of commands. */
void cli_usage_print(FILE *f);
/* netlab.ini(5) as plain text, generated from the man page by make. */
extern const char nlab_topology_help[];
/* The operand of a command that takes exactly one (`check FILE`): a
 * leading "--" is skipped; an option, none or more than one is a usage
 * error naming @what.  Returns 0 with *arg set, or the exit status. */
int cli_one_arg(const struct cli *cli, int argc, char **argv, const char *what,
		const char **arg);

/* The same for `up`, `check` and `graph`, which also take --name NAME
 * (the lab's name instead of the file's; *name is NULL without it).  A
 * NAME that is no valid lab name is a usage error. */
int cli_file_args(const struct cli *cli, int argc, char **argv,
		  const char *what, const char **arg, const char **name);

/* Take every @flag (an option without a value) before a "--" out of argv;
 * whether there was one. */
bool cli_flag_arg(int *argc, char **argv, const char *flag);

/* Take --wait[=TIMEOUT] (or --wait TIMEOUT, when TIMEOUT is a duration
 * and no file) out of argv: *wait says whether it was given, *ms is its
 * TIMEOUT or the default (NLAB_READY_DEFAULT_MS).  Returns 0, or the
 * exit status of a usage error. */
int cli_wait_arg(const struct cli *cli, int *argc, char **argv, bool *wait,
		 uint64_t *ms);
struct nlab_ready;
/* On stderr: each node of @r that is not ready, with how its last try
 * ended and the end of its output. */
void cli_ready_failed(const struct cli *cli, const struct nlab_ready *r,
		      size_t n);

#define CMD(n) int cmd_##n(struct cli *cli, int argc, char **argv)
CMD(up);
CMD(down);
CMD(status);
CMD(exec);
CMD(ps);
CMD(log);
CMD(check);
CMD(graph);
CMD(link);
CMD(impair);
CMD(capture);
CMD(ping);
CMD(convert);
CMD(help);
CMD(test);
CMD(stop);
CMD(start);
CMD(restart);
CMD(apply);
#undef CMD

#endif
