/* SPDX-License-Identifier: MIT */
/*
 * A running node's entry file, /run/netlab/LAB/NODE.enter: what `exec`
 * and `ps` need to reach the node, so that they read one small file
 * instead of the lab's whole topology and record (at 1000 nodes those
 * were most of their time).  The launcher writes it for each supervisor
 * it starts (`up`, `start`, `restart`, `apply`), replacing it at once
 * (rename); `stop` removes it.  Format, version 1:
 *
 *   netlab-enter 1
 *   proc PID STARTTIME          the supervisor (start time: proc(5) 22)
 *   netns DEV:INO               the identity of the node's netns
 *   env NAME=VALUE              the node's `env`, in order (0 or more)
 *   end
 *
 * Nothing in it is taken on trust.  The file must be a regular file
 * owned by root, of mode 0600 or less, with one link, in state
 * directories owned by root that no one else may write, reached without
 * following a symlink; it is parsed strictly (each line exactly as above,
 * numbers as plain decimals, nothing after "end"); and the process it
 * names must be, by pid and start time through a pidfd, the supervisor
 * of that very node (nlab_proc_open_as: its name, PID 1 of its own PID
 * namespace), inside the netns the file names, which must be the one
 * /run/netns/LAB.NODE holds now.  On any miss the reader says no, and
 * the caller takes the slow path (the record and the topology), which
 * knows why and says so.
 */
#ifndef NLAB_NODEENTRY_H
#define NLAB_NODEENTRY_H

#include <sys/stat.h>
#include <sys/types.h>

#include "base/err.h"
#include "topology/topology.h"

#define NLAB_ENTRY_SUFFIX ".enter"

struct nlab_entry {
	pid_t pid;
	int pidfd; /* of the supervisor, checked as above */
	/* The node's `env`: name and value of each (env[i].line is 0). */
	struct nlab_env *env;
	size_t n_env;
};

/* Write NODE.enter for node @n, whose supervisor is @pid started at
 * @start, in netns @netns (its fstat), in the state directory @dirfd:
 * to a temporary name, then renamed over the old one. */
int nlab_entry_write(int dirfd, const struct nlab_node *n, pid_t pid,
		     unsigned long long start, const struct stat *netns,
		     struct nlab_err *e);
/* Remove it (a stopped node has none); no error if there is none. */
void nlab_entry_remove(int dirfd, const char *node);

/* Read and check node @node's entry file.  0 with @en filled (free it
 * with nlab_entry_free), or -1 when there is none or it fails a check
 * (with @why, when given, saying which). */
int nlab_entry_read(const char *lab, const char *node, struct nlab_entry *en,
		    char *why, size_t len);
void nlab_entry_free(struct nlab_entry *en);

#endif
