/* SPDX-License-Identifier: MIT */
/* `netlab test`'s reports: text or TAP on stdout as the steps end, and
 * JUnit XML written at the end. */
#ifndef NETLAB_TESTOUT_H
#define NETLAB_TESTOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netlab.h"

enum tout_kind {
	TOUT_CHECK, /* reach, unreach, route, exec */
	TOUT_STEP,  /* a do, or its undo */
	TOUT_READY, /* a node's readiness */
};

/* One line of the report. */
struct tout_row {
	char *suite; /* the test's name, or the readiness suite's */
	char *name;  /* "reach h1 h3", "undo link r1 eth0 up", "r1" */
	int line;    /* of the step, or 0 */
	enum tout_kind kind;
	enum nlab_outcome outcome;
	uint64_t ms;
	char *detail; /* lines, or NULL */
};

struct tout_suite {
	char *name;
	uint64_t start, end;
};

struct tout {
	bool tap;
	const char *lab;
	struct tout_row *rows;
	size_t n, cap;
	struct tout_suite *suites; /* in the order they ran */
	size_t n_suites, cap_suites;
	size_t tests; /* [test] suites among them */
	uint64_t start;
};

/* Start the clock, and the TAP stream. */
void tout_begin(struct tout *o);
/* A new suite, whose rows follow: a test (@line its section's), or
 * (@line 0) the nodes' readiness, shown under @heading. */
void tout_suite(struct tout *o, const char *name, int line,
		const char *heading);
/* A row of the current suite ends: printed now, kept for the summary
 * and for JUnit. */
void tout_row(struct tout *o, const char *name, int line, enum tout_kind kind,
	      enum nlab_outcome outcome, uint64_t ms, const char *detail);
/* A line of information ("# ..." in TAP). */
void tout_note(struct tout *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The closing lines (the TAP plan, the summary); returns the rows that
 * failed. */
size_t tout_finish(struct tout *o);
/* Every row as JUnit XML.  Returns 0, or -1 with errno. */
int tout_junit(const struct tout *o, FILE *f);
void tout_free(struct tout *o);

#endif
