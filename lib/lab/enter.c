// SPDX-License-Identifier: MIT
#include "lab/enter.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/lifecycle.h"
#include "lab/names.h"
#include "lab/node.h"
#include "lab/nodeentry.h"
#include "lab/nodeenv.h"
#include "kernel/pidns.h"
#include "lab/proc.h"
#include "lab/runstate.h"
#include "lab/state.h"
#include "base/util.h"

int nlab_record_supervisor(const struct nlab_record *rec, const char *node,
			   pid_t *pid)
{
	/* A supervisor is recorded once per up; the newest entry that still
	 * is one wins (a line appended by someone else does not hide it). */
	bool recorded = false;

	for (size_t i = rec->n; i-- > 0;) {
		int fd;

		if (rec->recs[i].kind != NLAB_REC_PROC ||
		    strcmp(rec->recs[i].name, node))
			continue;
		recorded = true;
		fd = nlab_proc_open(rec, &rec->recs[i], pid, NULL, 0);
		if (fd >= 0)
			return fd;
	}
	return recorded ? -1 : -2;
}

/* Was the node stopped by `netlab stop`?  From @rec, or (NULL) from the
 * record read now. */
static bool stop_requested(const char *lab, const struct nlab_record *rec,
			   const char *node)
{
	struct nlab_record now;
	struct nlab_err ign;
	bool yes;

	if (rec)
		return nlab_node_stop_requested(lab, rec, node);
	if (nlab_state_peek(lab, &now, &ign))
		return false;
	yes = nlab_node_stop_requested(lab, &now, node);
	nlab_record_free(&now);
	return yes;
}

/* A recorded node whose supervisor is gone: stopped (by `netlab stop`,
 * or it said so before leaving) or dead. */
static int node_down(const char *lab, const char *node,
		     const struct nlab_record *rec, struct nlab_err *e)
{
	struct nlab_run r;
	char why[64];

	if (stop_requested(lab, rec, node))
		return nlab_err_set(e, 0,
				    "node %s is stopped (by `netlab stop`; "
				    "`netlab start %s %s` starts it)",
				    node, lab, node);
	nlab_run_read(lab, node, &r);
	if (!r.stop_signal)
		return nlab_err_set(
			e, 0, "node %s is down (its supervisor is dead)", node);
	nlab_stop_str(&r, why, sizeof(why));
	return nlab_err_set(e, 0,
			    "node %s is stopped (its supervisor exited after "
			    "%s)",
			    node, why);
}

/* Why a node has no supervisor to enter: no such node, or it stopped. */
static int no_supervisor(const char *lab, const char *node, struct nlab_err *e)
{
	struct nlab_topology *t;
	bool known;

	if (nlab_lab_topology(lab, &t, e))
		return -1;
	known = nlab_topology_node(t, node);
	if (!known)
		nlab_err_no_node(e, t, node, false);
	nlab_topology_free(t);
	if (known) {
		nlab_err_set(e, 0,
			     "node %s of lab %s is not running (no "
			     "supervisor: `netlab status %s` tells more)",
			     node, lab, lab);
		e->errnum = ENOENT;
	}
	return -1;
}

/* The long way: the supervisor from the lab's record. */
static int record_pidfd(const char *lab, const char *node, pid_t *pid,
			struct nlab_err *e)
{
	struct nlab_record rec;
	int r, fd;

	r = nlab_state_peek(lab, &rec, e);
	if (r < 0)
		return -1;
	if (r == 1)
		return nlab_err_no_lab(e, lab);
	fd = nlab_record_supervisor(&rec, node, pid);
	if (fd == -1)
		fd = node_down(lab, node, &rec, e);
	nlab_record_free(&rec);
	if (fd == -1)
		return -1;
	if (fd < 0)
		return no_supervisor(lab, node, e);
	return fd;
}

int nlab_node_pidfd(const char *lab, const char *node, pid_t *pid,
		    struct nlab_err *e)
{
	struct nlab_entry en;

	/* The node's entry file first: checked, it saves reading the
	 * whole record; anything amiss with it and the record decides. */
	if (nlab_entry_read(lab, node, &en, NULL, 0) == 0) {
		int fd = steal_fd(en.pidfd);

		*pid = en.pid;
		nlab_entry_free(&en);
		return fd;
	}
	return record_pidfd(lab, node, pid, e);
}

/* Enter the node of supervisor @pid (@fd, its pidfd). */
static int enter(const char *lab, const char *node, int fd, pid_t pid,
		 struct nlab_err *e)
{
	cleanup_close int root = -1;
	char path[64];

