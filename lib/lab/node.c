// SPDX-License-Identifier: MIT
/* Node supervisors: the launcher, the supervisor's setup and its loop.
 * See node.h for the protocol. */
#include "lab/node.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "lab/hosts.h"
#include "kernel/netns.h"
#include "lab/nodeentry.h"
#include "lab/nodeenv.h"
#include "lab/nodewire.h"
#include "lab/nodefs.h"
#include "lab/nodeproto.h"
#include "lab/nodelog.h"
#include "lab/runstate.h"
#include "base/util.h"
#include "base/parallel.h"
#include "base/testhook.h"

/* A lab of this many nodes or more gets a launcher per CPU. */
#define LAUNCH_SPLIT_MIN 64

/* What a supervisor gets from the launcher: its node and the only
 * descriptors it keeps (everything else is closed at its start). */
struct sup_args {
	const struct nlab_topology *t;
	const struct nlab_node *node;
	int idx;
	int ready_fd;	/* report to `up` */
	int go_fd;	/* read end of its own "recorded" pipe */
	int release_fd; /* `up`'s: a byte each once the lab is built */
	int state_fd;	/* the lab's state directory */
	const struct rlimit *nofile; /* the caller's, before `up` raised it */
	const struct nlab_fsplan *plan; /* the host's private directories */
	/* The launcher's environment strings, where each supervisor's copy
	 * of them lies too (read once, by the launcher: own_area()). */
	unsigned long env_start, env_end;
};

/* The state directory, for write_state(); set once in each supervisor. */
static int state_dir_fd = -1;
/* What this supervisor last said about its node (see runstate.h). */
static struct nlab_run run_state;
/* `down` said the lab's state goes too (NLAB_STOP_GONE): say no more. */
static bool state_gone;
/* The launcher's nodes (nodewire.h), which a supervisor unmaps once its
 * node's strings, which point into them, are no longer needed. */
static struct nlab_wire *sup_wire;
/* The node's own /proc, opened as it is mounted: what signal_node()
 * lists, whatever a node's process mounts over /proc later. */
static int proc_fd = -1;

/* How long a stop from inside the node waits for its processes before
 * SIGKILL, as `down`'s default grace (nobody outside follows it up). */
#define INSIDE_STOP_GRACE_S 5

static void send_msg(int fd, const struct ready_msg *m)
{
	if (write(fd, m, sizeof(*m)) < 0) {
		/* `up` is gone: nobody to tell. */
	}
}

void nlab_node_report(int fd, int node, int err, const char *fmt, ...)
{
	struct ready_msg m = { .node = node, .err = err, .kind = MSG_FAILED };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m.msg, sizeof(m.msg), fmt, ap);
	va_end(ap);
	send_msg(fd, &m);
}

static void report_kind(int fd, int node, enum ready_kind kind)
{
	struct ready_msg m = { .node = node, .kind = (int32_t)kind };

	send_msg(fd, &m);
}

unsigned long long nlab_proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	cleanup_close int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields restart after the
	 * last ')'.  Field 3 (state) follows; start time is field 22. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	if (sscanf(p + 2,
		   "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
		   "%*d %*d %*d %*d %*d %*d %llu",
		   &start) != 1)
		return 0;
	return start;
}

/* NODE.run in the lab's state dir, replaced atomically, from run_state. */
static int write_state(const char *node)
{
	char tmp[NLAB_NAME_MAX + 16], name[NLAB_NAME_MAX + 16], buf[128];
	int fd, n;

	if (state_gone)
		return 0;
	nlab_run_format(&run_state, buf, sizeof(buf));
	n = (int)strlen(buf);
	snprintf(tmp, sizeof(tmp), ".%s" NLAB_RUN_SUFFIX, node);
	snprintf(name, sizeof(name), "%s" NLAB_RUN_SUFFIX, node);
	fd = openat(state_dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -1;
	if (write(fd, buf, n) != n) {
		close(fd);
		return -1;
	}
	close(fd);
	return renameat(state_dir_fd, tmp, state_dir_fd, name);
}

/* `down` is removing the lab (state_gone): the files this supervisor
 * wrote go now, each node removing its own while the others do the same,
 * rather than one after the other in `down` (which still removes what is
 * left).  On a file system that discards freed blocks synchronously (ext4
 * without a journal, mounted with -o discard), each removal of a file with
 * data waits for the disk. */
static void forget_files(const char *node)
{
	static const char *const suffixes[] = {
		NLAB_RUN_SUFFIX,
		NLAB_LOG_SUFFIX,
		NLAB_LOG_OLD_SUFFIX,
		NLAB_LOG_DROPPED_SUFFIX,
	};
	char name[NLAB_NAME_MAX + 16];

	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(name, sizeof(name), "%s%s", node, suffixes[i]);
		unlinkat(state_dir_fd, name, 0);
	}
}

