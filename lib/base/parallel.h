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

#include <stddef.h>

/* Call @fn(@ctx, i) once for each i in [0, @n), from up to @threads
 * threads at once (the caller's among them), in no set order; returns
 * when all calls have.  Without threads (none could be made) the caller
 * makes every call.  @fn must be safe to run concurrently with itself. */
void nlab_parallel(size_t n, unsigned threads, void (*fn)(void *ctx, size_t i),
		   void *ctx);

/* The CPUs this process may run on (its affinity: a container's cpuset,
 * taskset), at least 1. */
unsigned nlab_cpus(void);

#endif
