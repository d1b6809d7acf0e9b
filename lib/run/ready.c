// SPDX-License-Identifier: MIT
/* Readiness: every node's `ready` polled at once (see ready.h). */
#include "run/ready.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "topology/labtest.h"
#include "base/util.h"

struct poller {
	struct nlab_ready *r;
	struct nlab_cmd cmd;
	bool running;
	uint64_t next; /* when to try again */
};

/* A try that ended: ready, or keep what it said for the report. */
static void ended(struct poller *p, uint64_t start, uint64_t now,
		  struct nlab_cmd_result *res)
{
	p->r->attempts++;
	if (res->end == NLAB_CMD_EXITED && res->code == 0) {
		p->r->ready = true;
		p->r->ms = now - start;
		nlab_cmd_result_free(res);
		return;
	}
	nlab_cmd_result_free(&p->r->last);
	p->r->last = *res;
	p->r->has_last = true;
	p->next = now + NLAB_POLL_CMD_MS;
}

static void try_one(struct poller *p, const char *lab, const char *dir,
		    uint64_t start, uint64_t now, uint64_t deadline)
{
	struct nlab_cmd_result res = { .end = NLAB_CMD_ERROR };
	struct nlab_err e;
	uint64_t limit = deadline > now + 100 ? deadline - now : 100;

	if (!nlab_cmd_start(&p->cmd, lab, p->r->node->name, dir,
			    p->r->node->ready, limit, &e)) {
		p->running = true;
		return;
	}
	snprintf(res.why, sizeof(res.why), "%s", e.msg);
	res.out = xstrdup("");
	ended(p, start, now, &res);
}

int nlab_ready_wait(const char *lab, const struct nlab_topology *t,
		    uint64_t timeout_ms, volatile sig_atomic_t *stop,
		    struct nlab_ready **out, size_t *n)
{
	uint64_t start = nlab_now_ms(), deadline = start + timeout_ms;
	cleanup_free struct poller *p = NULL;
	cleanup_free struct pollfd *pfd = NULL;
	cleanup_free size_t *owner = NULL;
	size_t np = 0, waiting;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < t->n_nodes; i++)
		np += !!t->nodes[i].ready;
	if (!np)
		return 0;
	*out = xcalloc(np, sizeof(**out));
	p = xcalloc(np, sizeof(*p));
	pfd = xcalloc(2 * np, sizeof(*pfd));
	owner = xcalloc(2 * np, sizeof(*owner));
	for (size_t i = 0, j = 0; i < t->n_nodes; i++)
		if (t->nodes[i].ready) {
			(*out)[j].node = &t->nodes[i];
			p[j].r = &(*out)[j];
			p[j].next = start;
			j++;
		}
	*n = np;
	for (;;) {
		uint64_t now = nlab_now_ms(), wake = deadline;
		size_t nfd = 0;
		int timeout;

		for (size_t i = 0; i < np; i++) {
			if (p[i].r->ready)
				continue;
			if (!p[i].running && p[i].next <= now &&
			    now < deadline && !(stop && *stop))
				try_one(&p[i], lab, t->dir, start, now,
					deadline);
			if (p[i].running) {
				size_t k =
					nlab_cmd_pollfds(&p[i].cmd, pfd + nfd);

				for (size_t m = 0; m < k; m++)
					owner[nfd + m] = i;
				nfd += k;
			} else if (!p[i].r->ready && p[i].next < wake) {
				wake = p[i].next;
			}
		}
		waiting = 0;
		for (size_t i = 0; i < np; i++)
			waiting += !p[i].r->ready;
		if (!waiting || now >= deadline || (stop && *stop))
			break;
		timeout = wake > now ? (int)(wake - now) : 0;
		if (poll(pfd, nfd, timeout) < 0 && errno != EINTR)
			break;
		now = nlab_now_ms();
		/* Each running command's descriptors lie side by side. */
		for (size_t f = 0; f < nfd;) {
			size_t i = owner[f], k = 1;

			while (f + k < nfd && owner[f + k] == i)
				k++;
			if (nlab_cmd_step(&p[i].cmd, pfd + f, k)) {
				p[i].running = false;
				ended(&p[i], start, now, &p[i].cmd.res);
			}
			f += k;
		}
	}
	/* Time is up: the tries still running end here; the first try of a
	 * node is its report. */
	for (size_t i = 0; i < np; i++) {
		if (!p[i].running)
			continue;
		nlab_cmd_cancel(&p[i].cmd);
		if (!p[i].r->has_last) {
			p[i].r->last = p[i].cmd.res;
			p[i].r->has_last = true;
		} else {
			nlab_cmd_result_free(&p[i].cmd.res);
		}
	}
	for (size_t i = 0; i < np; i++)
		if (!p[i].r->ready)
			p[i].r->ms = nlab_now_ms() - start;
	return waiting ? 1 : 0;
}

void nlab_ready_free(struct nlab_ready *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		nlab_cmd_result_free(&r[i].last);
	free(r);
}
