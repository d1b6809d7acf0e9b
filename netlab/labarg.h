/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_LABARG_H
#define NETLAB_LABARG_H

#include <stddef.h>

#include "cli.h"

/* Resolve a LAB|FILE argument to a lab name: an existing file (or a path
 * with '/' or ending in .ini) is loaded for its lab name; anything else
 * must be a valid lab name.  Returns 0, or an exit status. */
int cli_lab_arg(const struct cli *cli, const char *arg, char *lab, size_t len);

#endif
