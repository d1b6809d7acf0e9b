// SPDX-License-Identifier: MIT
/* A running node's entry file: see nodeentry.h. */
#include "lab/nodeentry.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "kernel/netns.h"
#include "lab/proc.h"
#include "lab/state.h"
#include "topology/nsname.h"

#define MAGIC "netlab-enter 1"
/* Far above what a node's `env` can hold in practice; a larger file is
 * refused, not read. */
#define ENTRY_MAX (64 * 1024)

/* ---- writing ------------------------------------------------------------- */

static void put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	xgrow(buf, cap, *len + (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(*buf + *len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*len += (size_t)n;
}

int nlab_entry_write(int dirfd, const struct nlab_node *n, pid_t pid,
		     unsigned long long start, const struct stat *netns,
		     struct nlab_err *e)
{
	char file[NLAB_NAME_MAX + 16], tmp[NLAB_NAME_MAX + 24];
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = 0;
	cleanup_close int fd = -1;

	put(&buf, &len, &cap, MAGIC "\nproc %d %llu\nnetns %llu:%llu\n",
	    (int)pid, start, (unsigned long long)netns->st_dev,
	    (unsigned long long)netns->st_ino);
	for (size_t i = 0; i < n->n_env; i++) {
		/* One line each: a value the loader let through with a
		 * newline would not read back as written. */
		if (strchr(n->env[i].name, '\n') ||
		    strchr(n->env[i].value, '\n'))
			return nlab_err_set(e, 0, "env %s: a newline",
					    n->env[i].name);
		put(&buf, &len, &cap, "env %s=%s\n", n->env[i].name,
		    n->env[i].value);
	}
	put(&buf, &len, &cap, "end\n");
	snprintf(file, sizeof(file), "%s" NLAB_ENTRY_SUFFIX, n->name);
	snprintf(tmp, sizeof(tmp), ".%s.new", file);
	fd = openat(dirfd, tmp,
		    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		return nlab_err_set(e, errno, "write %s", tmp);
	if (renameat(dirfd, tmp, dirfd, file) < 0)
		return nlab_err_set(e, errno, "replace %s", file);
	return 0;
}

void nlab_entry_remove(int dirfd, const char *node)
{
	char file[NLAB_NAME_MAX + 16];

	snprintf(file, sizeof(file), "%s" NLAB_ENTRY_SUFFIX, node);
	unlinkat(dirfd, file, 0);
}

/* ---- reading ------------------------------------------------------------- */

/* A directory of the state, by fd: root's, and writable by root only. */
static bool dir_ok(int fd)
{
	struct stat sb;

	return fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode) && sb.st_uid == 0 &&
	       !(sb.st_mode & (S_IWGRP | S_IWOTH));
}

/* The entry file's text, NUL-terminated, read through state directories
 * and a file that pass their checks; NULL with @why. */
static char *slurp(const char *lab, const char *node, const char **why)
{
	char file[NLAB_NAME_MAX + 16];
	cleanup_close int base = -1, dir = -1, fd = -1;
	const int dflags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	char *buf;
	struct stat sb;
	ssize_t n;

	base = open(NLAB_STATE_DIR, dflags);
	if (base < 0 || !dir_ok(base)) {
		*why = "state directory " NLAB_STATE_DIR;
		return NULL;
	}
	dir = openat(base, lab, dflags);
	if (dir < 0 || !dir_ok(dir)) {
		*why = "the lab's state directory";
		return NULL;
	}
	snprintf(file, sizeof(file), "%s" NLAB_ENTRY_SUFFIX, node);
	/* Non-blocking: a FIFO planted there must not hang us. */
	fd = openat(dir, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*why = errno == ENOENT ? "no entry file" : "cannot open it";
		return NULL;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_uid != 0 ||
	    (sb.st_mode & 07177) || sb.st_nlink != 1 || sb.st_size <= 0 ||
	    sb.st_size > ENTRY_MAX) {
		*why = "not a regular file of root's, mode 0600, one link";
		return NULL;
	}
	buf = xmalloc((size_t)sb.st_size + 2);
	n = read(fd, buf, (size_t)sb.st_size + 1);
	if (n != sb.st_size) {
		free(buf);
		*why = "it changed while read";
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* A plain decimal: digits only, no sign, no leading zero, no overflow;
 * @p moves past it. */
static bool number(const char **p, unsigned long long max,
		   unsigned long long *v)
{
	const char *s = *p;
	unsigned long long x = 0;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (x > (max - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*p = s;
	*v = x;
	return true;
}

/* The next line of @*p without its '\n' (in place); NULL at the end or
 * when the last line has no '\n'. */
static char *line(char **p)
{
	char *s = *p, *nl = strchr(s, '\n');

	if (!*s || !nl)
		return NULL;
	*nl = '\0';
	*p = nl + 1;
	return s;
}

#define ENV_FIRST "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"

static bool env_line(const char *s, struct nlab_entry *en, size_t *cap)
{
	const char *eq = strchr(s, '=');
	size_t len = eq ? (size_t)(eq - s) : 0;
	struct nlab_env *v;

	/* The loader's rule for a name, [A-Za-z_][A-Za-z0-9_]*, and none of
	 * netlab's own. */
	if (!len || !strchr(ENV_FIRST, s[0]) ||
	    strspn(s, ENV_FIRST "0123456789") != len)
		return false;
	xgrow(&en->env, cap, en->n_env + 1, sizeof(*en->env));
	v = &en->env[en->n_env++];
	memset(v, 0, sizeof(*v));
	v->name = xstrndup(s, len);
	v->value = xstrdup(eq + 1);
	if (nlab_env_reserved(v->name))
		return false;
	for (size_t i = 0; i + 1 < en->n_env; i++)
		if (!strcmp(en->env[i].name, v->name))
			return false;
	return true;
}

static bool parse(char *text, struct nlab_entry *en, unsigned long long *start,
		  struct nlab_ident *netns)
{
	unsigned long long pid, dev, ino;
	size_t cap = 0;
	const char *q;
	char *p = text, *s;

	if (!(s = line(&p)) || strcmp(s, MAGIC))
		return false;
	if (!(s = line(&p)) || strncmp(s, "proc ", 5))
		return false;
	q = s + 5;
	if (!number(&q, INT_MAX, &pid) || *q++ != ' ' ||
	    !number(&q, ULLONG_MAX, start) || *q || pid <= 1)
		return false;
	en->pid = (pid_t)pid;
	if (!(s = line(&p)) || strncmp(s, "netns ", 6))
		return false;
	q = s + 6;
	if (!number(&q, ULLONG_MAX, &dev) || *q++ != ':' ||
	    !number(&q, ULLONG_MAX, &ino) || *q)
		return false;
	netns->set = true;
	netns->dev = (dev_t)dev;
	netns->ino = (ino_t)ino;
	while ((s = line(&p)) && !strncmp(s, "env ", 4))
		if (!env_line(s + 4, en, &cap))
			return false;
	return s && !strcmp(s, "end") && !*p;
}

int nlab_entry_read(const char *lab, const char *node, struct nlab_entry *en,
		    char *why, size_t len)
{
	char ns[NLAB_NAME_MAX * 2 + 2], path[NLAB_NAME_MAX * 2 + 32];
	cleanup_free char *text = NULL;
	unsigned long long start = 0;
	struct nlab_ident netns = { 0 };
	const char *bad = NULL;
	struct stat sb;
	char pwhy[128];

	memset(en, 0, sizeof(*en));
	en->pidfd = -1;
	if (why && len)
		why[0] = '\0';
	text = slurp(lab, node, &bad);
	if (!text)
		goto no;
	if (!parse(text, en, &start, &netns)) {
		bad = "it does not parse";
		goto no;
	}
	/* The namespace the file names is the node's now. */
	nlab_ns_name(ns, sizeof(ns), lab, node);
	snprintf(path, sizeof(path), NLAB_NETNS_DIR "/%s", ns);
	if (lstat(path, &sb) < 0 || !nlab_ident_is(&netns, &sb)) {
		bad = "its netns is not the one bound at the node's name";
		goto no;
	}
	en->pidfd = nlab_proc_open_as(lab, node, en->pid, start, &netns, pwhy,
				      sizeof(pwhy));
	if (en->pidfd < 0) {
		bad = pwhy[0] ? pwhy : "its process is gone";
		goto no;
	}
	return 0;
no:
	if (why && len)
		snprintf(why, len, "%s", bad ? bad : "refused");
	nlab_entry_free(en);
	return -1;
}

void nlab_entry_free(struct nlab_entry *en)
{
	for (size_t i = 0; i < en->n_env; i++) {
		free(en->env[i].name);
		free(en->env[i].value);
	}
	free(en->env);
	if (en->pidfd >= 0)
		close(en->pidfd);
	memset(en, 0, sizeof(*en));
	en->pidfd = -1;
}