/* ---- the supervisor's setup, inside its new namespaces ------------------ */

/* MS_RDONLY if the host's /sys is read-only, else 0: set by the launcher,
 * which took the host's /sys away from the template (sys_detach()). */
static unsigned long sys_ro;

/* The template's /sys is no more than the directory: the host's sysfs
 * and what is mounted under it (a dozen cgroup and tracing mounts, more
 * on a systemd host) would otherwise be copied into every node's mount
 * namespace, only for each node to unmount them, all under the one lock
 * every mount and clone in the system takes. */
static int sys_detach(void)
{
	struct statvfs sv;

	/* read-only if the host's is (as ip netns exec does) */
	if (statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		sys_ro = MS_RDONLY;
	return umount2("/sys", MNT_DETACH) < 0 && errno != EINVAL ? -1 : 0;
}

static int mount_proc_sys(struct nlab_err *e)
{
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return nlab_err_set(e, errno, "mount /proc");
	proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* A sysfs mounted from inside the netns shows the node's
	 * interfaces. */
	if (mount("sysfs", "/sys", "sysfs",
		  sys_ro | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return nlab_err_set(e, errno, "mount /sys");
	return 0;
}

/* /etc/netns/LAB.NODE/ENTRY over /etc/ENTRY, as ip netns exec does; an
 * entry whose target does not exist is skipped, and so is a symlink (as
 * the directory itself: netlab follows none under /etc/netns), and one
 * the node's files bring.  Read with getdents64() into a buffer on the
 * stack, not with opendir(), whose 32 KiB buffer on the heap would cost
 * every supervisor pages of its own. */
static int bind_etc(const struct nlab_topology *t, const struct nlab_node *n,
		    const struct nlab_nodefs *fs, struct nlab_err *e)
{
	char dir[sizeof(NLAB_ETC_NETNS) + 2 * NLAB_NAME_MAX + 2];
	char src[sizeof(dir) + NAME_MAX + 1], dst[sizeof("/etc/") + NAME_MAX];
	char ents[1024] __attribute__((aligned(8)));
	cleanup_close int fd = -1;
	ssize_t len;

	snprintf(dir, sizeof(dir), NLAB_ETC_NETNS "/%s.%s", t->name, n->name);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while ((len = getdents64(fd, ents, sizeof(ents))) > 0) {
		for (ssize_t off = 0; off < len;) {
			const struct dirent64 *de = (void *)(ents + off);

			off += de->d_reclen;
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, "..") || de->d_type == DT_LNK)
				continue;
			snprintf(src, sizeof(src), "%s/%s", dir, de->d_name);
			snprintf(dst, sizeof(dst), "/etc/%s", de->d_name);
			if (access(dst, F_OK) < 0 ||
			    nlab_nodefs_brings(fs, dst))
				continue;
			if (mount(src, dst, "none", MS_BIND, NULL) < 0)
				return nlab_err_set(e, errno, "bind %s over %s",
						    src, dst);
		}
	}
	return 0;
}

/* bind and tmpfs, last: they go over everything else.  A bind's source
 * was opened before anything could hide it (nlab_nodefs_open). */
static int user_mounts(const struct nlab_node *n, const struct nlab_nodefs *fs,
		       struct nlab_err *e)
{
	for (size_t i = 0; i < n->n_mounts; i++) {
		const struct nlab_mount *m = &n->mounts[i];
		char src[64], opts[128];

		if (!m->source) {
			int l = snprintf(opts, sizeof(opts), "mode=%04o",
					 m->mode >= 0 ? m->mode : 0755);

			if (m->size)
				l += snprintf(opts + l, sizeof(opts) - l,
					      ",size=%llu",
					      (unsigned long long)m->size);
			if (m->uid >= 0)
				l += snprintf(opts + l, sizeof(opts) - l,
					      ",uid=%lld", m->uid);
			if (m->gid >= 0)
				snprintf(opts + l, sizeof(opts) - l,
					 ",gid=%lld", m->gid);
			if (mount("tmpfs", m->target, "tmpfs",
				  MS_NOSUID | MS_NODEV, opts) < 0)
				return nlab_err_set(e, errno, "tmpfs %s",
						    m->target);
			continue;
		}
		nlab_nodefs_source(fs, i, src, sizeof(src));
		if (mount(src, m->target, "none", MS_BIND | MS_REC, NULL) < 0)
			return nlab_err_set(e, errno, "bind %s:%s", m->source,
					    m->target);
		if (m->readonly &&
		    mount("none", m->target, "none",
			  MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			return nlab_err_set(e, errno, "read-only %s",
					    m->target);
	}
	return 0;
}

/* The node's view, in the order nodefs.h explains. */
static int sup_setup(const struct sup_args *a, struct nlab_err *e)
{
	const struct nlab_node *n = a->node;
	struct nlab_nodefs fs;
	int ret;

	if (setsid() < 0)
		return nlab_err_set(e, errno, "setsid");
	if (sethostname(n->name, strlen(n->name)) < 0)
		return nlab_err_set(e, errno, "sethostname");
	/* Mounts made here never reach the host, and the host's unmounts
	 * reach here: the template is an rslave copy of the host's (see
	 * launcher()), and a copy of a slave mount is a slave of the same
	 * master.  (Making / rslave again here took the namespace lock for
	 * a walk of every mount, once per node.) */
	ret = nlab_nodefs_open(&fs, a->t, n, a->plan, a->state_fd, e) ||
	      nlab_nodefs_root(&fs, e) || mount_proc_sys(e) ||
	      nlab_nodefs_private(&fs, e) || nlab_nodefs_files(&fs, e) ||
	      bind_etc(a->t, n, &fs, e) || user_mounts(n, &fs, e);
	nlab_nodefs_close(&fs);
	return ret ? -1 : 0;
}

/* `run`'s environment is built in its own process, which exec replaces:
 * not on the supervisor's heap, whose pages would be its own for good.
 * @lang: the caller's LANG, kept from before the rest of the caller's
 * environment was wiped (forget_environ()); "" when it had none. */
static pid_t start_run(const struct sup_args *a, const char *lang)
{
	char *argv[] = { "sh", "-c", a->node->run, NULL };
	sigset_t none;
	char **env;
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (*lang)
		setenv("LANG", lang, 1);
	env = nlab_node_environ(a->t->name, a->node, NULL);
	/* Dispositions are the defaults already (see default_signals()). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close(a->ready_fd);
	close(a->state_fd);
	if (chdir(a->t->dir) < 0) {
		fprintf(stderr, "netlab: %s: cd %s: %s\n", a->node->name,
			a->t->dir, strerror(errno));
		_exit(126);
	}
	execve("/bin/sh", argv, env);
	fprintf(stderr, "netlab: %s: /bin/sh: %s\n", a->node->name,
		strerror(errno));
	_exit(127);
}

/*
 * @sig to every other process of the node: each its /proc lists (the
 * processes with a pid in its PID namespace, those of namespaces nested
 * in it too).  Not kill(-1), which looks at every process of the host to
 * find those: for each node of a lab going down, O(N^2) in all.
 */
static void signal_node(int sig)
{
	char ents[2048] __attribute__((aligned(8)));
	ssize_t len;

	if (proc_fd < 0 || lseek(proc_fd, 0, SEEK_SET) < 0) {
		kill(-1, sig);
		return;
	}
	while ((len = getdents64(proc_fd, ents, sizeof(ents))) > 0) {
		for (ssize_t off = 0; off < len;) {
			const struct dirent64 *de = (void *)(ents + off);
			char *end;
			long pid;

			off += de->d_reclen;
			pid = strtol(de->d_name, &end, 10);
			if (*end || end == de->d_name || pid <= 1)
				continue;
			kill((pid_t)pid, sig);
		}
	}
	if (len < 0)
		kill(-1, sig);
}

/* A stop: SIGTERM to every other process of the node.  The first stop
 * signal is what NODE.run will say; one sent from inside the node (a
 * sender the node's PID namespace can name) gets SIGKILL after a grace
 * period, since no `down` follows it up. */
static void begin_stop(const struct signalfd_siginfo *si)
{
	/* A sender outside the node (pid 0 here) speaks for `down`.  One
	 * inside could pretend to, and would only lose its own node's
	 * state files, which its root can reach anyway. */
	if (!si->ssi_pid && si->ssi_code == SI_QUEUE &&
	    si->ssi_int == NLAB_STOP_GONE)
		state_gone = true;
	if (!run_state.stop_signal) {
		run_state.stop_signal = (int)si->ssi_signo;
		run_state.stop_from =
			si->ssi_pid ? NLAB_STOP_NODE : NLAB_STOP_HOST;
		if (si->ssi_pid)
			alarm(INSIDE_STOP_GRACE_S);
	}
	signal_node(SIGTERM);
}

/* Bytes of output copied into the log before the signals get a look. */
#define LOG_BUDGET (256 * 1024)

/*
 * The node's stdout and stderr: a pipe whose write end becomes fd 1 and 2
 * of the supervisor (so of `run` and all it starts; `echo x
 * >/proc/1/fd/1` in the node adds to the log too), and whose read end the
 * supervisor copies into the capped log.  Read end, or -1 with @e.
 */
static int log_start(const struct sup_args *a, struct nlab_logw *w,
		     struct nlab_err *e)
{
	int p[2];

	if (nlab_logw_open(w, a->state_fd, a->node->name, a->node->log_max, e))
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return nlab_err_set(e, errno, "log pipe");
	/* Only the supervisor's end is non-blocking: a node's process
	 * writing to a full pipe waits, as it would on a terminal. */
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0 || dup2(p[1], 1) < 0 ||
	    dup2(p[1], 2) < 0)
		return nlab_err_set(e, errno, "log pipe");
	close(p[1]);
	return p[0];
}

/* PID 1 of the node: reap everything, remember how `run` ended, copy the
 * node's output into its log, and on SIGTERM pass it on to every process
 * of the node and leave once they are all gone (the kernel kills
 * whatever is left when PID 1 exits), with their last output logged,
 * saying so in NODE.run. */
static int sup_loop(const struct sup_args *a, int sfd, struct nlab_logw *w,
		    int logp, pid_t run)
{
	struct pollfd p[] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = logp, .events = POLLIN },
	};
	for (;;) {
		struct signalfd_siginfo si;
		pid_t pid;
		int status;

		if (poll(p, ARRAY_SIZE(p), -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[1].revents)
			nlab_logw_pump(w, logp, LOG_BUDGET);
		if (!(p[0].revents & POLLIN))
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si)) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return 1;
		}
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT ||
		    si.ssi_signo == SIGHUP)
			begin_stop(&si);
		else if (si.ssi_signo == SIGALRM && run_state.stop_signal)
			kill(-1, SIGKILL);
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid != run)
				continue;
			if (WIFEXITED(status)) {
				run_state.state = NLAB_RUN_EXITED;
				run_state.value = WEXITSTATUS(status);
			} else {
				run_state.state = NLAB_RUN_KILLED;
				run_state.value = WTERMSIG(status);
			}
			write_state(a->node->name);
			run = 0;
		}
		if (run_state.stop_signal && pid < 0 && errno == ECHILD) {
			if (state_gone) {
				nlab_logw_close(w);
				forget_files(a->node->name);
				return 0;
			}
			write_state(a->node->name);
			/* Bounded: a process outside the node may hold
			 * the pipe too and keep writing. */
			nlab_logw_pump(w, logp, 2 * a->node->log_max);
			nlab_logw_close(w);
			return 0;
		}
	}
}

