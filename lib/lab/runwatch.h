/* SPDX-License-Identifier: MIT */
/*
 * A `run` that fails at once: `up` does not fail for it (SPEC: a `run`
 * that exits, even with an error, does not fail `up`), but it says so,
 * since a router whose daemon died on its configuration is better known
 * now than found by a ping later.
 */
#ifndef NLAB_RUNWATCH_H
#define NLAB_RUNWATCH_H

#include <signal.h>

#include "lab/runstate.h"
#include "topology/topology.h"

typedef void (*nlab_run_failed_fn)(void *data, const struct nlab_node *n,
				   const struct nlab_run *r);

/*
 * Watch the `run` of every node of running lab @t for @ms: one wait for
 * the whole lab, which ends early once every `run` has ended, and does
 * not happen at all when no node has a `run`.  Then @fn is called, in the
 * topology's order, for each node whose `run` exited non-zero or was
 * killed meanwhile.  *@stop set (by a signal) ends the wait early.
 * Changes of NODE.run are seen through inotify on the lab's state
 * directory (polled every 50 ms where inotify is not to be had), so a big
 * lab costs one read of each NODE.run and one per change.
 */
void nlab_run_watch(const struct nlab_topology *t, unsigned ms,
		    volatile sig_atomic_t *stop, nlab_run_failed_fn fn,
		    void *data);

#endif
