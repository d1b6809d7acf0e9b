/* SPDX-License-Identifier: MIT */
/*
 * Test hooks: fault injection, pauses at phase boundaries, a deliberate
 * sanitizer error.  They exist only in a build with -DNLAB_TEST_HOOKS (the
 * test builds of `make test` and `make check-asan`); in a release build
 * every call below is an inline no-op and no NETLAB_TEST_* variable is
 * read.
 */
#ifndef NLAB_TESTHOOK_H
#define NLAB_TESTHOOK_H

#include "base/err.h"

#ifdef NLAB_TEST_HOOKS

/* NETLAB_TEST_FAIL=STEP[:N]: the N-th (default first) time this process
 * reaches STEP, fail with "test fault injected at STEP:N".  Steps: state
 * netns lo bridge veth addr route qdisc sysctl hosts nodes. */
int nlab_fault(const char *step, struct nlab_err *e);

/* The same for a step taken once in each of several processes (the
 * supervisors): fails where @nth (1-based, the node's index + 1) is N. */
int nlab_fault_nth(const char *step, unsigned nth, struct nlab_err *e);

/* NETLAB_TEST_PAUSE=PHASE[:N]: the N-th (default first) time this process
 * reaches PHASE, print "netlab: test pause at PHASE:N pid PID" on stderr
 * and stop itself (SIGSTOP) until it is continued or killed.  Returns 0,
 * so that it chains with ||. */
int nlab_pause(const char *phase);

/* NETLAB_TEST_STALL=STEP:N: the process that reaches STEP as the
 * @nth (1-based) of several (the supervisors: the node's index + 1) hangs
 * there for good, as a stuck process would, until it is killed.  Steps:
 * ready (a supervisor, before it reports ready). */
void nlab_stall_nth(const char *step, unsigned nth);

/* NETLAB_TEST_STALL_MS=MS: how long `up` waits for the nodes' start to
 * make progress, instead of @dflt. */
unsigned nlab_test_stall_ms(unsigned dflt);

/* NETLAB_TEST_PCAP=SONAME: the one libpcap `capture` tries to load
 * (lib/run/pcapdl.c reads it). */

/* NETLAB_TEST_ASAN=1: read past a heap block, for proving that a
 * sanitizer report on a failure path fails the test run. */
void nlab_test_sanitizer(void);

/* In a sanitized build, with NETLAB_TEST_SANITIZER_LOG=PREFIX: reports of
 * this process go to PREFIX.LAB.NODE.PID.  For the supervisors, which are
 * all PID 1 and would otherwise overwrite each other's PREFIX.1.  Call it
 * before closing inherited descriptors. */
void nlab_test_sanitizer_log(const char *lab, const char *node);

#else

static inline int nlab_fault(const char *step, struct nlab_err *e)
{
	(void)step;
	(void)e;
	return 0;
}

static inline int nlab_fault_nth(const char *step, unsigned nth,
				 struct nlab_err *e)
{
	(void)step;
	(void)nth;
	(void)e;
	return 0;
}

static inline int nlab_pause(const char *phase)
{
	(void)phase;
	return 0;
}

static inline void nlab_stall_nth(const char *step, unsigned nth)
{
	(void)step;
	(void)nth;
}

static inline unsigned nlab_test_stall_ms(unsigned dflt)
{
	return dflt;
}

static inline void nlab_test_sanitizer(void)
{
}

static inline void nlab_test_sanitizer_log(const char *lab, const char *node)
{
	(void)lab;
	(void)node;
}

#endif
#endif
