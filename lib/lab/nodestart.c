// SPDX-License-Identifier: MIT
/* `up`'s side of starting the nodes (node.h): the launcher executed, each
 * node's netns sent to it, the reports read, the release given. */
#include "lab/node.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/testhook.h"
#include "base/util.h"
#include "lab/nodeproto.h"
#include "lab/nodewire.h"

/*
 * The launcher's program: netlab-launch beside the running netlab (a
 * build tree), or in ../libexec/netlab from it (`make install`); else
 * netlab itself, which runs as the launcher under that argv[0] too.  The
 * program of its own is static and needs no library but libc: a
 * supervisor, cloned from it, has 12 mappings to copy at its birth and
 * tear down at its death instead of 52, and faults in far fewer pages.
 */
static void launcher_path(char *buf, size_t len)
{
	static const char *const rel[] = {
		"/" NLAB_LAUNCHER_ARGV0,
		"/../libexec/netlab/" NLAB_LAUNCHER_ARGV0
	};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; slash && i < ARRAY_SIZE(rel); i++)
			if ((size_t)snprintf(buf, len, "%s%s", exe, rel[i]) <
				    len &&
			    access(buf, X_OK) == 0)
				return;
	}
	snprintf(buf, len, "/proc/self/exe");
}

/*
 * In the child `up` forked: execute the launcher @path (nodewire.h says
 * why anew), keeping open only what the memfd @wire names: itself, the
 * report pipe, the release pipe's read end, the lab's state and record,
 * and the launchers' ends of the channels.  Its command line has room
 * for the longest name a supervisor takes on (name_process).
 */
static __attribute__((noreturn)) void launch_exec(const char *path, int wire,
						  const struct nlab_wire_ctl *c)
{
	char fdarg[16], room[2 * NLAB_NAME_MAX + 32];
	char *argv[] = { NLAB_LAUNCHER_ARGV0, fdarg, room, NULL };
	const int keep[] = { wire, c->ready_fd, c->release_fd, c->state_dirfd,
			     c->state_recfd };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != c->up)
		_exit(1);
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		fcntl(keep[i], F_SETFD, 0);
	for (unsigned i = 0; i < c->n_chan; i++)
		fcntl(c->chan[i], F_SETFD, 0);
	snprintf(fdarg, sizeof(fdarg), "%d", wire);
	memset(room, '-', sizeof(room) - 1);
	room[sizeof(room) - 1] = '\0';
	execve(path, argv, environ);
	nlab_node_report(c->ready_fd, -1, errno, "execute the launcher %s: %s",
			 path, strerror(errno));
	_exit(1);
}

/* Read one message, waiting at most until @deadline (ms, monotonic);
 * 1 on a message, 0 on EOF, -1 with errno (ETIMEDOUT, EINTR). */
static int read_msg(int fd, struct ready_msg *m, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long long now = (long long)nlab_now_ms();
	ssize_t n;
	int r;

	if (now >= deadline) {
		errno = ETIMEDOUT;
		return -1;
	}
	r = poll(&p, 1, (int)(deadline - now));
	if (r <= 0) {
		if (r == 0)
			errno = ETIMEDOUT;
		return -1;
	}
	n = read(fd, m, sizeof(*m));
	if (n == 0)
		return 0;
	if (n != sizeof(*m)) {
		errno = EPROTO;
		return -1;
	}
	m->msg[sizeof(m->msg) - 1] = '\0';
	return 1;
}

/* How long `up` waits for the next sign of progress (a supervisor cloned,
 * prepared or ready) before it gives up on the nodes not ready yet.  Progress,
 * not a deadline for the whole start: a large lab on a busy machine may take
 * minutes, each node only its own share of them.  Generous: a bind of a
 * slow filesystem may take a while. */
#define NODE_STALL_MS 30000

