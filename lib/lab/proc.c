// SPDX-License-Identifier: MIT
/* Stopping a lab's processes, known by pid and start time (pids are
 * reused), through pidfds so that waiting costs no polling loop. */
#include "lab/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "kernel/netns.h"
#include "lab/node.h"
#include "base/util.h"
#include "topology/nsname.h"

/* Grace period between SIGTERM and SIGKILL; `down --grace` sets it. */
int nlab_grace_ms = 5000;

#define SUPERVISOR_COMM "netlab-node"

/* What /proc/PID/stat says of a process: its comm (field 2), start time
 * (22) and the bounds of its argument area (48, 49). */
struct pstat {
	char comm[32];
	unsigned long long start, arg_start, arg_end;
};

/* Read one small file of /proc/PID (@dir, open on it) into @buf. */
static ssize_t read_small(int dir, const char *file, char *buf, size_t len)
{
	cleanup_close int fd = openat(dir, file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || (n = read(fd, buf, len - 1)) < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static bool read_stat(int dir, struct pstat *ps)
{
	char buf[1024], *open_paren, *p, *tok, *save = NULL;
	size_t len;

	if (read_small(dir, "stat", buf, sizeof(buf)) <= 0)
		return false;
	/* comm may hold spaces and parentheses: it runs from the first
	 * '(' to the last ')', and the fields restart after that. */
	open_paren = strchr(buf, '(');
	p = strrchr(buf, ')');
	if (!open_paren || !p || p < open_paren)
		return false;
	len = (size_t)(p - open_paren - 1);
	if (len >= sizeof(ps->comm))
		return false;
	memcpy(ps->comm, open_paren + 1, len);
	ps->comm[len] = '\0';
	tok = strtok_r(p + 1, " ", &save);
	for (int field = 3; tok && field <= 49; field++) {
		if (field == 22)
			ps->start = strtoull(tok, NULL, 10);
		else if (field == 48)
			ps->arg_start = strtoull(tok, NULL, 10);
		else if (field == 49) {
			ps->arg_end = strtoull(tok, NULL, 10);
			return true;
		}
		tok = strtok_r(NULL, " ", &save);
	}
	return false;
}

/* PID 1 of its own PID namespace: the NSpid line of /proc/PID/status
 * has two pids or more, and the last is 1. */
static bool pid_one(int dir)
{
	char buf[4096], *p, *last = NULL, *save = NULL;
	size_t n = 0;

	if (read_small(dir, "status", buf, sizeof(buf)) < 0)
		return false;
	p = strstr(buf, "\nNSpid:");
	if (!p)
		return false;
	p += strlen("\nNSpid:");
	p[strcspn(p, "\n")] = '\0';
	for (char *t = strtok_r(p, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		last = t;
		n++;
	}
	return n >= 2 && !strcmp(last, "1");
}

/* Its command line is "netlab-node LAB.NODE", or as much of it as its
 * argument area holds (the supervisor's name is written over the one it
 * inherited, in place; see name_process in node.c). */
static bool named(int dir, const struct pstat *ps, const char *want)
{
	char buf[256];
	size_t cut;

	if (read_small(dir, "cmdline", buf, sizeof(buf)) < 0 ||
	    ps->arg_end <= ps->arg_start)
		return false;
	cut = strlen(want);
	if (cut > ps->arg_end - ps->arg_start - 1)
		cut = ps->arg_end - ps->arg_start - 1;
	return strlen(buf) == cut && !strncmp(buf, want, cut);
}

/* The identity of node @node's netns, as recorded when it was made; a
 * version 1 record has none: the namespace bound at its name now. */
static bool node_netns(const struct nlab_record *rec, const char *ns,
		       struct nlab_ident *id)
{
	const struct nlab_rec *r = nlab_record_find(rec, NLAB_REC_NETNS, ns);
	char path[128];
	struct statfs sfs;
	struct stat sb;

	if (r && r->id.set) {
		*id = r->id;
		return true;
	}
	if (!r || rec->version >= 2)
		return false;
	snprintf(path, sizeof(path), NLAB_NETNS_DIR "/%s", ns);
	if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    statfs(path, &sfs) < 0 || sfs.f_type != NSFS_MAGIC)
		return false;
	nlab_ident_of(id, &sb);
	return true;
}

/* NULL if the process of @dir (/proc/PID) is the supervisor of node
 * @node of lab @lab, whose netns is @netns (NULL: not known), else why
 * not. */
static const char *not_supervisor(int dir, const struct pstat *ps,
				  const char *lab, const char *node,
				  const struct nlab_ident *netns)
{
	char ns[NLAB_NAME_MAX * 2 + 2], want[128];
	struct stat sb;

	if (strcmp(ps->comm, SUPERVISOR_COMM))
		return "its comm is not " SUPERVISOR_COMM;
	nlab_ns_name(ns, sizeof(ns), lab, node);
	snprintf(want, sizeof(want), SUPERVISOR_COMM " %s", ns);
	if (!named(dir, ps, want))
		return "its command line names another lab or node";
	if (!pid_one(dir))
		return "it is not PID 1 of its own PID namespace";
	if (!netns)
		return "the node's namespace is not known";
	if (fstatat(dir, "ns/net", &sb, 0) < 0 || !nlab_ident_is(netns, &sb))
		return "it is not in the node's namespace";
	return NULL;
}

int nlab_proc_open_as(const char *lab, const char *node, pid_t pid,
		      unsigned long long start, const struct nlab_ident *netns,
		      char *why, size_t len)
{
	cleanup_close int fd = -1, dir = -1;
	struct pstat ps = { 0 };
	const char *bad;
	char path[64];

	if (why && len)
		why[0] = '\0';
	if (pid <= 1)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -1;
	/* Opened after the pidfd, /proc/PID stays this very process's
	 * (its files answer ESRCH once it is reaped, even if its pid is
	 * taken again): if its start time is the one expected, the pidfd
	 * pins the same process, and every read below is of it. */
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 || !read_stat(dir, &ps) || ps.start != start ||
	    nlab_pidfd_exited(fd))
		return -1;
	bad = not_supervisor(dir, &ps, lab, node, netns);
	if (bad) {
		if (why)
			snprintf(why, len, "%s", bad);
		return -1;
	}
	return steal_fd(fd);
}

int nlab_proc_open(const struct nlab_record *rec, const struct nlab_rec *r,
		   pid_t *out, char *why, size_t len)
{
	char ns[NLAB_NAME_MAX * 2 + 2];
	unsigned long long start;
	struct nlab_ident id;
	int pid;

	if (why && len)
		why[0] = '\0';
	if (sscanf(r->arg, "%d %llu", &pid, &start) != 2 || pid <= 1)
		return -1;
	if (out)
		*out = pid;
	nlab_ns_name(ns, sizeof(ns), rec->lab, r->name);
	return nlab_proc_open_as(rec->lab, r->name, pid, start,
				 node_netns(rec, ns, &id) ? &id : NULL, why,
				 len);
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
 * are still alive.  A pidfd polls readable once its process exits.  One
 * pidfd at a time, in order: a poll() of all of them after each exit
 * would cost O(N) each time, O(N^2) for a lab (seconds at 1000 nodes);
 * by the time the first has exited most others have too, and their
 * polls return at once.  After @ms each is only looked at. */
static size_t wait_all(struct pollfd *p, size_t n, int ms)
{
	long long end = (long long)nlab_now_ms() + ms;
	size_t alive = 0;

	for (size_t i = 0; i < n; i++) {
		int r;

		if (p[i].fd < 0)
			continue;
		do {
			long long left = end - (long long)nlab_now_ms();

			r = poll(&p[i], 1, left > 0 ? (int)left : 0);
		} while (r < 0 && errno == EINTR);
		if (r > 0 && p[i].revents) {
			close(p[i].fd);
			p[i].fd = -1;
		}
		alive += p[i].fd >= 0;
	}
	return alive;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int nlab_proc_stop_all(const struct nlab_record *rec, const struct nlab_warn *w,
		       struct nlab_err *e)
{
	return nlab_proc_stop_nodes(rec, NULL, 0, w, e);
}

int nlab_proc_stop_nodes(const struct nlab_record *rec,
			 const char *const *nodes, size_t n_nodes,
			 const struct nlab_warn *w, struct nlab_err *e)
{
	struct pollfd *p = xcalloc(rec->n ? rec->n : 1, sizeof(*p));
	int *fds = xcalloc(rec->n ? rec->n : 1, sizeof(int));
	/* Sorted, for a look-up per record line: a large lab's record has
	 * thousands of them. */
	cleanup_free const char **want =
		xcalloc(n_nodes ? n_nodes : 1, sizeof(*want));
	size_t n = 0, alive;

	for (size_t i = 0; i < n_nodes; i++)
		want[i] = nodes[i];
	if (n_nodes)
		qsort(want, n_nodes, sizeof(*want), cmp_str);
	for (size_t i = 0; i < rec->n; i++) {
		const struct nlab_rec *r = &rec->recs[i];
		char why[128];
		pid_t pid;
		int fd;

		if (r->kind != NLAB_REC_PROC)
			continue;
		if (nodes &&
		    !bsearch(&r->name, want, n_nodes, sizeof(*want), cmp_str))
			continue;
		fd = nlab_proc_open(rec, r, &pid, why, sizeof(why));
		if (fd < 0) {
			if (why[0])
				nlab_warn(w,
					  "record line %d: pid %d is not a "
					  "netlab supervisor of lab %s (%s): "
					  "skipped, not signalled",
					  r->line, (int)pid, rec->lab, why);
			continue;
		}
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
