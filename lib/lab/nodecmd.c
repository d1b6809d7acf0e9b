// SPDX-License-Identifier: MIT
/* Commands inside a node, output captured, time-limited: see nodecmd.h. */
#include "lab/nodecmd.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab/enter.h"
#include "base/util.h"

/* What the helper writes on its status pipe: one write, under PIPE_BUF. */
struct helper_msg {
	int end;
	int code;
	char why[200];
};

static void helper_report(int fd, const struct helper_msg *m)
{
	ssize_t w;

	do
		w = write(fd, m, sizeof(*m));
	while (w < 0 && errno == EINTR);
}

/* What the helper is given, all opened before it forks. */
struct job {
	int nsfd;    /* a pidfd of the node's supervisor */
	int rootfd;  /* the supervisor's root directory (O_PATH) */
	int devnull; /* the shell's stdin */
	int outw;    /* its stdout and stderr */
	int statw;   /* the helper's report */
	const char *dir, *cmd, *lab, *node;
	uint64_t limit_ms;
	pid_t parent;
};

static void shell(const struct job *j, const sigset_t *mask)
{
	sigprocmask(SIG_SETMASK, mask, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	if (dup2(j->devnull, 0) < 0 || dup2(j->outw, 1) < 0 ||
	    dup2(j->outw, 2) < 0)
		_exit(126);
	if (!j->dir || chdir(j->dir) < 0)
		if (chdir("/") < 0)
			_exit(126);
	setenv("NETLAB_LAB", j->lab, 1);
	setenv("NETLAB_NODE", j->node, 1);
	execl("/bin/sh", "sh", "-c", j->cmd, (char *)NULL);
	dprintf(2, "netlab: /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

/*
 * The helper: enter the node, run the shell, wait for it until its time
 * is up or netlab says stop (SIGTERM), tell how it ended.  It ends with
 * _exit: it sits in the node's PID namespace without being in it, where
 * nothing (not even a sanitizer's thread) may be started.
 */
static void helper(const struct job *j)
{
	struct helper_msg m = { .end = NLAB_CMD_ERROR };
	uint64_t deadline = nlab_now_ms() + j->limit_ms;
	sigset_t set, old;
	pid_t sh;
	int st = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != j->parent)
		_exit(0);
	if (setns(j->nsfd, CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWNS |
				   CLONE_NEWPID) < 0) {
		snprintf(m.why, sizeof(m.why), "enter node %s: %s", j->node,
			 errno == ESRCH ? "it is down" : strerror(errno));
		helper_report(j->statw, &m);
		_exit(0);
	}
	/* The node's root, not the mount namespace's own: they differ when
	 * netlab runs in a chroot (see nlab_node_enter). */
	if (fchdir(j->rootfd) < 0 || chroot(".") < 0) {
		snprintf(m.why, sizeof(m.why), "enter node %s: its root: %s",
			 j->node, strerror(errno));
		helper_report(j->statw, &m);
		_exit(0);
	}
	sh = fork();
	if (sh < 0) {
		snprintf(m.why, sizeof(m.why), "fork: %s", strerror(errno));
		helper_report(j->statw, &m);
		_exit(0);
	}
	if (sh == 0)
		shell(j, &old);
	setpgid(sh, sh);
	close(j->outw);
	for (;;) {
		uint64_t now = nlab_now_ms(), left;
		struct timespec ts;
		int sig;

		left = deadline > now ? deadline - now : 0;
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000;
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGCHLD) {
			if (waitpid(sh, &st, WNOHANG) == sh)
				break;
			continue;
		}
		if (sig < 0 && errno == EINTR)
			continue;
		/* time is up, or netlab gave up on it */
		kill(-sh, SIGKILL);
		kill(sh, SIGKILL);
		while (waitpid(sh, &st, 0) < 0 && errno == EINTR)
			;
		m.end = NLAB_CMD_TIMEOUT;
		helper_report(j->statw, &m);
		_exit(0);
	}
	if (WIFSIGNALED(st)) {
		m.end = NLAB_CMD_SIGNALED;
		m.code = WTERMSIG(st);
	} else {
		m.end = NLAB_CMD_EXITED;
		m.code = WEXITSTATUS(st);
	}
	helper_report(j->statw, &m);
	_exit(0);
}

int nlab_cmd_start(struct nlab_cmd *c, const char *lab, const char *node,
		   const char *dir, const char *command, uint64_t limit_ms,
		   struct nlab_err *e)
{
	cleanup_close int nsfd = -1, devnull = -1, rootfd = -1;
	int out[2] = { -1, -1 }, st[2] = { -1, -1 };
	pid_t sup, parent = getpid();
	char root[64];

	memset(c, 0, sizeof(*c));
	c->status_fd = c->out_fd = -1;
	nsfd = nlab_node_pidfd(lab, node, &sup, e);
	if (nsfd < 0)
		return -1;
	snprintf(root, sizeof(root), "/proc/%d/root", (int)sup);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return nlab_err_set(e, errno, "node %s: %s", node, root);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0)
		return nlab_err_set(e, errno, "open /dev/null");
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0) {
		nlab_err_set(e, errno, "pipe");
		goto fail;
	}
	fflush(NULL); /* nothing buffered is written twice */
	c->helper = fork();
	if (c->helper < 0) {
		nlab_err_set(e, errno, "fork");
		goto fail;
	}
	if (c->helper == 0) {
		struct job j = {
			.nsfd = nsfd,
			.rootfd = rootfd,
			.devnull = devnull,
			.outw = out[1],
			.statw = st[1],
			.dir = dir,
			.cmd = command,
			.lab = lab,
			.node = node,
			.limit_ms = limit_ms,
			.parent = parent,
		};

		close(out[0]);
		close(st[0]);
		helper(&j);
	}
	close(out[1]);
	close(st[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	c->out_fd = out[0];
	c->status_fd = st[0];
	c->start = nlab_now_ms();
	c->limit_ms = limit_ms;
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (st[i] >= 0)
			close(st[i]);
	}
	return -1;
}