/* "did not start within 30 s of the last progress: n2, n5 (2 of 3)" */
static int not_started(const struct nlab_topology *t,
		       const struct node_set *set, const bool *ready,
		       size_t n_ready, unsigned stall_ms, struct nlab_err *e)
{
	char names[256] = "";
	size_t o = 0, shown = 0, missing = set->n - n_ready;

	for (size_t k = 0; k < set->n && shown < 8; k++) {
		size_t i = set_at(set, k);

		if (ready[i])
			continue;
		o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
				      shown ? ", " : "", t->nodes[i].name);
		if (o >= sizeof(names))
			break;
		shown++;
	}
	return nlab_err_set(e, 0,
			    "node%s %s%s did not start: no progress for "
			    "%u s (%zu of %zu not ready)",
			    missing == 1 ? "" : "s", names,
			    missing > shown ? ", ..." : "", stall_ms / 1000,
			    missing, set->n);
}

/*
 * `up`'s side of a start, in steps: begun (the launcher and its
 * template), each node added (its netns sent: its supervisor is cloned
 * and makes its view meanwhile), finished (every node prepared, then
 * released, then ready), ended always (if not finished: the launchers
 * killed, and the supervisors not released leave by themselves; those
 * recorded are the caller's rollback's).  The nodes of the set are added
 * in order, k = 0..
 */
struct nlab_nodes_run {
	const struct nlab_topology *t;
	struct node_set set;
	pid_t pid;   /* launcher 0 */
	int reports; /* read end of the report pipe */
	int release; /* write end of the release pipe */
	unsigned n_chan;
	int chan[NLAB_WIRE_CHANS];
	bool *prepared, *ready; /* [t->n_nodes] */
	volatile sig_atomic_t *stop;
	size_t n_prepared, n_ready;
	unsigned stall;
	long long deadline;
};

/* One report handled: what it says of its node counted, an error in @e
 * if it is one.  @m NULL: EOF, every writer gone. */
static int take_msg(struct nlab_nodes_run *r, const struct ready_msg *m,
		    struct nlab_err *e)
{
	const struct nlab_topology *t = r->t;
	bool known = m && m->node >= 0 && (size_t)m->node < t->n_nodes;

	/* Anything heard from the start: it is not stuck. */
	r->deadline = (long long)nlab_now_ms() + r->stall;
	if (!m)
		return nlab_err_set(e, EIO,
				    "a node supervisor died while starting");
	if (m->kind == MSG_FAILED || !known)
		return known ? nlab_err_set(e, 0, "node %s: %s",
					    t->nodes[m->node].name, m->msg)
			     : nlab_err_set(e, 0, "%s", m->msg);
	if (m->kind == MSG_PREPARED && !r->prepared[m->node]) {
		r->prepared[m->node] = true;
		r->n_prepared++;
	} else if (m->kind == MSG_READY && !r->ready[m->node]) {
		r->ready[m->node] = true;
		r->n_ready++;
		nlab_pause("supervisors");
	}
	return 0;
}

/* The reports there are, without waiting: the launchers and supervisors
 * must never wait on a full pipe while `up` waits on them. */
static int drain(struct nlab_nodes_run *r, struct nlab_err *e)
{
	for (;;) {
		struct pollfd p = { .fd = r->reports, .events = POLLIN };
		struct ready_msg m;
		int n = poll(&p, 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		n = (int)read(r->reports, &m, sizeof(m));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && n != (int)sizeof(m)))
			return nlab_err_set(e, n < 0 ? errno : EPROTO,
					    "the nodes' reports");
		m.msg[sizeof(m.msg) - 1] = '\0';
		if (take_msg(r, n ? &m : NULL, e))
			return -1;
	}
}

static int nodes_begin(const struct nlab_topology *t, const size_t *which,
		       size_t n, struct nlab_state *st,
		       const struct rlimit *nofile, volatile sig_atomic_t *stop,
		       struct nlab_nodes_run **out, struct nlab_err *e)
{
	struct nlab_nodes_run *r = xcalloc(1, sizeof(*r));
	cleanup_close int wire = -1;
	struct nlab_wire_ctl ctl = {
		.up = getpid(),
		.state_dirfd = st->dirfd,
		.state_recfd = st->recfd,
		.has_nofile = nofile != NULL,
		.nofile = nofile ? *nofile : (struct rlimit){ 0 },
		.n_chan = nlab_launchers_for(n),
	};
	char path[PATH_MAX];
	int p[2] = { -1, -1 }, rel[2] = { -1, -1 };

