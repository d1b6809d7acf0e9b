/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets do with a topology that loaded: run it through
 * everything that reads the model without touching the system, and
 * abort() where the model breaks its own promises (topology.h,
 * labtest.h, apply.h).
 */
#ifndef NLAB_FUZZ_EXERCISE_H
#define NLAB_FUZZ_EXERCISE_H

#include <stdio.h>

#include "topology/topology.h"

/* exercise.c: the model, its [test] sections, ping's plan, the nodes'
 * environments; @sink takes the graph. */
void fuzz_exercise(const struct nlab_topology *t, FILE *sink);
/* exercise_plan.c: apply's plan from @t to itself changes nothing.
 * (apply.h and labtest.h both name a struct nlab_step: two files.) */
void fuzz_self_plan(const struct nlab_topology *t);

#endif
