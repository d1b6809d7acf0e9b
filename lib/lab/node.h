/* SPDX-License-Identifier: MIT */
/*
 * Node supervisors: one process per node, PID 1 of a new PID namespace,
 * with its own mount and UTS namespaces, inside the node's netns.
 *
 * `up` forks one launcher once the lab is built.  The launcher makes a
 * template mount namespace once (an rslave copy of the host's with
 * /run/netns detached, so a node holds no copy of the lab's netns mounts
 * and N nodes do not copy N mounts each), then clones each supervisor
 * from it as `up` sends it the node's netns (over a channel per
 * launcher, SCM_RIGHTS).  Each supervisor is recorded in the lab record
 * before it may go on: it blocks on a "go" pipe of its own that the
 * launcher writes only after recording it, and exits if the launcher
 * dies first.  It then makes its node's view, reports prepared, and
 * waits for `up`'s release: one byte each on the release pipe once
 * every node is prepared (EOF: `up` gave up; a signal: a stop before it
 * started anything).  Then it starts `run` and reports ready (or why
 * not) to `up`.  So no node's `run` starts unless every node's view
 * could be made.
 *
 * A node inherits nothing of `up`'s caller but what it asks for: the
 * template hides /run/netlab, the supervisor resets every signal
 * disposition, starts `run` with an empty signal mask, the documented
 * environment (nodeenv.h) and the caller's open-files limit, and wipes
 * the environment it inherited.
 */
#ifndef NLAB_NODE_H
#define NLAB_NODE_H

#include <stdbool.h>
#include <signal.h>
#include <sys/types.h>

#include "base/err.h"
#include "lab/state.h"
#include "topology/topology.h"

struct rlimit;
/* Start a supervisor for every node.  @netns_fd[i] is node i's netns;
 * @nofile, if not NULL, the open-files limit the nodes get (the caller's,
 * when `up` raised its own).  Returns 0 once every supervisor reported
 * ready, or -1 with @e (the caller rolls back; started supervisors are in
 * the record). */
int nlab_nodes_start(const struct nlab_topology *t, const int *netns_fd,
		     struct nlab_state *st, const struct rlimit *nofile,
		     volatile sig_atomic_t *stop, struct nlab_err *e);
/* The same for some nodes only: @which[0..@n) are indexes in t->nodes
 * (`netlab start`); netns_fd is indexed by node as above, and only the
 * entries of @which are used. */
int nlab_nodes_start_some(const struct nlab_topology *t, const size_t *which,
			  size_t n, const int *netns_fd, struct nlab_state *st,
			  const struct rlimit *nofile,
			  volatile sig_atomic_t *stop, struct nlab_err *e);

/* The state file a supervisor keeps about `run` and its own end
 * (format in runstate.h), and the output of `run`. */
#define NLAB_RUN_SUFFIX ".run"

/* The value `down` sends with its SIGTERM (sigqueue style, si_code
 * SI_QUEUE, from outside the node): the lab's state goes with the node,
 * so the supervisor does not write NODE.run any more.  A file made in
 * /run/netlab/LAB by each of a thousand supervisors leaving at once
 * costs more than the rest of their exit (an inode allocation, and a
 * rename, all in one directory), only for `down` to remove it. */
#define NLAB_STOP_GONE 0x6e6c6764

/* The launcher (nodewire.h): `up` executes the program netlab-launch
 * (netlab/launch.c), or netlab itself when it has none, with argv[0]
 * NLAB_LAUNCHER_ARGV0; main() hands such a run to nlab_launcher_main,
 * which does not return on success. */
#define NLAB_LAUNCHER_ARGV0 "netlab-launch"
int nlab_launcher_main(int argc, char **argv);

/* Start time of a process (field 22 of /proc/PID/stat), 0 if gone. */
unsigned long long nlab_proc_start_time(pid_t pid);

#endif
