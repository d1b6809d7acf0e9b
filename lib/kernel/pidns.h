/* SPDX-License-Identifier: MIT */
/* PID namespaces seen through /proc: which one a process is in, and how
 * many processes each of a set of them holds (`status` counts a node's
 * processes to tell a forking init script that left daemons behind from a
 * dead router). */
#ifndef NLAB_PIDNS_H
#define NLAB_PIDNS_H

#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"

/* The inode of the PID namespace @pid is in (/proc/PID/ns/pid), 0 if it
 * is gone.  A node's supervisor is in its node's namespace (PID 1). */
ino_t nlab_pidns_of(pid_t pid);

/* How many processes are in each of the @n namespaces @ns (inodes; a 0
 * counts nothing): counts[i] for ns[i], found in one pass over /proc
 * whatever @n.  Threads are not processes; processes of namespaces
 * nested below are not counted.  -1 with @e when /proc cannot be read. */
int nlab_pidns_count(const ino_t *ns, size_t n, size_t *counts,
		     struct nlab_err *e);

#endif