static int cmp_int(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;

	return (a > b) - (a < b);
}

/* stdin, stdout and stderr from and to /dev/null (until log_start()),
 * and close every descriptor but the few in @a (the launcher's channel,
 * its end of our go pipe, the node's netns). */
static int keep_only_fds(const struct sup_args *a)
{
	int keep[] = { a->ready_fd, a->go_fd, a->release_fd, a->state_fd,
		       INT_MAX };
	int null, from = 3;

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(null, 2) < 0)
		return -1;
	qsort(keep, ARRAY_SIZE(keep) - 1, sizeof(int), cmp_int);
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++) {
		if (keep[i] == INT_MAX) {
			syscall(SYS_close_range, from, ~0U, 0);
			break;
		}
		if (keep[i] > from)
			syscall(SYS_close_range, from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	return 0;
}

/* Fields @field and @field + 1 of /proc/self/stat: the start and end of
 * the command line (48) or of the environment (50).  0 if unreadable. */
static int own_area(int field, unsigned long *start, unsigned long *end)
{
	char stat[1024], *p, *tok, *save = NULL;
	cleanup_close int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	*start = *end = 0;
	if (fd < 0 || (n = read(fd, stat, sizeof(stat) - 1)) <= 0)
		return 0;
	stat[n] = '\0';
	p = strrchr(stat, ')');
	if (!p)
		return 0;
	/* Fields after the comm start at 3. */
	tok = strtok_r(p + 1, " ", &save);
	for (int i = 3; tok && i <= field + 1; i++) {
		if (i == field)
			*start = strtoul(tok, NULL, 10);
		else if (i == field + 1)
			*end = strtoul(tok, NULL, 10);
		tok = strtok_r(NULL, " ", &save);
	}
	return *start && *end > *start + 1;
}

/* Let a host `ps` say which lab and node a supervisor serves: comm is
 * "netlab-node", and the command line it inherited from `netlab up FILE`
 * is overwritten in place with "netlab-node LAB.NODE" (cut to the space
 * the old one had; prctl(PR_SET_MM) would need CAP_SYS_RESOURCE).  The
 * launcher takes each node's name on just before it clones the node's
 * supervisor, so a supervisor bears it from its first instant, before it
 * is recorded: `down` knows a supervisor by it (see proc.c), even one
 * that has not run yet. */
static void name_process(const struct nlab_topology *t,
			 const struct nlab_node *node, unsigned long start,
			 unsigned long end)
{
	prctl(PR_SET_NAME, "netlab-node");
	if (!start || end <= start + 1)
		return;
	memset((char *)start, 0, end - start);
	snprintf((char *)start, end - start, "netlab-node %s.%s", t->name,
		 node->name);
}

static void name_launcher(unsigned long start, unsigned long end)
{
	prctl(PR_SET_NAME, NLAB_LAUNCHER_ARGV0);
	if (!start || end <= start + 1)
		return;
	memset((char *)start, 0, end - start);
	snprintf((char *)start, end - start, NLAB_LAUNCHER_ARGV0);
}

/* The environment the supervisor inherited is its caller's (tokens,
 * SSH_AUTH_SOCK): wiped, so that not even /proc/1/environ shows it inside
 * the node.  The node's own is built before (see nodeenv.h). */
static void forget_environ(const struct sup_args *a)
{
	clearenv();
	if (a->env_start && a->env_end > a->env_start + 1)
		memset((char *)a->env_start, 0, a->env_end - a->env_start);
}

/* Every disposition back to its default: `up`'s handlers, and whatever its
 * caller ignored (SIGPIPE, SIGCHLD...), must not reach `run`, which
 * inherits ignored signals across exec.  The supervisor's own signals are
 * blocked and read from its signalfd.  glibc refuses to touch the two
 * real-time signals it keeps for itself (EINVAL), which it gives a handler
 * only when it needs one; a caller may have ignored them all the same, so
 * they are reset with the system call (an all-zero kernel sigaction is
 * SIG_DFL on every architecture). */
static void default_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	unsigned long zero[8] = { 0 };

	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, &dfl, NULL) < 0 && errno == EINVAL)
			syscall(SYS_rt_sigaction, sig, zero, NULL,
				(NSIG - 1) / 8);
	}
}

