/* SPDX-License-Identifier: MIT */
/*
 * What `up`'s side of a start (nodestart.c) and the launcher and its
 * supervisors (node.c) say to each other; node.h tells the protocol.
 * Private to those two files.
 */
#ifndef NLAB_NODEPROTO_H
#define NLAB_NODEPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "lab/nodewire.h"

/* Supervisor or launcher -> up; smaller than PIPE_BUF, so atomic. */
enum ready_kind {
	MSG_FAILED,   /* why, in msg (err may be 0) */
	MSG_CLONED,   /* the launcher cloned node's supervisor: progress */
	MSG_PREPARED, /* its node's view is made: it waits for the release */
	MSG_READY,    /* the supervisor is ready: its run started */
};

struct ready_msg {
	int32_t node; /* index in t->nodes, -1 for the launcher */
	int32_t err;
	int32_t kind; /* enum ready_kind */
	char msg[400];
};

/* A failure of @node (-1: the launcher's own), to `up` on @fd. */
void nlab_node_report(int fd, int node, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A node's netns descriptor, from `up` over the launcher's channel
 * (nodestart.c): the index of the node in the launcher's set, with the
 * descriptor (SCM_RIGHTS).  Each launcher's nodes come in order.
 */
struct chan_msg {
	uint32_t k;
};

/* The nodes a start starts: @which[0..n) (indexes in t->nodes), or
 * every node when @which is NULL. */
struct node_set {
	const size_t *which;
	size_t n;
};

static inline size_t set_at(const struct node_set *s, size_t k)
{
	return s->which ? s->which[k] : k;
}

/*
 * How many launchers clone a lab's supervisors side by side: one per CPU,
 * at most NLAB_WIRE_CHANS.  A clone is mostly the calling CPU's work
 * (copying the launcher's memory map, the template's mounts, a PID
 * namespace): one launcher alone kept one CPU busy and the others idle.
 * A small lab has one: its clones take less than a second launcher's
 * start.  Node k of the set is launcher k % n's.
 */
unsigned nlab_launchers_for(size_t n);

#endif
