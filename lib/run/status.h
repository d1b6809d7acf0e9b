/* SPDX-License-Identifier: MIT */
/* What a lab looks like now, read back from the kernel (for `status`). */
#ifndef NLAB_STATUS_H
#define NLAB_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "lab/runstate.h"
#include "topology/topology.h"

struct nlab_if_status {
	const struct nlab_iface *decl; /* what the topology declares */
	bool exists, up, carrier;
	unsigned mtu;
	char mac[18];
	char **addrs; /* "10.0.0.1/24", global scope */
	size_t n_addrs;
	struct nlab_impair impair; /* read back from the kernel's qdiscs */
};

/* A node is alive as long as its supervisor (PID 1 of its PID namespace:
 * when it dies, the kernel kills every process of the node). */
enum nlab_node_state {
	NLAB_NODE_ABSENT,  /* no supervisor recorded: `up` did not start it */
	NLAB_NODE_UP,	   /* the supervisor is alive */
	NLAB_NODE_STOPPED, /* it left after SIGTERM, SIGINT or SIGHUP */
	NLAB_NODE_DEAD,	   /* it is gone without a word (SIGKILL, crash) */
	NLAB_NODE__MAX,
};

/* "absent", "up", "stopped", "dead", as status --json names them. */
const char *nlab_node_state_name(enum nlab_node_state s);

struct nlab_node_status {
	const struct nlab_node *decl;
	char netns[NLAB_NAME_MAX * 2 + 2];
	bool present;		    /* the netns still exists */
	struct nlab_if_status *ifs; /* one per declared interface */
	int supervisor;		    /* host pid, 0 when not running */
	enum nlab_node_state state;
	struct nlab_run run; /* NLAB_RUN_LOST when the supervisor died while
			      * `run` was running */
	/* Processes in the node's PID namespace other than its supervisor
	 * (with detail, and 0 unless the node is up): a `run` that exited
	 * 0 and left 4 daemons is a healthy router, one that left none a
	 * dead one. */
	size_t processes;
	bool stop_requested; /* stopped by `netlab stop` (see lifecycle.h):
			      * not a reason for the lab to be degraded */
};

/* Why a node or switch keeps its lab from being "up": NLAB_DEG_* bits. */
enum {
	NLAB_DEG_SUPERVISOR_DEAD = 1 << 0, /* node: dead (or never started) */
	NLAB_DEG_STOPPED = 1 << 1,	   /* node: stopped, not by
					    * `netlab stop` */
	NLAB_DEG_NETNS_GONE = 1 << 2,	   /* removed behind netlab's back */
};

/* The reasons, in the order they are shown: bit, status --json name
 * ("supervisor-dead", "stopped", "netns-gone") and words for text. */
struct nlab_deg_reason {
	unsigned bit;
	const char *id;
	const char *text;
};
extern const struct nlab_deg_reason nlab_deg_reasons[];
extern const size_t nlab_n_deg_reasons;

struct nlab_degraded {
	char name[NLAB_NAME_MAX + 1]; /* a node's or a switch's */
	unsigned why;		      /* NLAB_DEG_* */
	struct nlab_run run;	      /* a node's: how it was stopped */
};

struct nlab_lab_status {
	struct nlab_topology *topo; /* the lab's stored topology */
	const char *state;	    /* "up", "degraded", "incomplete" */
	size_t netns_total, netns_present;
	struct nlab_node_status *nodes; /* one per node */
	struct nlab_degraded *degraded; /* when state is "degraded" */
	size_t n_degraded;
	/* Nodes stopped by `netlab stop`, in file order: a lab whose other
	 * nodes and switches are whole is "up" with them. */
	const char **stopped;
	size_t n_stopped;
};

/* Read one lab's status: its state, its nodes' supervisors and `run`;
 * with @detail, every node's interfaces and process count too.  Returns 0, 1
 * when there is no such lab, -1 with @e. */
int nlab_status_read(const char *lab, bool detail, struct nlab_lab_status *s,
		     struct nlab_err *e);
void nlab_status_free(struct nlab_lab_status *s);

#endif