size_t nlab_cmd_pollfds(const struct nlab_cmd *c, struct pollfd *p)
{
	size_t n = 0;

	if (c->status_fd >= 0)
		p[n++] =
			(struct pollfd){ .fd = c->status_fd, .events = POLLIN };
	if (c->out_fd >= 0)
		p[n++] = (struct pollfd){ .fd = c->out_fd, .events = POLLIN };
	return n;
}

/* Read what the output pipe holds; close it at its end. */
static void read_out(struct nlab_cmd *c)
{
	struct nlab_cmd_result *r = &c->res;
	char buf[16384];

	while (c->out_fd >= 0) {
		ssize_t n = read(c->out_fd, buf, sizeof(buf));
		size_t keep;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close(c->out_fd);
			c->out_fd = -1;
			return;
		}
		keep = r->len < NLAB_CMD_OUT_MAX ? NLAB_CMD_OUT_MAX - r->len
						 : 0;
		if ((size_t)n > keep)
			r->truncated = true;
		else
			keep = (size_t)n;
		if (!keep)
			continue;
		r->out = xrealloc(r->out, r->len + keep + 1);
		memcpy(r->out + r->len, buf, keep);
		r->len += keep;
		r->out[r->len] = '\0';
	}
}

/* The helper has spoken (or died): the command's end. */
static void finish(struct nlab_cmd *c)
{
	struct nlab_cmd_result *r = &c->res;
	struct helper_msg m;
	ssize_t n;

	do
		n = read(c->status_fd, &m, sizeof(m));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(m)) {
		r->end = (enum nlab_cmd_end)m.end;
		r->code = m.code;
		m.why[sizeof(m.why) - 1] = '\0';
		snprintf(r->why, sizeof(r->why), "%s", m.why);
	} else {
		r->end = NLAB_CMD_ERROR;
		snprintf(r->why, sizeof(r->why), "its helper process died");
	}
	close(c->status_fd);
	c->status_fd = -1;
	/* What the shell wrote before it ended is in the pipe by now; what
	 * it left in the background may write on, unread. */
	read_out(c);
	if (c->out_fd >= 0) {
		close(c->out_fd);
		c->out_fd = -1;
	}
	while (waitpid(c->helper, NULL, 0) < 0 && errno == EINTR)
		;
	c->helper = 0;
	r->ms = nlab_now_ms() - c->start;
	if (!r->out)
		r->out = xstrdup("");
}

