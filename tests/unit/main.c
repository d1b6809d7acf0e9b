// SPDX-License-Identifier: MIT
/* Runs every registered group (see unit.h), in name order. */
#include <string.h>

#include "unit.h"

static struct unit_group *groups;

void unit_register(struct unit_group *g)
{
	struct unit_group **p = &groups;

	while (*p && strcmp((*p)->name, g->name) < 0)
		p = &(*p)->next;
	g->next = *p;
	*p = g;
}

int main(void)
{
	int failed = 0;

	for (struct unit_group *g = groups; g; g = g->next)
		failed += _cmocka_run_group_tests(g->name, g->tests, g->n,
						  g->setup, g->teardown);
	return failed ? 1 : 0;
}
