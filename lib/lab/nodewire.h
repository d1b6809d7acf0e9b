/* SPDX-License-Identifier: MIT */
/*
 * What the launcher needs to start a lab's supervisors, handed from `up`
 * to a freshly executed launcher as one sealed memfd.
 *
 * A supervisor is cloned fork-style: it shares, page by page, the memory
 * of the process it is cloned from.  Cloned from a fork of `up`, each
 * inherited `up`'s whole heap (the lab's topology: 13 MB at 5000 nodes),
 * so that the kernel copied and later tore down one page-table entry per
 * page of it for every node, O(N^2) in all: at 5000 nodes most of `up`'s
 * node phase and of `down`.  The launcher now execs itself anew and
 * reads only this: the lab's name and directory, then per node what its
 * supervisor uses (name, run, log_max, files, shared, mounts, env).  The
 * nodes' netns descriptors come after it, one by one, over the channels
 * (nodeproto.h).  The blob is mapped read-only;
 * a node's strings point into it, so each supervisor maps only the pages
 * of its own node.
 *
 * Layout (native byte order, one machine): a header (magic, version,
 * counts, the descriptors the launcher is to use), then per node a
 * record; a string is a u32 length (NIL_LEN for none), its bytes and a
 * NUL.  The reader checks every length against the blob.
 */
#ifndef NLAB_NODEWIRE_H
#define NLAB_NODEWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "base/err.h"
#include "topology/topology.h"

/* At most this many launchers, each with a channel of its own. */
#define NLAB_WIRE_CHANS 4

/* What the launcher is told besides the nodes. */
struct nlab_wire_ctl {
	pid_t up;	 /* the `up` that waits for it */
	int ready_fd;	 /* reports to `up` */
	int state_dirfd; /* /run/netlab/LAB */
	int state_recfd; /* its record */
	int release_fd;	 /* `up`'s word that the lab is built */
	bool has_nofile; /* the nodes' open-files limit, if set */
	struct rlimit nofile;
	unsigned n_chan;	   /* launchers: node k is chan k % n_chan's */
	int chan[NLAB_WIRE_CHANS]; /* each one's netns descriptors */
};

/* A sealed memfd (close-on-exec) holding @ctl, @t's name and directory,
 * and nodes @which[0..@n) of @t (every node when @which is NULL); -1
 * with @e. */
int nlab_wire_make(const struct nlab_topology *t, const size_t *which, size_t n,
		   const struct nlab_wire_ctl *ctl, struct nlab_err *e);

/* The launcher's side: the blob mapped, its header read. */
struct nlab_wire {
	const char *base;
	size_t len, off;
	struct nlab_wire_ctl ctl;
	const char *lab, *dir;
	size_t n;      /* nodes */
	size_t *index; /* [n]: each node's index in the lab */
	size_t next;   /* nodes read so far */
};

/* Map and check the memfd @fd (sealed, well-formed header); -1 with @e. */
int nlab_wire_open(int fd, struct nlab_wire *w, struct nlab_err *e);
/* The next node, into @node (its arrays allocated, its strings in the
 * blob; free with nlab_wire_node_free): 1, 0 after the last, -1 on a
 * malformed record. */
int nlab_wire_next(struct nlab_wire *w, struct nlab_node *node);
void nlab_wire_node_free(struct nlab_node *node);
/* Unmap the blob and free the arrays. */
void nlab_wire_close(struct nlab_wire *w);
/* Only unmap the blob: a supervisor, once nothing of its node's strings
 * is needed any more (freeing, or any write, would make pages it shares
 * with the launcher its own). */
void nlab_wire_unmap(const struct nlab_wire *w);

#endif
