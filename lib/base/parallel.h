/* SPDX-License-Identifier: MIT */
/*
 * Run independent calls side by side, for system calls that mostly wait:
 * an unmount waits for an RCU grace period, which concurrent unmounts
 * share, so that a thousand take about as long as a few.  For work that
 * keeps a CPU busy (ping's sends, which forward each packet through the
 * lab on the sender's CPU), ask for no more threads than there are CPUs.
 */
#ifndef NLAB_PARALLEL_H
#define NLAB_PARALLEL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Call @fn(@ctx, i) once for each i in [0, @n), from up to @threads
 * threads at once (the caller's among them), in no set order; returns
 * when all calls have.  Without threads (none could be made) the caller
 * makes every call.  @fn must be safe to run concurrently with itself. */
void nlab_parallel(size_t n, unsigned threads, void (*fn)(void *ctx, size_t i),
		   void *ctx);

/* The CPUs this process may run on (its affinity: a container's cpuset,
 * taskset), at least 1. */
unsigned nlab_cpus(void);

/*
 * One call run beside the caller's own work, on a thread of its own, for
 * work that waits on something else than the caller's (files on a disk
 * while the caller talks netlink): started, looked at, waited for.  The
 * thread takes no signal (they reach the caller) and starts in the
 * caller's namespaces of the moment.
 */
struct nlab_bg {
	int (*fn)(void *ctx, struct nlab_err *e);
	void *ctx;
	pthread_t tid;
	bool started;	    /* a thread runs @fn (else it ran already) */
	atomic_bool failed; /* @fn has returned non-zero */
	int ret;
	struct nlab_err err;
};

/* Start @fn(@ctx, e) in @bg; without a thread (none could be made) it is
 * called here, before this returns. */
void nlab_bg_start(struct nlab_bg *bg, int (*fn)(void *ctx, struct nlab_err *e),
		   void *ctx);

/* Has it failed already?  Never waits: the caller can stop early. */
bool nlab_bg_failed(struct nlab_bg *bg);

/* Wait for it: its return, with @e set (if not NULL) on failure.  Again
 * after the first, or for a @bg never started (zeroed), returns 0. */
int nlab_bg_wait(struct nlab_bg *bg, struct nlab_err *e);

#endif
