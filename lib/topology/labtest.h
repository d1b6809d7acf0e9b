/* SPDX-License-Identifier: MIT */
/*
 * A lab that checks itself: the [test NAME] sections of a topology and
 * running them against a running lab.
 *
 * A test is a list of steps, one per line of its section, in file order
 * (the one place where keys repeat; see iniscan.c):
 *
 *   reach   = A B ...              every listed node reaches every global
 *                                  address of the others (each family the
 *                                  source has an address of)
 *   unreach = A:X ...              A gets no answer from X: a node (any of
 *                                  its global addresses) or an address
 *   route   = NODE PREFIX [via GW] [dev IF]
 *                                  in the node's main routing table
 *   exec    = NODE COMMAND         exits 0 inside the node; an `expect =
 *                                  REGEX` right after it must match its
 *                                  output
 *   wait    = DURATION             the checks after it get that long to
 *                                  hold (polled), counted from here
 *   do      = link NODE IF up|down | impair NODE IF OPTION=VALUE...|clear
 *                                  a change to the lab between checks;
 *                                  undone when the test ends
 *
 * Loaded by load_test.c (load_*.c's errors: FILE:LINE: [test NAME] KEY:),
 * run by labtest_run.c.
 */
#ifndef NLAB_LABTEST_H
#define NLAB_LABTEST_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topology/topology.h"

/* How checks are polled (README, "Readiness and tests"). */
#define NLAB_POLL_NET_MS      200     /* reach (a ping round), route (a dump) */
#define NLAB_POLL_CMD_MS      500     /* exec, ready: a command each time */
#define NLAB_PROBE_WAIT_MS    1000    /* replies awaited after the last ping */
#define NLAB_CMD_MIN_MS	      10000   /* the least time a command is given */
#define NLAB_WAIT_MAX_MS      3600000 /* wait = and --wait: at most an hour */
#define NLAB_READY_DEFAULT_MS 60000   /* up --wait without a TIMEOUT */

enum nlab_step_kind {
	NLAB_STEP_REACH,
	NLAB_STEP_UNREACH,
	NLAB_STEP_ROUTE,
	NLAB_STEP_EXEC,
	NLAB_STEP_WAIT,
	NLAB_STEP_LINK,	  /* do = link */
	NLAB_STEP_IMPAIR, /* do = impair */
};

/* One A:X of an unreach step. */
struct nlab_unreach {
	const struct nlab_node *from;
	const struct nlab_node *to; /* NULL: an address */
	int family;		    /* of addr, when to is NULL */
	uint8_t addr[16];
};

struct nlab_step {
	enum nlab_step_kind kind;
	int line;
	char *text; /* "reach h1 h3": the line, for reports */
	/* route, exec, link, impair: the node it acts on */
	const struct nlab_node *node;
	/* reach */
	const struct nlab_node **nodes;
	size_t n_nodes;
	/* unreach */
	struct nlab_unreach *targets;
	size_t n_targets;
	/* route: dst.len 0 for a default route */
	struct nlab_prefix dst;
	int gw_family; /* 0: no via */
	uint8_t gw[16];
	char dev[NLAB_IFNAME_MAX + 1]; /* "" when not given */
	/* exec */
	char *cmd;
	char *expect; /* an extended regular expression, or NULL */
	int expect_line;
	/* wait */
	uint64_t wait_ms;
	/* link, impair */
	char ifname[NLAB_IFNAME_MAX + 1];
	bool up;
	struct nlab_impair impair;
};

struct nlab_test {
	char name[NLAB_NAME_MAX + 1];
	int line;
	struct nlab_step *steps; /* in file order */
	size_t n_steps;
};

/* reach, unreach, route, exec: a step that holds or not. */
static inline bool nlab_step_is_check(const struct nlab_step *s)
{
	return s->kind <= NLAB_STEP_EXEC;
}
/* do = link, do = impair. */
static inline bool nlab_step_is_do(const struct nlab_step *s)
{
	return s->kind >= NLAB_STEP_LINK;
}

void nlab_step_free(struct nlab_step *s);
void nlab_tests_free(struct nlab_test *tests, size_t n);

/* Not link-local (fe80::/10, 169.254.0.0/16): what reach pings. */
bool nlab_prefix_is_global(const struct nlab_prefix *p);
/* Has @n a global address of @family? */
bool nlab_node_has_global(const struct nlab_node *n, int family);

/* The test named @name in @t, or NULL. */
const struct nlab_test *nlab_topology_test(const struct nlab_topology *t,
					   const char *name);

/*
 * A duration: a number with an optional unit ms, s (the default) or m,
 * "1.5s", "500ms", "2m", "30".  Up to NLAB_WAIT_MAX_MS.  Returns 0, or -1
 * with what is wrong in @e.
 */
int nlab_parse_duration(const char *s, uint64_t *ms, struct nlab_err *e);

/* ---- running tests (labtest_run.c) ------------------------------------ */

enum nlab_outcome {
	NLAB_PASS,    /* a check held; a do (or its undo) was done */
	NLAB_FAIL,    /* a check did not hold in time; a do failed */
	NLAB_NOT_RUN, /* after a failed do, or when interrupted */
};

struct nlab_step_result {
	const struct nlab_step *step;
	bool undo; /* the undo of step, as the test ends */
	enum nlab_outcome outcome;
	/* A check: from the start of its phase (the test's start, or the
	 * latest `wait` or `do`) until it held, or until it was given up.
	 * A do: how long it took. */
	uint64_t ms;
	unsigned attempts;
	char *detail; /* for a failure: what was seen, lines; or NULL */
	char *done;   /* a do or undo: what it did, "link r1 eth0 up" */
};

struct nlab_test_opts {
	const char *lab;
	const char *dir; /* exec's working directory (the topology's) */
	volatile sig_atomic_t *stop; /* set to give up: the rest not run */
	/* Called for each step as it ends (wait steps are not reported),
	 * and for each undo. */
	void (*report)(void *data, const struct nlab_test *test,
		       const struct nlab_step_result *r);
	void *data;
};

/*
 * Run @test against the running lab @o->lab, whose topology is @t.  Every
 * check is reported, held or not; a `do` that fails ends the test (the
 * steps after it are reported as not run).  The `do` steps done are
 * undone in reverse order before it returns: a link set back to the
 * state it had, impairments put back.  Returns the number of steps that
 * failed (checks, do steps and undos).
 */
size_t nlab_test_run(const struct nlab_topology *t,
		     const struct nlab_test *test,
		     const struct nlab_test_opts *o);

#endif
