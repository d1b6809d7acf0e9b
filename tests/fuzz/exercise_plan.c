// SPDX-License-Identifier: MIT
/* apply's plan from a topology to itself: nothing to do, nothing refused. */
#include <stdlib.h>

#include "lab/apply.h"
#include "lab/applyplan.h"
#include "exercise.h"

void fuzz_self_plan(const struct nlab_topology *t)
{
	struct nlab_plan p;

	nlab_plan_make(t, t, NULL, 0, &p);
	if (p.n || p.n_refused || p.n_todo)
		abort();
	nlab_plan_free(&p);
}
