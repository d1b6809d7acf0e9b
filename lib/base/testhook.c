// SPDX-License-Identifier: MIT
/* Test hooks (see testhook.h); compiled to nothing in a release build. */
#include "base/testhook.h"

#ifdef NLAB_TEST_HOOKS

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define NLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NLAB_ASAN 1
#endif
#endif
#ifdef NLAB_ASAN
#include <limits.h>
#include <sanitizer/common_interface_defs.h>
#endif

/* Does @env ("STEP[:N]", may be NULL) name @step?  Then *want is N. */
static bool names(const char *env, const char *step, unsigned *want)
{
	size_t len;

	if (!env)
		return false;
	len = strcspn(env, ":");
	if (strlen(step) != len || strncmp(env, step, len))
		return false;
	*want = env[len] == ':' ? (unsigned)atoi(env + len + 1) : 1;
	return true;
}

int nlab_fault_nth(const char *step, unsigned nth, struct nlab_err *e)
{
	unsigned want;

	if (!names(getenv("NETLAB_TEST_FAIL"), step, &want) || nth != want)
		return 0;
	return nlab_err_set(e, EIO, "test fault injected at %s:%u", step, want);
}

int nlab_fault(const char *step, struct nlab_err *e)
{
	/* The variable names one step: one count per process is enough. */
	static unsigned seen;
	unsigned want;

	if (!names(getenv("NETLAB_TEST_FAIL"), step, &want))
		return 0;
	return nlab_fault_nth(step, ++seen, e);
}

int nlab_pause(const char *phase)
{
	static unsigned seen;
	unsigned want;

	if (!names(getenv("NETLAB_TEST_PAUSE"), phase, &want) || ++seen != want)
		return 0;
	fprintf(stderr, "netlab: test pause at %s:%u pid %d\n", phase, want,
		(int)getpid());
	fflush(stderr);
	raise(SIGSTOP);
	return 0;
}

void nlab_stall_nth(const char *step, unsigned nth)
{
	unsigned want;

	if (!names(getenv("NETLAB_TEST_STALL"), step, &want) || nth != want)
		return;
	/* Not SIGSTOP: a PID namespace's init ignores its own. */
	for (;;)
		pause();
}

unsigned nlab_test_stall_ms(unsigned dflt)
{
	const char *v = getenv("NETLAB_TEST_STALL_MS");

	return v && atoi(v) > 0 ? (unsigned)atoi(v) : dflt;
}

void nlab_test_sanitizer(void)
{
	const char *env = getenv("NETLAB_TEST_ASAN");
	size_t n = env ? strlen(env) : 0;
	char *volatile p;

	if (!n)
		return;
	/* One byte past the block: within malloc's slack, so harmless
	 * unless AddressSanitizer watches. */
	p = malloc(n);
	if (!p)
		return;
	memcpy(p, env, n);
	if (p[n] == 'x')
		fputs("netlab: test sanitizer hook\n", stderr);
	free(p);
}

void nlab_test_sanitizer_log(const char *lab, const char *node)
{
#ifdef NLAB_ASAN
	const char *prefix = getenv("NETLAB_TEST_SANITIZER_LOG");
	char path[PATH_MAX];

	if (!prefix)
		return;
	snprintf(path, sizeof(path), "%s.%s.%s", prefix, lab, node);
	__sanitizer_set_report_path(path);
#else
	(void)lab;
	(void)node;
#endif
}

#endif
