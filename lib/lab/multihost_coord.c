// SPDX-License-Identifier: MIT
/*
 * The coordinator's side of a lab over several machines (multihost.h):
 * its record, and `netlab` run on each host through the host's `via`.
 *
 *   via = local           this netlab itself
 *   via = exec CMD ARG... CMD ARG... NETLAB ARGS (NETLAB: this netlab's
 *                         own path; for hosts that share its files, such
 *                         as containers or the tests' simulated hosts)
 *   via = ssh USER@HOST   $NETLAB_SSH (default "ssh") -o BatchMode=yes
 *                         USER@HOST $NETLAB_REMOTE (default "netlab") ARGS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/multihost.h"
#include "lab/state.h"
#include "lab/statefs.h"
#include "topology/spread.h"
#include "base/util.h"

/* An argv of strings it owns, as long as needed. */
struct argv {
	char **v;
	size_t n;
};

static void add_own(struct argv *a, char *s)
{
	a->v = xrealloc(a->v, (a->n + 2) * sizeof(*a->v));
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void add(struct argv *a, const char *s)
{
	add_own(a, xstrdup(s));
}

static void argv_free(struct argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/* $VAR split on blanks, or @def. */
static void add_words(struct argv *a, const char *var, const char *def)
{
	const char *v = getenv(var);
	char *copy, *save = NULL;

	if (!v || !*v) {
		add(a, def);
		return;
	}
	copy = xstrdup(v);
	for (char *w = strtok_r(copy, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save))
		add(a, w);
	free(copy);
}

/*
 * ssh joins the words of the remote command with blanks and hands the
 * line to the remote user's shell, which splits it again: each argument
 * goes in single quotes (a quote inside as '\'') so that it arrives as
 * it left, blanks, quotes and `$` included.
 */
static void add_quoted(struct argv *a, const char *s)
{
	size_t len = 3;
	char *q, *o;

	for (const char *c = s; *c; c++)
		len += *c == '\'' ? 4 : 1;
	o = q = xmalloc(len);
	*o++ = '\'';
	for (const char *c = s; *c; c++) {
		if (*c == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *c;
		}
	}
	*o++ = '\'';
	*o = '\0';
	add_own(a, q);
}

/* The command that runs `netlab ARGS` on host @h; over ssh with a
 * terminal of its own when @tty. */
static void host_argv(struct argv *a, const struct nlab_host *h,
		      char *const *args, bool tty)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	switch (h->via) {
	case NLAB_VIA_SSH:
		add_words(a, "NETLAB_SSH", "ssh");
		add(a, "-o");
		add(a, "BatchMode=yes");
		if (tty)
			add(a, "-t");
		add(a, h->argv[0]); /* never starts with - (loader) */
		add_words(a, "NETLAB_REMOTE", "netlab");
		for (size_t i = 0; args[i]; i++)
			add_quoted(a, args[i]);
		return;
	case NLAB_VIA_EXEC:
		for (size_t i = 0; i < h->argc; i++)
			add(a, h->argv[i]);
		/* fall through */
	case NLAB_VIA_LOCAL:
	case NLAB_VIA_UNSET:
		add(a, n > 0 ? self : "netlab");
		break;
	}
	for (size_t i = 0; args[i]; i++)
		add(a, args[i]);
}

static const char *via_str(const struct nlab_host *h, char *buf, size_t len)
{
	size_t o = 0;

	o += snprintf(buf, len, "%s",
		      h->via == NLAB_VIA_SSH	? "ssh"
		      : h->via == NLAB_VIA_EXEC ? "exec"
						: "local");
	for (size_t i = 0; i < h->argc && o < len; i++)
		o += snprintf(buf + o, len - o, " %s", h->argv[i]);
	return buf;
}

/* Start `netlab ARGS` on @h: its stdin a pipe (*in) when @in, else
 * /dev/null; its stdout a pipe (*out) when @out, else ours, or stderr
 * with @out_to_err. */
static pid_t spawn_io(const struct nlab_host *h, const char *dir,
		      char *const *args, int *in, int *out, bool out_to_err)
{
	struct argv a = { 0 };
	int p[2] = { -1, -1 }, q[2] = { -1, -1 };
	pid_t pid;

	host_argv(&a, h, args, false);
	if ((in && pipe2(p, O_CLOEXEC) < 0) ||
	    (out && pipe2(q, O_CLOEXEC) < 0)) {
		argv_free(&a);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(in ? p[0] : null, STDIN_FILENO);
		/* A local host shares our /run/netlab: it must act on its
		 * part, not coordinate again (nlab_multi_exists). */
		setenv("NETLAB_PART", "1", 1);
		if (out)
			dup2(q[1], STDOUT_FILENO);
		else if (out_to_err)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		if (dir && h->via != NLAB_VIA_SSH && chdir(dir) < 0)
			_exit(127);
		execvp(a.v[0], a.v);
		fprintf(stderr, "netlab: host %s: %s: %s\n", h->name, a.v[0],
			strerror(errno));
		_exit(127);
	}
	argv_free(&a);
	if (in) {
		close(p[0]);
		*in = pid > 0 ? p[1] : (close(p[1]), -1);
	}
	if (out) {
		close(q[1]);
		*out = pid > 0 ? q[0] : (close(q[0]), -1);
	}
	return pid;
}

static pid_t spawn(const struct nlab_host *h, const char *dir,
		   char *const *args, int *in, bool out_to_err)
{
	return spawn_io(h, dir, args, in, NULL, out_to_err);
}

/* Its exit status; 128+N for a signal. */
static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 127;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the host went: its exit status says */
		p += w;
		n -= (size_t)w;
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &cap, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* ---- the coordinator's record ------------------------------------------ */

static void rec_path(char *buf, size_t len, const char *lab, const char *file)
{
	snprintf(buf, len, NLAB_MULTI_DIR "/%s%s%s", lab, file ? "/" : "",
		 file ? file : "");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void nlab_multi_list(char ***labs, size_t *n)
{
	DIR *d = getenv("NETLAB_PART") ? NULL : opendir(NLAB_MULTI_DIR);
	struct dirent *de;
	size_t cap = 0;

	*labs = NULL;
	*n = 0;
	while (d && (de = readdir(d)))
		if (nlab_valid_name(de->d_name)) {
			xgrow(labs, &cap, *n + 1, sizeof(**labs));
			(*labs)[(*n)++] = xstrdup(de->d_name);
		}
	if (d)
		closedir(d);
	if (*n)
		qsort(*labs, *n, sizeof(**labs), by_name);
}

bool nlab_multi_exists(const char *lab)
{
	char p[PATH_MAX];
	struct stat sb;

	if (getenv("NETLAB_PART"))
		return false;
	rec_path(p, sizeof(p), lab, NULL);
	return nlab_valid_name(lab) && lstat(p, &sb) == 0;
}

static int write_file(const char *path, const char *data, size_t len,
		      struct nlab_err *e)
{
	cleanup_close int fd =
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
		return nlab_err_set(e, errno, "write %s", path);
	return 0;
}

static int rec_create(const struct nlab_topology *t, const char *place,
		      size_t place_len, struct nlab_err *e)
{
	char p[PATH_MAX];
	int base, lock;

	/* .multi made while no tmpfs can be mounted over it (statefs.h) */
	base = nlab_statefs_open(&lock);
	if (base < 0)
		return nlab_err_set(e, errno, "open " NLAB_STATE_DIR);
	mkdirat(base, NLAB_MULTI_NAME, 0700);
	if (lock >= 0)
		close(lock);
	close(base);
	rec_path(p, sizeof(p), t->name, NULL);
	if (mkdir(p, 0700) < 0) {
		if (errno == EEXIST) {
			nlab_err_set(e, 0,
				     "already up on its hosts: run `netlab "
				     "down %s` first",
				     t->name);
			e->errnum = EALREADY;
			return -1;
		}
		return nlab_err_set(e, errno, "mkdir %s", p);
	}
	rec_path(p, sizeof(p), t->name, "topology.ini");
	if (write_file(p, t->source, t->source_len, e))
		return -1;
	rec_path(p, sizeof(p), t->name, "source-dir");
	if (write_file(p, t->dir, strlen(t->dir), e))
		return -1;
	rec_path(p, sizeof(p), t->name, "placement"); /* up --spread's */
	return write_file(p, place, place_len, e);
}

static void rec_remove(const char *lab)
{
	char p[PATH_MAX];

	rec_path(p, sizeof(p), lab, "topology.ini");
	unlink(p);
	rec_path(p, sizeof(p), lab, "source-dir");
	unlink(p);
	rec_path(p, sizeof(p), lab, "left");
	unlink(p);
	rec_path(p, sizeof(p), lab, "placement");
	unlink(p);
	rec_path(p, sizeof(p), lab, NULL);
	rmdir(p);
	rmdir(NLAB_MULTI_DIR); /* the last one: nothing of ours is left */
}

/* The lab file the record holds, with its hosts. */
static int rec_load(const char *lab, struct nlab_topology **t,
		    struct nlab_err *e)
{
	char p[PATH_MAX];
	cleanup_free char *dir = NULL, *place = NULL;
	cleanup_diag struct nlab_diag d = { 0 };
	struct nlab_load_opts lo = { .skip_fs_checks = true, .rename = lab };
	FILE *f;

	rec_path(p, sizeof(p), lab, "source-dir");
	f = fopen(p, "re");
	if (f) {
		size_t cap = 0;
		ssize_t n = getline(&dir, &cap, f);

		if (n <= 0) {
			free(dir);
			dir = NULL;
		}
		fclose(f);
	}
	lo.dir = dir;
	/* Where `up --spread` put the nodes (none in an older record). */
	rec_path(p, sizeof(p), lab, "placement");
	place = slurp(p);
	lo.place = place;
	rec_path(p, sizeof(p), lab, "topology.ini");
	if (nlab_topology_load_opts(p, &lo, t, &d))
		return nlab_err_set(e, 0, "lab %s: its record %s: %s", lab, p,
				    d.n ? d.lines[0] : "does not load");
	return 0;
}

/* ---- up and down on every host ------------------------------------------ */

/* `down --part LAB` on each host of @t marked in @on (all if NULL), at
 * once; @failed[i] gets each one's exit status. */
static void down_hosts(const struct nlab_topology *t, const bool *on,
		       int *status)
{
	char *args[] = { "-q", "down", "--part", (char *)t->name, NULL };
	pid_t *pids = xcalloc(t->n_machines, sizeof(pid_t));

	for (size_t i = 0; i < t->n_machines; i++)
		if (!on || on[i])
			pids[i] = spawn(&t->machines[i], t->dir, args, NULL,
					true);
	for (size_t i = 0; i < t->n_machines; i++) {
		int st = pids[i] > 0 ? reap(pids[i]) : pids[i] < 0 ? 127 : 0;

		if (status)
			status[i] = st;
	}
	free(pids);
}

/* Reap every host of @pids: @st[i] its exit status, and with @timings
 * how long it took since @start, as each ends (polled: only our own
 * children, every 10 ms). */
static void reap_hosts(const struct nlab_topology *t, const pid_t *pids,
		       int *st, bool timings, uint64_t start)
{
	size_t left = 0;
	bool *done = xcalloc(t->n_machines, sizeof(bool));

	for (size_t i = 0; i < t->n_machines; i++) {
		st[i] = 127;
		done[i] = pids[i] <= 0;
		left += !done[i];
	}
	while (left) {
		for (size_t i = 0; i < t->n_machines; i++) {
			int ws;
			pid_t r = done[i] ? 0 : waitpid(pids[i], &ws, WNOHANG);

			if (r == 0 || (r < 0 && errno == EINTR))
				continue;
			done[i] = true;
			left--;
			if (r > 0)
				st[i] = WIFSIGNALED(ws) ? 128 + WTERMSIG(ws)
							: WEXITSTATUS(ws);
			if (timings)
				fprintf(stderr,
					"netlab: up: host %-10s %9.1f ms "
					"(exit %d)\n",
					t->machines[i].name,
					(double)(nlab_now_ms() - start), st[i]);
		}
		if (left)
			usleep(10000);
	}
	free(done);
}

int nlab_multi_up(const struct nlab_topology *t, volatile sig_atomic_t *stop,
		  bool timings, struct nlab_err *e)
{
	/* -q up [--timings] --host NAME --name LAB [--placed LEN]
	 * [--dir DIR] -: with nodes placed by --spread, LEN bytes of
	 * placement (spread.h) on stdin before the file. */
	size_t place_len;
	cleanup_free char *place = nlab_spread_text(t, &place_len);
	char len_arg[32];
	char *args[14];
	uint64_t start = nlab_now_ms();
	pid_t *pids = xcalloc(t->n_machines, sizeof(pid_t));
	int *in = xcalloc(t->n_machines, sizeof(int));
	int *st = xcalloc(t->n_machines, sizeof(int));
	char failed[512] = "", left[512] = "";
	int *up_st;
	size_t n_failed = 0;
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);

	snprintf(len_arg, sizeof(len_arg), "%zu", place_len);
	if (rec_create(t, place, place_len, e)) {
		free(pids);
		free(in);
		free(st);
		signal(SIGPIPE, old);
		return -1;
	}
	for (size_t i = 0; i < t->n_machines; i++) {
		/* Over ssh, relative paths are the remote home's. */
		bool ssh = t->machines[i].via == NLAB_VIA_SSH;
		size_t a = 0;

		args[a++] = "-q";
		args[a++] = "up";
		if (timings)
			args[a++] = "--timings";
		args[a++] = "--host";
		args[a++] = (char *)t->machines[i].name;
		args[a++] = "--name";
		args[a++] = (char *)t->name;
		if (place_len) {
			args[a++] = "--placed";
			args[a++] = len_arg;
		}
		if (!ssh) {
			args[a++] = "--dir";
			args[a++] = (char *)t->dir;
		}
		args[a++] = "-";
		args[a] = NULL;
		pids[i] = spawn(&t->machines[i], t->dir, args, &in[i], false);
	}
	for (size_t i = 0; i < t->n_machines; i++) {
		if (pids[i] <= 0)
			continue;
		write_all(in[i], place, place_len);
		write_all(in[i], t->source, t->source_len);
		close(in[i]);
	}
	reap_hosts(t, pids, st, timings, start);
	for (size_t i = 0; i < t->n_machines; i++) {
		if (!st[i])
			continue;
		n_failed++;
		snprintf(failed + strlen(failed),
			 sizeof(failed) - strlen(failed), "%s%s (exit %d)",
			 failed[0] ? ", " : "", t->machines[i].name, st[i]);
	}
	signal(SIGPIPE, old);
	if (!n_failed && !(stop && *stop)) {
		free(pids);
		free(in);
		free(st);
		return 0;
	}
	/* All or nothing: every host, the failed ones too (one killed
	 * halfway may have left a half-built lab its own down finishes).
	 * A host that came up and cannot be taken down stays in the
	 * record, for a later `down`. */
	up_st = xcalloc(t->n_machines, sizeof(int));
	memcpy(up_st, st, t->n_machines * sizeof(int));
	down_hosts(t, NULL, st);
	for (size_t i = 0; i < t->n_machines; i++)
		if (!up_st[i] && st[i])
			snprintf(left + strlen(left),
				 sizeof(left) - strlen(left), " %s ",
				 t->machines[i].name);
	free(up_st);
	if (left[0]) {
		char p[PATH_MAX];
		struct nlab_err ign;

		rec_path(p, sizeof(p), t->name, "left");
		write_file(p, left, strlen(left), &ign);
	} else {
		rec_remove(t->name);
	}
	if (n_failed)
		nlab_err_set(e, 0, "up failed on host%s %s; taken down on %s",
			     n_failed == 1 ? "" : "s", failed,
			     left[0] ? "every host but" : "every host");
	else
		nlab_err_set(e, EINTR, "interrupted; taken down on %s",
			     left[0] ? "every host but" : "every host");
	if (left[0]) { /* "...but  h2 ": then what to do */
		size_t l = strlen(e->msg);

		snprintf(
			e->msg + l, sizeof(e->msg) - l,
			"%s(unreachable): run `netlab down %s` once it is back",
			left, t->name);
	}
	free(pids);
	free(in);
	free(st);
	return -1;
}

int nlab_multi_down(const char *lab, const struct nlab_warn *w,
		    struct nlab_err *e)
{
	cleanup_topology struct nlab_topology *t = NULL;
	char failed[700] = "", via[128], p[PATH_MAX];
	cleanup_free bool *on = NULL;
	cleanup_free int *st = NULL;
	cleanup_free char *left = NULL;
	size_t n_failed = 0;

	if (!nlab_multi_exists(lab))
		return 1;
	if (rec_load(lab, &t, e))
		return -1;
	on = xcalloc(t->n_machines, sizeof(bool));
	st = xcalloc(t->n_machines, sizeof(int));
	/* After a partial down: only the hosts it could not reach. */
	rec_path(p, sizeof(p), lab, "left");
	left = slurp(p);
	for (size_t i = 0; i < t->n_machines; i++) {
		char word[NLAB_NAME_MAX + 3];

		snprintf(word, sizeof(word), " %s ", t->machines[i].name);
		on[i] = !left || strstr(left, word);
	}
	down_hosts(t, on, st);
	free(left);
	left = NULL;
	for (size_t i = 0; i < t->n_machines; i++) {
		if (!on[i] || !st[i])
			continue;
		n_failed++;
		nlab_warn(w, "host %s (via %s): down failed (exit %d)",
			  t->machines[i].name,
			  via_str(&t->machines[i], via, sizeof(via)), st[i]);
		snprintf(failed + strlen(failed),
			 sizeof(failed) - strlen(failed), " %s ",
			 t->machines[i].name);
	}
	if (!n_failed) {
		rec_remove(lab);
		return 0;
	}
	rec_path(p, sizeof(p), lab, "left");
	write_file(p, failed, strlen(failed), e);
	return nlab_err_set(e, 0,
			    "could not take it down on host%s%s: run `netlab "
			    "down %s` again once reachable",
			    n_failed == 1 ? "" : "s", failed, lab);
}

int nlab_multi_topology(const char *lab, struct nlab_topology **t,
			struct nlab_err *e)
{
	return rec_load(lab, t, e);
}

int nlab_multi_collect(const char *lab, char *const *args,
		       void (*line)(void *data, char *text), void *data,
		       struct nlab_err *e)
{
	cleanup_topology struct nlab_topology *t = NULL;
	cleanup_free pid_t *pids = NULL;
	cleanup_free int *out = NULL;
	int worst = 0;

	if (rec_load(lab, &t, e))
		return -1;
	pids = xcalloc(t->n_machines, sizeof(pid_t));
	out = xcalloc(t->n_machines, sizeof(int));
	for (size_t i = 0; i < t->n_machines; i++)
		pids[i] = spawn_io(&t->machines[i], t->dir, args, NULL, &out[i],
				   false);
	for (size_t i = 0; i < t->n_machines; i++) {
		FILE *f = pids[i] > 0 ? fdopen(out[i], "r") : NULL;
		char *buf = NULL;
		size_t cap = 0;
		ssize_t n;
		int st;

		while (f && (n = getline(&buf, &cap, f)) > 0) {
			if (buf[n - 1] == '\n')
				buf[n - 1] = '\0';
			line(data, buf);
		}
		free(buf);
		if (f)
			fclose(f);
		st = pids[i] > 0 ? reap(pids[i]) : 127;
		if (st > worst)
			worst = st;
	}
	return worst;
}

static const struct nlab_host *node_host(const struct nlab_topology *t,
					 const char *node, struct nlab_err *e)
{
	const struct nlab_node *n = nlab_topology_node(t, node);

	if (!n) {
		nlab_err_set(e, ENOENT, "lab %s has no node %s", t->name, node);
		return NULL;
	}
	return n->host;
}

int nlab_multi_each(const char *lab, const char *node, bool heading,
		    char *const *args, struct nlab_err *e)
{
	cleanup_topology struct nlab_topology *t = NULL;
	const struct nlab_host *only = NULL;
	char addr[64];
	int worst = 0;

	if (rec_load(lab, &t, e))
		return -1;
	if (node && !(only = node_host(t, node, e)))
		return -1;
	for (size_t i = 0; i < t->n_machines; i++) {
		const struct nlab_host *h = &t->machines[i];
		pid_t pid;
		int st;

		if (only && h != only)
			continue;
		if (heading) {
			inet_ntop(h->family, h->addr, addr, sizeof(addr));
			printf("host %s (%s):\n", h->name, addr);
			fflush(stdout);
		}
		pid = spawn(h, t->dir, args, NULL, false);
		st = pid > 0 ? reap(pid) : 127;
		if (st > worst)
			worst = st;
	}
	return worst;
}

int nlab_multi_exec(const char *lab, const char *node, char *const *args,
		    struct nlab_err *e)
{
	cleanup_topology struct nlab_topology *t = NULL;
	const struct nlab_host *h;
	struct argv a = { 0 };

	if (rec_load(lab, &t, e))
		return -1;
	h = node_host(t, node, e);
	if (!h)
		return -1;
	/* An interactive shell over ssh needs a terminal there. */
	host_argv(&a, h, args, isatty(STDIN_FILENO) && isatty(STDOUT_FILENO));
	setenv("NETLAB_PART", "1", 1);
	execvp(a.v[0], a.v);
	nlab_err_set(e, errno, "host %s: %s", h->name, a.v[0]);
	argv_free(&a);
	return -1;
}
