/* SPDX-License-Identifier: MIT */
/*
 * The environment of a node's processes.  `run` and `exec` get exactly
 *
 *   PATH         NLAB_ENV_PATH
 *   HOME         /root (a node runs as root)
 *   TERM         dumb for `run` (its output goes to a log); for `exec`,
 *                the caller's (dumb if it has none)
 *   LANG         the caller's, C.UTF-8 if it has none
 *   NETLAB_LAB   the lab's name
 *   NETLAB_NODE  the node's name
 *
 * plus the node's `env = NAME=VALUE, ...`, which may also replace the
 * first four (but `exec` keeps the caller's TERM).  Nothing else of the
 * caller's environment (tokens, SSH_AUTH_SOCK, ...) reaches a node.
 */
#ifndef NLAB_NODEENV_H
#define NLAB_NODEENV_H

#include <stdbool.h>

#include "topology/topology.h"

#define NLAB_ENV_PATH                                                          \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* NETLAB_LAB and NETLAB_NODE are reserved: nlab_env_reserved() in
 * topology.h (the loader refuses them in `env`). */

/* The node's environment, a NULL-terminated "NAME=VALUE" array for
 * execve() (free it with nlab_environ_free()).  @term is the caller's
 * TERM for `exec` (NULL for `run`); LANG is read from the caller's. */
char **nlab_node_environ(const char *lab, const struct nlab_node *n,
			 const char *term);
void nlab_environ_free(char **env);

#endif
