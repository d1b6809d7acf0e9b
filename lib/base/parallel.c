// SPDX-License-Identifier: MIT
#include "base/parallel.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "base/util.h"

struct job {
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t n;
	atomic_size_t next;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n)
		j->fn(j->ctx, i);
	return NULL;
}

/* The workers make system calls, and status's parse netlink dumps with
 * libnl: a quarter of glibc's default, of which only the pages touched
 * are memory (more than enough under ASan's wider frames too). */
#define WORKER_STACK (256 * 1024)

void nlab_parallel(size_t n, unsigned threads, void (*fn)(void *ctx, size_t i),
		   void *ctx)
{
	struct job j = { .fn = fn, .ctx = ctx, .n = n };
	pthread_t *tid;
	pthread_attr_t attr;
	size_t made = 0;

	atomic_init(&j.next, 0);
	if (threads > n)
		threads = (unsigned)n;
	if (threads <= 1) {
		worker(&j);
		return;
	}
	tid = xcalloc(threads - 1, sizeof(*tid));
	if (pthread_attr_init(&attr) == 0) {
		pthread_attr_setstacksize(&attr, WORKER_STACK);
		while (made < threads - 1 &&
		       pthread_create(&tid[made], &attr, worker, &j) == 0)
			made++;
		pthread_attr_destroy(&attr);
	}
	worker(&j);
	for (size_t k = 0; k < made; k++)
		pthread_join(tid[k], NULL);
	free(tid);
}

unsigned nlab_cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 1 ? (unsigned)n : 1;
}

static void *bg_main(void *arg)
{
	struct nlab_bg *bg = arg;

	bg->ret = bg->fn(bg->ctx, &bg->err);
	if (bg->ret)
		atomic_store(&bg->failed, true);
	return NULL;
}

void nlab_bg_start(struct nlab_bg *bg, int (*fn)(void *ctx, struct nlab_err *e),
		   void *ctx)
{
	sigset_t all, old;

	memset(bg, 0, sizeof(*bg));
	bg->fn = fn;
	bg->ctx = ctx;
	atomic_init(&bg->failed, false);
	/* Signals blocked in the thread (it inherits the mask it is made
	 * with): a SIGINT must interrupt the caller, not the files. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	bg->started = pthread_create(&bg->tid, NULL, bg_main, bg) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!bg->started)
		bg_main(bg);
}

bool nlab_bg_failed(struct nlab_bg *bg)
{
	return atomic_load(&bg->failed);
}

int nlab_bg_wait(struct nlab_bg *bg, struct nlab_err *e)
{
	int ret;

	if (bg->started)
		pthread_join(bg->tid, NULL);
	bg->started = false;
	ret = bg->ret;
	bg->ret = 0;
	if (ret && e)
		*e = bg->err;
	return ret;
}