	*out = r;
	r->t = t;
	r->set = (struct node_set){ .which = which, .n = n };
	r->pid = -1;
	r->reports = r->release = -1;
	r->n_chan = ctl.n_chan;
	for (unsigned c = 0; c < NLAB_WIRE_CHANS; c++)
		r->chan[c] = ctl.chan[c] = -1;
	r->prepared = xcalloc(t->n_nodes ? t->n_nodes : 1, sizeof(bool));
	r->ready = xcalloc(t->n_nodes ? t->n_nodes : 1, sizeof(bool));
	r->stop = stop;
	r->stall = nlab_test_stall_ms(NODE_STALL_MS);
	r->deadline = (long long)nlab_now_ms() + r->stall;
	if (!n)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0) {
		nlab_err_set(e, errno, "pipe");
		goto fail;
	}
	r->reports = p[0];
	if (pipe2(rel, O_CLOEXEC) < 0) {
		nlab_err_set(e, errno, "pipe");
		goto fail;
	}
	r->release = rel[1];
	ctl.ready_fd = p[1];
	ctl.release_fd = rel[0];
	/* Room for every node's reports, where the host allows it. */
	fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
	for (unsigned c = 0; c < ctl.n_chan; c++) {
		int sp[2];

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) <
		    0) {
			nlab_err_set(e, errno, "socketpair");
			goto fail;
		}
		r->chan[c] = sp[0];
		ctl.chan[c] = sp[1];
	}
	launcher_path(path, sizeof(path));
	wire = nlab_wire_make(t, which, n, &ctl, e);
	if (wire < 0)
		goto fail;
	fflush(NULL);
	r->pid = fork();
	if (r->pid < 0) {
		nlab_err_set(e, errno, "fork");
		goto fail;
	}
	if (r->pid == 0)
		launch_exec(path, wire, &ctl);
	close(p[1]);
	close(rel[0]);
	for (unsigned c = 0; c < ctl.n_chan; c++)
		close(ctl.chan[c]);
	return 0;
fail:
	if (p[1] >= 0)
		close(p[1]);
	if (rel[0] >= 0)
		close(rel[0]);
	for (unsigned c = 0; c < ctl.n_chan; c++)
		if (ctl.chan[c] >= 0)
			close(ctl.chan[c]);
	return -1;
}

static int nodes_add(struct nlab_nodes_run *r, size_t k, int netns_fd,
		     struct nlab_err *e)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c = { 0 };
	struct chan_msg m = { .k = (uint32_t)k };
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = c.buf,
			     .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int chan = r->chan[k % r->n_chan];

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &netns_fd, sizeof(int));
	for (;;) {
		struct pollfd p[] = {
			{ .fd = chan, .events = POLLOUT },
			{ .fd = r->reports, .events = POLLIN },
		};

		if (sendmsg(chan, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) ==
		    (ssize_t)sizeof(m))
			return 0;
		/* Gone: what it said before it went, if anything. */
		if (errno == EPIPE || errno == ECONNRESET)
			return drain(r, e)
				       ? -1
				       : nlab_err_set(e, EIO,
						      "the launcher is gone");
		if (errno != EAGAIN && errno != EINTR)
			return nlab_err_set(e, errno, "send a netns");
		/* Its queue is full (or a signal came): read the reports,
		 * which the launcher may be waiting to write, and wait for
		 * room. */
		if (drain(r, e))
			return -1;
		if (r->stop && *r->stop)
			return nlab_err_set(e, EINTR, "interrupted");
		if ((long long)nlab_now_ms() >= r->deadline)
			return not_started(r->t, &r->set, r->prepared,
					   r->n_prepared, r->stall, e);
		if (poll(p, ARRAY_SIZE(p), 1000) < 0 && errno != EINTR)
			return nlab_err_set(e, errno, "poll");
	}
}

