// SPDX-License-Identifier: MIT
/* Stopping a lab's processes, known by pid and start time (pids are
 * reused), through pidfds so that waiting costs no polling loop. */
#include "proc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "node.h"
#include "util.h"

/* Grace period between SIGTERM and SIGKILL; `down --grace` sets it. */
int nlab_grace_ms = 5000;

int nlab_proc_open(const char *arg, pid_t *out)
{
	unsigned long long start;
	int pid, fd;

	if (sscanf(arg, "%d %llu", &pid, &start) != 2 || pid <= 1)
		return -1;
	if (out)
		*out = pid;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -1;
	/* Checked after opening: the pidfd now pins this very process. */
	if (nlab_proc_start_time(pid) != start || nlab_pidfd_exited(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

bool nlab_pidfd_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	/* A zombie keeps its pid, its /proc entry and its start time until
	 * it is reaped (a supervisor's reaper is the host's init, which
	 * may take its time); its pidfd already polls readable. */
	return poll(&p, 1, 0) > 0;
}

static void signal_all(const int *fds, size_t n, int sig)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			syscall(SYS_pidfd_send_signal, fds[i], sig, NULL, 0);
}

/* Wait until every process has exited or @ms passed; returns how many
 * are still alive.  A pidfd polls readable once its process exits. */
static size_t wait_all(struct pollfd *p, size_t n, int ms)
{
	long long end = (long long)nlab_now_ms() + ms;
	size_t alive;

	for (;;) {
		long long left = end - (long long)nlab_now_ms();

		alive = 0;
		for (size_t i = 0; i < n; i++)
			alive += p[i].fd >= 0;
		if (!alive || left <= 0)
			return alive;
		if (poll(p, n, (int)left) < 0 && errno != EINTR)
			return alive;
		for (size_t i = 0; i < n; i++) {
			if (p[i].fd >= 0 && p[i].revents) {
				close(p[i].fd);
				p[i].fd = -1;
			}
		}
	}
}

int nlab_proc_stop_all(const struct nlab_record *rec, struct nlab_err *e)
{
	struct pollfd *p = xcalloc(rec->n, sizeof(*p));
	int *fds = xcalloc(rec->n, sizeof(int));
	size_t n = 0, alive;

	for (size_t i = 0; i < rec->n; i++) {
		int fd;

		if (rec->recs[i].kind != NLAB_REC_PROC)
			continue;
		fd = nlab_proc_open(rec->recs[i].arg, NULL);
		if (fd < 0)
			continue;
		fds[n] = fd;
		p[n].fd = fd;
		p[n++].events = POLLIN;
	}
	/* A supervisor passes SIGTERM on to its node and leaves when the
	 * node is empty; SIGKILL of a PID 1 takes its whole namespace. */
	signal_all(fds, n, SIGTERM);
	alive = wait_all(p, n, nlab_grace_ms);
	if (alive) {
		for (size_t i = 0; i < n; i++)
			fds[i] = p[i].fd;
		signal_all(fds, n, SIGKILL);
		alive = wait_all(p, n, 10000);
	}
	for (size_t i = 0; i < n; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	free(p);
	free(fds);
	if (alive)
		return nlab_err_set(e, 0, "%zu node supervisor%s would not die",
				    alive, alive == 1 ? "" : "s");
	return 0;
}
