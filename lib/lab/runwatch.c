// SPDX-License-Identifier: MIT
#include "lab/runwatch.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "lab/node.h"
#include "lab/state.h"
#include "base/util.h"

#define POLL_MS 50

struct watch {
	const struct nlab_topology *t;
	struct nlab_run *runs; /* one per node */
	size_t pending;	       /* nodes whose `run` has not ended yet */
};

static bool ended(const struct nlab_run *r)
{
	return r->state == NLAB_RUN_EXITED || r->state == NLAB_RUN_KILLED ||
	       r->state == NLAB_RUN_LOST;
}

/* Read node @i's NODE.run again, if its `run` was still going. */
static void reread(struct watch *w, size_t i)
{
	const struct nlab_node *n = &w->t->nodes[i];

	if (!n->run || ended(&w->runs[i]))
		return;
	nlab_run_read(w->t->name, n->name, &w->runs[i]);
	if (ended(&w->runs[i]))
		w->pending--;
}

static void reread_all(struct watch *w)
{
	for (size_t i = 0; i < w->t->n_nodes && w->pending; i++)
		reread(w, i);
}

/* An inotify watch on the lab's state directory for NODE.run, which the
 * supervisor replaces by a rename; -1 (then the caller polls) on failure. */
static int watch_open(const char *lab)
{
	char dir[sizeof(NLAB_STATE_DIR) + NLAB_NAME_MAX + 2];
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd < 0)
		return -1;
	snprintf(dir, sizeof(dir), NLAB_STATE_DIR "/%s", lab);
	if (inotify_add_watch(fd, dir, IN_MOVED_TO | IN_DONT_FOLLOW) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The node of a changed file "NODE.run", or -1. */
static long node_of(const struct watch *w, const char *file)
{
	size_t len = strlen(file), sl = strlen(NLAB_RUN_SUFFIX);
	char name[NLAB_NAME_MAX + 1];
	const struct nlab_node *n;

	if (len <= sl || len - sl > NLAB_NAME_MAX ||
	    strcmp(file + len - sl, NLAB_RUN_SUFFIX))
		return -1;
	memcpy(name, file, len - sl);
	name[len - sl] = '\0';
	n = nlab_topology_node(w->t, name);
	return n ? n - w->t->nodes : -1;
}

/* Take in what the inotify descriptor @fd has. */
static void take_events(struct watch *w, int fd)
{
	char buf[8192]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (void *)p;
			long i;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				reread_all(w); /* events were lost */
				continue;
			}
			i = ev->len ? node_of(w, ev->name) : -1;
			if (i >= 0)
				reread(w, (size_t)i);
		}
	}
}

void nlab_run_watch(const struct nlab_topology *t, unsigned ms,
		    volatile sig_atomic_t *stop, nlab_run_failed_fn fn,
		    void *data)
{
	struct watch w = { .t = t };
	cleanup_free struct nlab_run *runs = NULL;
	cleanup_close int fd = -1;
	uint64_t deadline = nlab_now_ms() + ms;

	for (size_t i = 0; i < t->n_nodes; i++)
		w.pending += t->nodes[i].run != NULL;
	if (!w.pending)
		return;
	runs = w.runs = xcalloc(t->n_nodes, sizeof(*runs));
	/* Watch first, then read: a change between the two is not lost. */
	fd = watch_open(t->name);
	reread_all(&w);
	while (w.pending && !(stop && *stop)) {
		uint64_t now = nlab_now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int wait;

		if (now >= deadline)
			break;
		wait = (int)(deadline - now);
		if (fd < 0) {
			usleep(1000 * (wait < POLL_MS ? wait : POLL_MS));
			reread_all(&w);
			continue;
		}
		if (poll(&p, 1, wait) > 0)
			take_events(&w, fd);
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nlab_run *r = &runs[i];

		if (!t->nodes[i].run)
			continue;
		if ((r->state == NLAB_RUN_EXITED && r->value) ||
		    r->state == NLAB_RUN_KILLED)
			fn(data, &t->nodes[i], r);
	}
}
