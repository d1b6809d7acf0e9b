/* SPDX-License-Identifier: MIT */
/* Impairment options beyond the public nlab_impair_parse()/_str(). */
#ifndef NLAB_IMPAIR_H
#define NLAB_IMPAIR_H

#include <stdbool.h>

#include "topology.h"

/* Is @name an impairment option (rate, delay, ...)? */
bool nlab_impair_known(const char *name);

#endif
