/* SPDX-License-Identifier: MIT */
/*
 * Readiness: a node's `ready = COMMAND`, run inside it until it exits 0
 * (`up --wait`, `test --up`).  Every node that has one is polled at the
 * same time, each NLAB_POLL_CMD_MS after its previous try ended; between
 * tries netlab sleeps in poll(), so waiting costs one short command per
 * node and interval.
 */
#ifndef NLAB_READY_H
#define NLAB_READY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lab/nodecmd.h"
#include "topology/topology.h"

struct nlab_ready {
	const struct nlab_node *node;
	bool ready;
	uint64_t ms;	   /* from the start until it was ready (or given up) */
	unsigned attempts; /* tries that ended */
	/* The last try that failed: what it printed and how it ended. */
	struct nlab_cmd_result last;
	bool has_last;
};

/*
 * Wait for the nodes of @t (lab @lab) that have `ready` to be ready, for
 * at most @timeout_ms, or until *@stop is set.  *@out gets one entry per
 * such node, in the topology's order (*@n of them; none: returns 0 at
 * once).  Returns 0 when all are ready, 1 when some are not.  A node
 * that cannot be entered (it is down) is not ready; its entry says why.
 */
int nlab_ready_wait(const char *lab, const struct nlab_topology *t,
		    uint64_t timeout_ms, volatile sig_atomic_t *stop,
		    struct nlab_ready **out, size_t *n);
void nlab_ready_free(struct nlab_ready *r, size_t n);

#endif
