// SPDX-License-Identifier: MIT
/* The cells of `netlab ping`'s matrix: they count addresses. */
#include "run/ping.h"
#include "unit.h"

static const char *cell(size_t addrs, size_t answered, unsigned long sent,
			unsigned long received, bool self)
{
	static char buf[32];
	struct nlab_ping_cell c = { .sent = sent,
				    .received = received,
				    .addrs = addrs,
				    .answered = answered };

	return nlab_ping_cell_str(&c, self, buf, sizeof(buf));
}

static void ping_cells(void **state)
{
	(void)state;
	assert_string_equal(cell(2, 2, 6, 6, false), ".");
	/* every address answered, but not every ping: lossy, reachable */
	assert_string_equal(cell(2, 2, 6, 5, false), "~");
	/* one of two addresses silent: 1/2, not "50%" that reads as loss */
	assert_string_equal(cell(2, 1, 6, 3, false), "1/2");
	assert_string_equal(cell(4, 3, 12, 7, false), "3/4");
	assert_string_equal(cell(2, 0, 6, 0, false), "X");
	assert_string_equal(cell(0, 0, 0, 0, false), "-");
	/* the diagonal is not "nothing to ping" */
	assert_string_equal(cell(0, 0, 0, 0, true), "\\");
}

static const struct CMUnitTest ping_cell_tests[] = {
	cmocka_unit_test(ping_cells),
};

UNIT_GROUP("ping-cells", ping_cell_tests, NULL, NULL)
