// SPDX-License-Identifier: MIT
/* base/parallel.c: calls side by side, and one call beside the caller. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "base/parallel.h"
#include "unit.h"

static void count_one(void *ctx, size_t i)
{
	atomic_uint *hits = ctx;

	atomic_fetch_add(&hits[i], 1);
}

static void parallel_each_once(void **state)
{
	atomic_uint hits[100];

	(void)state;
	for (size_t i = 0; i < 100; i++)
		atomic_init(&hits[i], 0);
	nlab_parallel(100, 4, count_one, hits);
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(atomic_load(&hits[i]), 1);
}

struct bg_ctx {
	int ret;
	pthread_t tid;
	sigset_t mask;
	atomic_bool go;
};

static int bg_fn(void *ctx, struct nlab_err *e)
{
	struct bg_ctx *c = ctx;

	while (!atomic_load(&c->go))
		usleep(1000);
	c->tid = pthread_self();
	pthread_sigmask(SIG_SETMASK, NULL, &c->mask);
	if (c->ret)
		return nlab_err_set(e, EIO, "the files: %d", c->ret);
	return 0;
}

static void bg_success(void **state)
{
	struct bg_ctx c = { .ret = 0 };
	struct nlab_bg bg;
	struct nlab_err e = { .msg = "untouched" };

	(void)state;
	atomic_init(&c.go, false);
	nlab_bg_start(&bg, bg_fn, &c);
	assert_true(bg.started);
	/* It waits for us: not failed, and not done. */
	assert_false(nlab_bg_failed(&bg));
	atomic_store(&c.go, true);
	assert_int_equal(nlab_bg_wait(&bg, &e), 0);
	assert_string_equal(e.msg, "untouched");
	/* On a thread of its own, which takes no signal. */
	assert_false(pthread_equal(c.tid, pthread_self()));
	assert_int_equal(sigismember(&c.mask, SIGINT), 1);
	assert_int_equal(sigismember(&c.mask, SIGTERM), 1);
	/* Waited for twice: nothing more. */
	assert_int_equal(nlab_bg_wait(&bg, &e), 0);
}

static void bg_failure(void **state)
{
	struct bg_ctx c = { .ret = 7 };
	struct nlab_bg bg;
	struct nlab_err e = { 0 };

	(void)state;
	atomic_init(&c.go, true);
	nlab_bg_start(&bg, bg_fn, &c);
	/* Seen without waiting, once it has returned. */
	for (int i = 0; i < 5000 && !nlab_bg_failed(&bg); i++)
		usleep(1000);
	assert_true(nlab_bg_failed(&bg));
	assert_int_equal(nlab_bg_wait(&bg, &e), -1);
	assert_int_equal(e.errnum, EIO);
	assert_non_null(strstr(e.msg, "the files: 7"));
	assert_int_equal(nlab_bg_wait(&bg, NULL), 0);
}

static void bg_never_started(void **state)
{
	struct nlab_bg bg = { 0 };

	(void)state;
	assert_false(nlab_bg_failed(&bg));
	assert_int_equal(nlab_bg_wait(&bg, NULL), 0);
}

static const struct CMUnitTest parallel_tests[] = {
	cmocka_unit_test(parallel_each_once),
	cmocka_unit_test(bg_success),
	cmocka_unit_test(bg_failure),
	cmocka_unit_test(bg_never_started),
};

UNIT_GROUP("parallel", parallel_tests, NULL, NULL)