bool nlab_cmd_step(struct nlab_cmd *c, const struct pollfd *p, size_t n)
{
	bool status = false;

	for (size_t i = 0; i < n; i++) {
		if (!p[i].revents)
			continue;
		if (p[i].fd == c->out_fd)
			read_out(c);
		else if (p[i].fd == c->status_fd)
			status = true;
	}
	if (!status)
		return false;
	finish(c);
	return true;
}

void nlab_cmd_cancel(struct nlab_cmd *c)
{
	if (c->helper > 0) {
		kill(c->helper, SIGTERM);
		finish(c);
	}
}

int nlab_cmd_run(const char *lab, const char *node, const char *dir,
		 const char *command, uint64_t limit_ms,
		 struct nlab_cmd_result *res, struct nlab_err *e)
{
	struct nlab_cmd c;
	struct pollfd p[2];

	if (nlab_cmd_start(&c, lab, node, dir, command, limit_ms, e))
		return -1;
	for (;;) {
		size_t n = nlab_cmd_pollfds(&c, p);

		if (poll(p, n, -1) < 0 && errno != EINTR)
			break;
		if (nlab_cmd_step(&c, p, n))
			break;
	}
	nlab_cmd_cancel(&c); /* only if poll failed */
	*res = c.res;
	return 0;
}

void nlab_cmd_result_free(struct nlab_cmd_result *r)
{
	free(r->out);
	r->out = NULL;
	r->len = 0;
}

const char *nlab_cmd_end_str(const struct nlab_cmd_result *r, char *buf,
			     size_t len)
{
	switch (r->end) {
	case NLAB_CMD_EXITED:
		snprintf(buf, len, "exit %d", r->code);
		break;
	case NLAB_CMD_SIGNALED:
		snprintf(buf, len, "killed by signal %d (%s)", r->code,
			 strsignal(r->code));
		break;
	case NLAB_CMD_TIMEOUT:
		snprintf(buf, len, "killed after %.1f s (its time was up)",
			 r->ms / 1000.0);
		break;
	default:
		snprintf(buf, len, "%s", r->why);
		break;
	}
	return buf;
}

char *nlab_text_tail(const char *out, size_t len, size_t max_lines,
		     const char *indent)
{
	size_t start = len, lines = 0, cap = 0, used = 0;
	char *buf = NULL;

	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		len--;
	start = len;
	while (start > 0 && lines < max_lines) {
		start--;
		if (out[start] == '\n' && ++lines == max_lines) {
			start++;
			break;
		}
	}
	xgrow(&buf, &cap, 1, 1);
	buf[0] = '\0';
	while (start < len) {
		const char *nl = memchr(out + start, '\n', len - start);
		size_t l = nl ? (size_t)(nl - (out + start)) : len - start;
		size_t show = l > 160 ? 160 : l;

		xgrow(&buf, &cap, used + strlen(indent) + show + 8, 1);
		used += (size_t)sprintf(buf + used, "%s", indent);
		/* a terminal's control sequences are shown, not obeyed */
		for (size_t i = 0; i < show; i++) {
			unsigned char ch = (unsigned char)out[start + i];

			buf[used++] = (ch < 0x20 && ch != '\t') || ch == 0x7f
					      ? '?'
					      : (char)ch;
		}
		used += (size_t)sprintf(buf + used, "%s\n",
					show < l ? "..." : "");
		start += l + 1;
	}
	return buf;
}
