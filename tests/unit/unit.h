/* SPDX-License-Identifier: MIT */
/*
 * The one unit-test binary: every .c file in tests/unit is linked into it,
 * and each registers its cmocka groups with UNIT_GROUP(); main.c runs them
 * all, by name.  Adding tests is adding a file.
 */
#ifndef NLAB_UNIT_H
#define NLAB_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

struct unit_group {
	const char *name;
	const struct CMUnitTest *tests;
	size_t n;
	CMFixtureFunction setup, teardown;
	struct unit_group *next;
};

void unit_register(struct unit_group *g);

#define UNIT_GROUP(gname, table, gsetup, gteardown)                            \
	static struct unit_group unit_group_##table = {                        \
		.name = gname,                                                 \
		.tests = table,                                                \
		.n = sizeof(table) / sizeof((table)[0]),                       \
		.setup = gsetup,                                               \
		.teardown = gteardown,                                         \
	};                                                                     \
	__attribute__((constructor)) static void unit_register_##table(void)   \
	{                                                                      \
		unit_register(&unit_group_##table);                            \
	}

#endif