/* Wait for `up`'s release (a byte: the lab is built, every node's view
 * made): 0 then.  1 if a signal came first (it is left in @sfd); EOF
 * means `up` gave up or died: nothing to start, nothing to stay for. */
static int wait_release(const struct sup_args *a, int sfd)
{
	struct pollfd p[] = {
		{ .fd = a->release_fd, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};
	ssize_t r;
	char go;

	for (;;) {
		if (poll(p, ARRAY_SIZE(p), -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (p[1].revents & POLLIN)
			return 1;
		if (!p[0].revents)
			continue;
		r = read(a->release_fd, &go, 1);
		if (r == 1)
			break;
		if (r == 0 || (errno != EINTR && errno != EAGAIN))
			_exit(1);
	}
	close(a->release_fd);
	return 0;
}

static __attribute__((noreturn)) void sup_main(const struct sup_args *a)
{
	struct nlab_err e = { 0 };
	struct nlab_logw w;
	sigset_t mask;
	pid_t run = 0;
	char go, lang[1024] = "";
	int sfd, logp;

	nlab_test_sanitizer_log(a->t->name, a->node->name);
	if (keep_only_fds(a))
		_exit(1);
	/* Wait until the launcher has recorded us: EOF means it died
	 * first, and an unrecorded process must not live on. */
	if (read(a->go_fd, &go, 1) != 1)
		_exit(1);
	close(a->go_fd);
	state_dir_fd = a->state_fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGALRM);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		nlab_node_report(a->ready_fd, a->idx, errno, "signalfd: %s",
				 strerror(errno));
		_exit(1);
	}
	logp = log_start(a, &w, &e);
	if (logp < 0) {
		nlab_node_report(a->ready_fd, a->idx, e.errnum ? e.errnum : EIO,
				 "%s", e.msg);
		_exit(1);
	}
	if (sup_setup(a, &e) ||
	    nlab_fault_nth("supervisor", (unsigned)a->idx + 1, &e)) {
		nlab_node_report(a->ready_fd, a->idx, e.errnum ? e.errnum : EIO,
				 "%s", e.msg);
		_exit(1);
	}
	/* No run starts before every node's view is made. */
	report_kind(a->ready_fd, a->idx, MSG_PREPARED);
	/* A stop before the release (a rollback, `down`): no run to end. */
	if (wait_release(a, sfd))
		_exit(sup_loop(a, sfd, &w, logp, 0));
	/* Before the environment it reads is wiped. */
	nlab_stall_nth("ready", (unsigned)a->idx + 1);
	if (getenv("LANG") && strlen(getenv("LANG")) < sizeof(lang))
		strcpy(lang, getenv("LANG"));
	forget_environ(a);
	/* `up` raised its own open-files limit; the node gets the caller's. */
	if (a->nofile && setrlimit(RLIMIT_NOFILE, a->nofile) < 0) {
		nlab_node_report(a->ready_fd, a->idx, errno,
				 "open-files limit: %s", strerror(errno));
		_exit(1);
	}
	if (a->node->run) {
		run = start_run(a, lang);
		if (run < 0) {
			nlab_node_report(a->ready_fd, a->idx, errno,
					 "start run: %s", strerror(errno));
			_exit(1);
		}
		run_state.state = NLAB_RUN_RUNNING;
		run_state.value = (int)run;
	} else {
		run_state.state = NLAB_RUN_NONE;
	}
	write_state(a->node->name);
	report_kind(a->ready_fd, a->idx, MSG_READY);
	close(a->ready_fd);
	/* From here on only the node's name (in its own copy of the node)
	 * and log_max are needed: the launcher's nodes can go. */
	if (sup_wire)
		nlab_wire_unmap(sup_wire);
	_exit(sup_loop(a, sfd, &w, logp, run));
}

/* ---- the launcher -------------------------------------------------------- */

/*
 * A supervisor is cloned as fork() makes a child, on a copy of the
 * launcher's own stack, not on a stack of its own: its memory is the
 * pages it writes, and its stack's are mostly the pages the launcher
 * wrote anyway (which each supervisor keeps its copy of).  A stack of
 * its own would cost a supervisor every page of it that it touched.
 */
static pid_t sup_clone(const struct sup_args *a)
{
	pid_t pid = (pid_t)syscall(
		SYS_clone, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | SIGCHLD,
		NULL, NULL, NULL, NULL);

	if (pid == 0)
		sup_main(a);
	return pid;
}

/* The lab's state is none of a node's business (a node could rewrite the
 * record `down` trusts): the template covers /run/netlab with an empty,
 * read-only tmpfs.  The supervisors keep what they need of it open: the
 * state directory for NODE.run and their log. */
static int hide_state(void)
{
	return mount("none", NLAB_STATE_DIR, "tmpfs",
		     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755");
}

/* Node k's netns from the channel: 1, 0 at its end (`up` gave up), -1 if
 * the message is not one. */
static int chan_recv(int chan, size_t *k, int *fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct chan_msg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = c.buf,
			     .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *cm;
	ssize_t n;

	do
		n = recvmsg(chan, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	cm = n == sizeof(m) ? CMSG_FIRSTHDR(&mh) : NULL;
	if (!cm || cm->cmsg_level != SOL_SOCKET ||
	    cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)) ||
	    (mh.msg_flags & MSG_CTRUNC))
		return -1;
	memcpy(fd, CMSG_DATA(cm), sizeof(int));
	*k = m.k;
	return 1;
}

unsigned nlab_launchers_for(size_t n)
{
	unsigned cpus = nlab_cpus();

	if (n < LAUNCH_SPLIT_MIN)
		return 1;
	return cpus < NLAB_WIRE_CHANS ? cpus : NLAB_WIRE_CHANS;
}

/* Launchers 1.. of @n, forked from launcher 0 (this process), which waits
 * for them: each dies with it, and it outlives them, so that `up`, which
 * waits for launcher 0 alone, waits for them all.  The part this process
 * takes: 0 here, 1.. in the others; -1 if one could not be forked (it
 * has reported why). */
static int launchers_fork(unsigned n, pid_t *kids, int ready_fd)
{
	pid_t self = getpid();

	for (unsigned p = 1; p < n; p++) {
		kids[p] = fork();
		if (kids[p] < 0) {
			nlab_node_report(ready_fd, -1, errno,
					 "fork a launcher: %s",
					 strerror(errno));
			return -1;
		}
		if (kids[p] == 0) {
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
			    getppid() != self)
				_exit(1);
			return (int)p;
		}
	}
	return 0;
}

