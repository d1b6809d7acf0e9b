/* SPDX-License-Identifier: MIT */
/*
 * A file of a running node's own /var/log (`netlab log LAB NODE FILE`):
 * daemons such as FRR write their logs there, and a node's /var/log is
 * its own, so the host sees it only through the node.
 *
 * The file is looked up from the node's supervisor's root
 * (/proc/PID/root), so through the node's mount namespace, without
 * entering it.  Nothing a node puts under its /var/log makes netlab read
 * another file: no symbolic link is followed below /var/log, and only a
 * regular file is opened (a FIFO or a device never is).
 */
#ifndef NLAB_NODEFILE_H
#define NLAB_NODEFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"

/* Is @rel a path netlab looks up under /var/log: not empty, not
 * absolute, no ".." component. */
bool nlab_varlog_path_ok(const char *rel);

/*
 * Open /var/log/@rel of node @node of lab @lab for reading.  Returns the
 * fd and sets *pidfd to the node's supervisor (it becomes readable when
 * the node goes down), or -1 with @e: no such lab or node, the node is
 * not running, no such file, a symbolic link, not a regular file.
 */
int nlab_varlog_open(const char *lab, const char *node, const char *rel,
		     int *pidfd, struct nlab_err *e);

/* Copy @fd to @out from where it is; with @follow, then what is added
 * to it (from the start again if it is truncated) until @pidfd's process
 * exits.  0, or -1 with @e. */
int nlab_file_copy(int fd, int pidfd, bool follow, FILE *out,
		   struct nlab_err *e);

#endif