	/* Entering a mount namespace moves the caller to that namespace's
	 * root, which is not the node's when netlab runs in a chroot: take
	 * the supervisor's own root along (as nsenter --root does).  The
	 * setns below succeeds only if the supervisor still lives, so this
	 * /proc entry was its own; it may have died since it was found. */
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return errno == ENOENT || errno == ESRCH
			       ? node_down(lab, node, NULL, e)
			       : nlab_err_set(e, errno, "node %s: %s", node,
					      path);
	/* One setns on a pidfd enters them all at once (Linux 5.8). */
	if (setns(fd,
		  CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWPID) < 0)
		return errno == ESRCH
			       ? node_down(lab, node, NULL, e)
			       : nlab_err_set(e, errno, "enter node %s", node);
	if (fchdir(root) < 0 || chroot(".") < 0)
		return nlab_err_set(e, errno, "node %s: enter its root", node);
	return 0;
}

int nlab_node_enter(const char *lab, const char *node, struct nlab_err *e)
{
	pid_t pid;
	cleanup_close int fd = nlab_node_pidfd(lab, node, &pid, e);

	if (fd < 0)
		return -1;
	return enter(lab, node, fd, pid, e);
}

/* The node's environment from the lab's stored topology. */
static char **topology_environ(const char *lab, const char *node,
			       const char *term, struct nlab_err *e)
{
	cleanup_topology struct nlab_topology *t = NULL;
	const struct nlab_node *n;

	if (nlab_lab_topology(lab, &t, e))
		return NULL;
	n = nlab_topology_node(t, node);
	if (!n) {
		nlab_err_no_node(e, t, node, false);
		return NULL;
	}
	return nlab_node_environ(lab, n, term);
}

int nlab_node_enter_env(const char *lab, const char *node, const char *term,
			char ***env, struct nlab_err *e)
{
	struct nlab_entry en;
	int ret;

	*env = NULL;
	if (nlab_entry_read(lab, node, &en, NULL, 0) == 0) {
		struct nlab_node n = { .env = en.env, .n_env = en.n_env };

		snprintf(n.name, sizeof(n.name), "%s", node);
		*env = nlab_node_environ(lab, &n, term);
		ret = enter(lab, node, en.pidfd, en.pid, e);
		nlab_entry_free(&en);
	} else {
		/* Read before entering the node, where /run/netlab is
		 * hidden. */
		*env = topology_environ(lab, node, term, e);
		ret = *env ? nlab_node_enter(lab, node, e) : -1;
	}
	if (ret) {
		nlab_environ_free(*env);
		*env = NULL;
	}
	return ret;
}

/* The last NSpid field of /proc/PID/status: the pid in its own ns. */
static pid_t inner_pid(pid_t pid)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	pid_t inner = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		char *p;

		if (strncmp(line, "NSpid:", 6))
			continue;
		p = strrchr(line, '\t');
		inner = p ? atoi(p + 1) : 0;
		break;
	}
	free(line);
	fclose(f);
	return inner;
}

static void cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	cleanup_close int fd = -1;
	ssize_t n;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, len - 1)) <= 0) {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? 0 : read(fd, buf, len - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		return;
	}
	buf[n] = '\0';
	for (ssize_t i = 0; i < n - 1; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	/* A rewritten command line (a supervisor's) is padded with NULs. */
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\0'))
		buf[--n] = '\0';
}

static int cmp_proc(const void *a, const void *b)
{
	const struct nlab_nodeproc *x = a, *y = b;

	return (x->node_pid > y->node_pid) - (x->node_pid < y->node_pid);
}

int nlab_node_procs(const char *lab, const char *node,
		    struct nlab_nodeproc **procs, size_t *n, struct nlab_err *e)
{
	pid_t sup;
	cleanup_close int fd = nlab_node_pidfd(lab, node, &sup, e);
	ino_t ns;
	size_t cap = 0;
	struct dirent *de;
	DIR *d;

	*procs = NULL;
	*n = 0;
	if (fd < 0)
		return -1;
	ns = nlab_pidns_of(sup);
	d = opendir("/proc");
	if (!ns || !d) {
		if (d)
			closedir(d);
		return nlab_err_set(e, errno, "read /proc");
	}
	while ((de = readdir(d))) {
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (nlab_pidns_of(pid) != ns)
			continue;
		xgrow(procs, &cap, *n + 1, sizeof(**procs));
		(*procs)[*n].host_pid = pid;
		(*procs)[*n].node_pid = inner_pid(pid);
		cmdline(pid, (*procs)[*n].cmd, sizeof((*procs)[*n].cmd));
		(*n)++;
	}
	closedir(d);
	qsort(*procs, *n, sizeof(**procs), cmp_proc);
	return 0;
}