/* Launcher 0's end: every other launcher's; exit 1 if one failed. */
static __attribute__((noreturn)) void launchers_wait(unsigned n,
						     const pid_t *kids)
{
	int failed = 0;

	for (unsigned p = 1; p < n; p++) {
		int status = 0;
		pid_t r;

		while ((r = waitpid(kids[p], &status, 0)) < 0 && errno == EINTR)
			;
		failed |= r < 0 || !WIFEXITED(status) || WEXITSTATUS(status);
	}
	_exit(failed);
}

/* The launcher, executed anew by `up` (launch_exec), with what it needs
 * in @w (nodewire.h): the lab's name and directory, and its nodes.  It
 * makes the template, then clones each node's supervisor as `up` sends
 * it the node's netns. */
static __attribute__((noreturn)) void launcher(struct nlab_wire *w)
{
	/* All a supervisor sees of the lab (nodefs.h, nodeenv.h): its name
	 * and directory. */
	static struct nlab_topology lab;
	const struct rlimit *nofile = w->ctl.has_nofile ? &w->ctl.nofile : NULL;
	struct nlab_state state = { .dirfd = w->ctl.state_dirfd,
				    .recfd = w->ctl.state_recfd };
	struct nlab_state *st = &state;
	const struct nlab_topology *t = &lab;
	struct nlab_err e = { 0 };
	unsigned long arg_start, arg_end, env_start, env_end;
	struct nlab_fsplan plan;
	int state_fd, ready_fd = w->ctl.ready_fd, chan, part;
	unsigned parts = w->ctl.n_chan;
	pid_t kids[NLAB_WIRE_CHANS];

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != w->ctl.up)
		_exit(1);
	snprintf(lab.name, sizeof(lab.name), "%s", w->lab);
	snprintf(state.lab, sizeof(state.lab), "%s", w->lab);
	lab.dir = xstrdup(w->dir); /* outlives the blob (sup_main) */
	sup_wire = w;
	/* Once here, for every supervisor cloned from us (62 system calls
	 * each were most of a supervisor's own). */
	default_signals();
	prctl(PR_SET_NAME, "netlab-launch");
	own_area(48, &arg_start, &arg_end);
	own_area(50, &env_start, &env_end);
	/* The lab's state directory as working directory: each new mount
	 * namespace takes it along (as its copy of the mount it is on), so
	 * a supervisor reaches it as "." in its own namespace even once
	 * /run is covered there, and overlayfs takes its upper layers only
	 * from the mounts of the caller's namespace.  Before anything could
	 * cover /run/netlab. */
	if (fchdir(st->dirfd) < 0) {
		nlab_node_report(ready_fd, -1, errno, "state dir: %s",
				 strerror(errno));
		_exit(1);
	}
	/* The template mount namespace every node starts from. */
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		nlab_node_report(ready_fd, -1, errno, "mount namespace: %s",
				 strerror(errno));
		_exit(1);
	}
	umount2(NLAB_NETNS_DIR, MNT_DETACH);
	if (sys_detach() < 0) {
		nlab_node_report(ready_fd, -1, errno, "unmount /sys: %s",
				 strerror(errno));
		_exit(1);
	}
	if (nlab_fsplan_make(t, &plan, &e)) {
		nlab_node_report(ready_fd, -1, e.errnum, "%s", e.msg);
		_exit(1);
	}
	if (hide_state() < 0) {
		nlab_node_report(ready_fd, -1, errno, "hide %s: %s",
				 NLAB_STATE_DIR, strerror(errno));
		_exit(1);
	}
	/* From here each launcher its own share of the nodes: k % parts,
	 * whose descriptors come over its own channel. */
	part = launchers_fork(parts, kids, ready_fd);
	if (part < 0)
		_exit(1);
	chan = w->ctl.chan[part];
	for (unsigned c = 0; c < parts; c++)
		if (c != (unsigned)part)
			close(w->ctl.chan[c]);
	/* A fresh open of the state dir: st->dirfd carries `up`'s flock,
	 * and a supervisor holding it would lock out `down` for good. */
	state_fd = openat(st->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (state_fd < 0) {
		nlab_node_report(ready_fd, -1, errno, "state dir: %s",
				 strerror(errno));
		_exit(1);
	}
	for (size_t k = 0; k < w->n; k++) {
		size_t i = w->index[k], got;
		struct nlab_node node_buf, *node = &node_buf;
		struct sup_args a = {
			.t = t,
			.node = node,
			.idx = (int)i,
			.ready_fd = ready_fd,
			.release_fd = w->ctl.release_fd,
			.state_fd = state_fd,
			.nofile = nofile,
			.plan = &plan,
			.env_start = env_start,
			.env_end = env_end,
		};
		unsigned long long start;
		cleanup_close int nsfd = -1;
		struct nlab_err ign;
		struct stat nsb;
		char rec[128];
		int go[2], r;
		pid_t pid;

		if (nlab_wire_next(w, node) <= 0) {
			nlab_node_report(ready_fd, -1, EPROTO,
					 "launcher: malformed nodes memfd");
			_exit(1);
		}
		if (k % parts != (unsigned)part) {
			nlab_wire_node_free(node);
			continue;
		}
		r = chan_recv(chan, &got, &nsfd);
		if (r == 0)
			_exit(1); /* `up` gave up: it says why */
		if (r < 0 || got != k) {
			nlab_node_report(
				ready_fd, -1, EPROTO,
				"launcher: unexpected message on its channel");
			_exit(1);
		}
		if (setns(nsfd, CLONE_NEWNET) < 0) {
			nlab_node_report(ready_fd, (int)i, errno, "%s",
					 strerror(errno));
			_exit(1);
		}
		/* Each supervisor its own go pipe: it goes on only once it is
		 * recorded, and on EOF (we died first) it leaves. */
		if (pipe2(go, O_CLOEXEC) < 0) {
			nlab_node_report(ready_fd, (int)i, errno, "pipe: %s",
					 strerror(errno));
			_exit(1);
		}
		a.go_fd = go[0];
		name_process(t, node, arg_start, arg_end);
		pid = sup_clone(&a);
		close(go[0]);
		if (pid < 0) {
			nlab_node_report(ready_fd, (int)i, errno, "clone: %s",
					 strerror(errno));
			_exit(1);
		}
		start = nlab_proc_start_time(pid);
		snprintf(rec, sizeof(rec), "%d %llu %s", (int)pid, start,
			 node->name);
		if (nlab_state_rec(st, NLAB_REC_PROC, rec, &e)) {
			nlab_node_report(ready_fd, (int)i, e.errnum, "%s",
					 e.msg);
			_exit(1);
		}
		/* What `exec` and `ps` read instead of the whole lab.  Only
		 * a shortcut: without it (it is checked before use, and
		 * removed here if it cannot be written) they take the long
		 * way. */
		if (fstat(nsfd, &nsb) < 0 ||
		    nlab_entry_write(st->dirfd, node, pid, start, &nsb, &ign))
			nlab_entry_remove(st->dirfd, node->name);
		nlab_wire_node_free(node);
		report_kind(ready_fd, (int)i, MSG_CLONED);
		if (write(go[1], "g", 1) != 1)
			_exit(1);
		close(go[1]);
		/* Itself again while it waits for the next namespace. */
		name_launcher(arg_start, arg_end);
		nlab_pause("launcher");
	}
	if (part)
		_exit(0);
	launchers_wait(parts, kids);
}

int nlab_launcher_main(int argc, char **argv)
{
	static struct nlab_wire w;
	struct nlab_err e = { 0 };
	char *end;
	long fd;

	if (argc != 3)
		return 2;
	fd = strtol(argv[1], &end, 10);
	if (*end || end == argv[1] || fd < 3 || fd > INT_MAX)
		return 2;
	if (nlab_wire_open((int)fd, &w, &e)) {
		fprintf(stderr, "netlab: %s\n", e.msg);
		return 1;
	}
	close((int)fd);
	launcher(&w);
}
