/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_LABARG_H
#define NETLAB_LABARG_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

/* Does a FILE|LAB argument name a file?  A path (with '/'), a name
 * ending in .ini, or anything that exists and is not a directory. */
bool cli_is_file_arg(const char *arg);

/* Resolve a LAB|FILE argument to a lab name: an existing file (or a path
 * with '/' or ending in .ini) is loaded for its lab name; anything else
 * must be a valid lab name.  Returns 0, or an exit status. */
int cli_lab_arg(const struct cli *cli, const char *arg, char *lab, size_t len);

/* argv[0..2] as LAB|FILE NODE IFNAME: the lab's name into @lab, and the
 * node and interface names checked; 0, or the usage error's status. */
int cli_lab_node_if(const struct cli *cli, char **argv, char *lab, size_t len);

/* A lab this machine coordinates over several hosts (lab/multihost.h):
 * run this same command (argv, argv[@lab_i] replaced by the lab's name)
 * on the host of @node, in place of this process.  Returns -1 when @lab
 * is no such lab (the caller goes on), else the exit status of a
 * failure to do so. */
int cli_multi_node(const struct cli *cli, const char *lab, const char *node,
		   int argc, char **argv, int lab_i);

#endif