/* Wait until every node of the set is counted in *@count (@seen: the
 * prepared or the ready ones), stopping early on a failure or @stop. */
static int wait_for(struct nlab_nodes_run *r, const size_t *count,
		    const bool *seen, volatile sig_atomic_t *stop,
		    struct nlab_err *e)
{
	while (*count < r->set.n) {
		struct ready_msg m;
		int n = read_msg(r->reports, &m, r->deadline);

		if (n < 0 && errno == EINTR && !(stop && *stop))
			continue;
		if (n < 0 && errno == EINTR)
			return nlab_err_set(e, EINTR, "interrupted");
		if (n < 0 && errno == ETIMEDOUT)
			return not_started(r->t, &r->set, seen, *count,
					   r->stall, e);
		if (n < 0)
			return nlab_err_set(e, errno, "waiting for the nodes");
		if (take_msg(r, n ? &m : NULL, e))
			return -1;
	}
	return 0;
}

/* Release every supervisor: one byte each, which a supervisor that is
 * gone leaves in the pipe. */
static int release_all(struct nlab_nodes_run *r, struct nlab_err *e)
{
	char buf[4096];
	size_t left = r->set.n;

	memset(buf, 'g', sizeof(buf));
	while (left) {
		ssize_t w = write(r->release, buf,
				  left < sizeof(buf) ? left : sizeof(buf));

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return nlab_err_set(e, errno, "release the nodes");
		left -= (size_t)w;
	}
	return 0;
}

static int nodes_finish(struct nlab_nodes_run *r, struct nlab_err *e)
{
	int status;

	if (!r->set.n)
		return 0;
	for (unsigned c = 0; c < r->n_chan; c++) {
		close(r->chan[c]);
		r->chan[c] = -1;
	}
	if (wait_for(r, &r->n_prepared, r->prepared, r->stop, e) ||
	    release_all(r, e) || wait_for(r, &r->n_ready, r->ready, r->stop, e))
		return -1;
	close(r->release);
	r->release = -1;
	while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
		;
	r->pid = -1;
	return 0;
}

static void nodes_end(struct nlab_nodes_run **rp)
{
	struct nlab_nodes_run *r = *rp;
	int status;

	if (!r)
		return;
	/* Not finished: the launchers killed (the later ones die with
	 * the first), and the supervisors waiting for their go or their
	 * release see EOF and leave; those recorded are the rollback's. */
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	for (unsigned c = 0; c < NLAB_WIRE_CHANS; c++)
		if (r->chan[c] >= 0)
			close(r->chan[c]);
	if (r->release >= 0)
		close(r->release);
	if (r->reports >= 0)
		close(r->reports);
	free(r->prepared);
	free(r->ready);
	free(r);
	*rp = NULL;
}

int nlab_nodes_start_some(const struct nlab_topology *t, const size_t *which,
			  size_t n, const int *netns_fd, struct nlab_state *st,
			  const struct rlimit *nofile,
			  volatile sig_atomic_t *stop, struct nlab_err *e)
{
	struct nlab_nodes_run *r = NULL;
	int ret = nodes_begin(t, which, n, st, nofile, stop, &r, e);

	for (size_t k = 0; k < n && !ret; k++)
		ret = nodes_add(r, k, netns_fd[which ? which[k] : k], e);
	if (!ret)
		ret = nodes_finish(r, e);
	nodes_end(&r);
	return ret;
}

int nlab_nodes_start(const struct nlab_topology *t, const int *netns_fd,
		     struct nlab_state *st, const struct rlimit *nofile,
		     volatile sig_atomic_t *stop, struct nlab_err *e)
{
	return nlab_nodes_start_some(t, NULL, t->n_nodes, netns_fd, st, nofile,
				     stop, e);
}
