// SPDX-License-Identifier: MIT
/*
 * bind = HOST-PATH:NODE-PATH[:ro], ...     tmpfs = NODE-PATH, ...
 *
 * A node's root is the host's root, so a mount target is a path that must
 * already exist on the host: netlab never creates directories.  Relative
 * host paths are relative to the topology file's directory.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "load.h"
#include "text.h"
#include "util.h"

/*
 * Clean a path in place: no empty or "." components, no trailing '/'.
 * Returns -1 if it has a ".." component and @dotdot is false.
 */
static int clean_path(char *p, bool dotdot)
{
	char *out = p, *in = p;
	bool abs = *p == '/';

	if (abs)
		*out++ = *in++;
	while (*in) {
		size_t n = strcspn(in, "/");

		if (n == 0 || (n == 1 && in[0] == '.')) {
			in += n + (in[n] == '/');
			continue;
		}
		if (n == 2 && in[0] == '.' && in[1] == '.' && !dotdot)
			return -1;
		if (out > p + abs)
			*out++ = '/';
		memmove(out, in, n);
		out += n;
		in += n + (in[n] == '/');
	}
	if (out == p)
		*out++ = '.';
	*out = '\0';
	return 0;
}

/* A node path: absolute, normalised, no "..", not one netlab owns. */
static char *node_path(struct loadctx *c, const struct ini_key *k,
		       const char *s)
{
	cleanup_free char *p = xstrdup(s);

	if (p[0] != '/') {
		load_error(c, k->line, k->name,
			   "'%s': the path inside the node must be absolute",
			   s);
		return NULL;
	}
	if (clean_path(p, false)) {
		load_error(c, k->line, k->name,
			   "'%s': no '..' in a path inside the node", s);
		return NULL;
	}
	if (!strcmp(p, "/") || !strcmp(p, "/proc") || !strcmp(p, "/sys")) {
		load_error(c, k->line, k->name,
			   "cannot mount over %s: netlab sets it up for the "
			   "node",
			   p);
		return NULL;
	}
	return steal_ptr(p);
}

static char *host_path(struct loadctx *c, const char *s)
{
	size_t n = strlen(c->t->dir) + strlen(s) + 2;
	char *p = xmalloc(n);

	if (s[0] == '/')
		snprintf(p, n, "%s", s);
	else
		snprintf(p, n, "%s/%s", c->t->dir, s);
	clean_path(p, true);
	return p;
}

static int stat_target(struct loadctx *c, const struct ini_key *k,
		       const char *path, struct stat *st)
{
	if (!stat(path, st))
		return 0;
	if (errno == ENOENT)
		load_error(c, k->line, k->name,
			   "%s does not exist on the host (a node sees the "
			   "host's files; netlab never creates directories)",
			   path);
	else
		load_error(c, k->line, k->name, "%s: %s", path,
			   strerror(errno));
	return -1;
}

static void add_mount(struct loadctx *c, struct nlab_node *n,
		      const struct ini_key *k, char *source, char *target,
		      bool ro)
{
	struct nlab_mount *m;

	for (size_t i = 0; i < n->n_mounts; i++)
		if (!strcmp(n->mounts[i].target, target)) {
			load_error(c, k->line, k->name,
				   "%s is mounted on twice (also at line %d)",
				   target, load_line(c, n->mounts[i].line));
			free(source);
			free(target);
			return;
		}
	m = load_push(&n->mounts, n->n_mounts++, sizeof(*m));
	m->source = source;
	m->target = target;
	m->readonly = ro;
	m->line = k->line;
}

static void bind_one(struct loadctx *c, struct nlab_node *n,
		     const struct ini_key *k, char *item)
{
	cleanup_free char *whole = xstrdup(item), *src = NULL, *dst = NULL;
	char *cur = item, *host = nlab_next_item(&cur, ':');
	char *node = nlab_next_item(&cur, ':');
	char *flag = nlab_next_item(&cur, ':');
	struct stat s_st, d_st;

	if (!node || !*host || !*node || cur) {
		load_error(c, k->line, k->name,
			   "'%s': expected HOST-PATH:NODE-PATH[:ro]", whole);
		return;
	}
	if (flag && strcmp(flag, "ro") && strcmp(flag, "rw")) {
		load_error(c, k->line, k->name,
			   "unknown mount flag '%s' (ro or rw)", flag);
		return;
	}
	dst = node_path(c, k, node);
	if (!dst)
		return;
	src = host_path(c, host);
	if (!c->opts->skip_fs_checks) {
		if (stat(src, &s_st)) {
			load_error(c, k->line, k->name, "source %s: %s", src,
				   strerror(errno));
			return;
		}
		if (stat_target(c, k, dst, &d_st))
			return;
		if (S_ISDIR(s_st.st_mode) != S_ISDIR(d_st.st_mode)) {
			load_error(c, k->line, k->name,
				   "%s is %sa directory but %s is %s", src,
				   S_ISDIR(s_st.st_mode) ? "" : "not ", dst,
				   S_ISDIR(d_st.st_mode) ? "one" : "not");
			return;
		}
	}
	add_mount(c, n, k, steal_ptr(src), steal_ptr(dst),
		  flag && !strcmp(flag, "ro"));
}

void load_binds(struct loadctx *c, void *node, const struct ini_key *k)
{
	load_each_item(c, node, k, bind_one);
}

static void tmpfs_one(struct loadctx *c, struct nlab_node *n,
		      const struct ini_key *k, char *item)
{
	cleanup_free char *dst = node_path(c, k, item);
	struct stat st;

	if (!dst)
		return;
	if (!c->opts->skip_fs_checks) {
		if (stat_target(c, k, dst, &st))
			return;
		if (!S_ISDIR(st.st_mode)) {
			load_error(c, k->line, k->name, "%s is not a directory",
				   dst);
			return;
		}
	}
	add_mount(c, n, k, NULL, steal_ptr(dst), false);
}

void load_tmpfs(struct loadctx *c, void *node, const struct ini_key *k)
{
	load_each_item(c, node, k, tmpfs_one);
}
