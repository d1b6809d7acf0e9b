// SPDX-License-Identifier: MIT
/* NODE.run: what a supervisor writes is what status reads back. */
#include <signal.h>
#include <string.h>

#include "lab/runstate.h"
#include "unit.h"

static void round_trip(const struct nlab_run *in, const char *text)
{
	struct nlab_run out;
	char buf[64];

	nlab_run_format(in, buf, sizeof(buf));
	assert_string_equal(buf, text);
	nlab_run_parse(buf, &out);
	assert_int_equal(out.state, in->state);
	assert_int_equal(out.value, in->value);
	assert_int_equal(out.stop_signal, in->stop_signal);
	assert_int_equal(out.stop_from, in->stop_from);
}

static void runstate_round_trip(void **state)
{
	(void)state;
	round_trip(&(struct nlab_run){ .state = NLAB_RUN_RUNNING, .value = 2 },
		   "running 2\n");
	round_trip(&(struct nlab_run){ .state = NLAB_RUN_EXITED, .value = 3 },
		   "exited 3\n");
	round_trip(&(struct nlab_run){ .state = NLAB_RUN_KILLED, .value = 9 },
		   "killed 9\n");
	round_trip(&(struct nlab_run){ .state = NLAB_RUN_NONE }, "none\n");
	round_trip(&(struct nlab_run){ .state = NLAB_RUN_KILLED,
				       .value = SIGTERM,
				       .stop_signal = SIGTERM,
				       .stop_from = NLAB_STOP_NODE },
		   "killed 15\nstopped 15 node\n");
	round_trip(&(struct nlab_run){ .state = NLAB_RUN_NONE,
				       .stop_signal = SIGHUP,
				       .stop_from = NLAB_STOP_HOST },
		   "none\nstopped 1 host\n");
}

static void runstate_unreadable(void **state)
{
	/* "lost" and "unknown" are the reader's words, never the file's */
	static const char *const bad[] = {
		"",	     "running\n",   "exited x\n",
		"lost\n",    "unknown 3\n", "runningg 2\n",
		"garbage\n",
	};
	struct nlab_run r;

	(void)state;
	nlab_run_parse(NULL, &r);
	assert_int_equal(r.state, NLAB_RUN_UNKNOWN);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nlab_run_parse(bad[i], &r);
		if (r.state != NLAB_RUN_UNKNOWN || r.stop_signal)
			fail_msg("'%s' read as state %d", bad[i], r.state);
	}
	nlab_run_parse("exited 0\nstopped 0 node\n", &r);
	assert_int_equal(r.stop_signal, 0);
	nlab_run_parse("exited 0\nstopped 15 elsewhere\n", &r);
	assert_int_equal(r.stop_signal, 0);
	assert_int_equal(r.state, NLAB_RUN_EXITED);
	/* a supervisor stopped before it could say anything about run */
	nlab_run_parse("\nstopped 15 node\n", &r);
	assert_int_equal(r.state, NLAB_RUN_UNKNOWN);
	assert_int_equal(r.stop_signal, SIGTERM);
}

static void runstate_names(void **state)
{
	struct nlab_run r = { .stop_signal = SIGTERM,
			      .stop_from = NLAB_STOP_NODE };
	char buf[64];

	(void)state;
	assert_string_equal(nlab_run_state_name(NLAB_RUN_LOST), "lost");
	assert_string_equal(nlab_run_state_name(NLAB_RUN__MAX), "unknown");
	assert_string_equal(nlab_stop_from_name(NLAB_STOP_HOST), "host");
	nlab_stop_str(&r, buf, sizeof(buf));
	assert_string_equal(buf, "SIGTERM from inside the node");
	r.stop_from = NLAB_STOP_HOST;
	r.stop_signal = SIGHUP;
	nlab_stop_str(&r, buf, sizeof(buf));
	assert_string_equal(buf, "SIGHUP from the host");
}

static const struct CMUnitTest runstate_tests[] = {
	cmocka_unit_test(runstate_round_trip),
	cmocka_unit_test(runstate_unreadable),
	cmocka_unit_test(runstate_names),
};

UNIT_GROUP("runstate", runstate_tests, NULL, NULL)
