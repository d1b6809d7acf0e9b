// SPDX-License-Identifier: MIT
/*
 * bind = HOST-PATH:NODE-PATH[:ro], ...
 * tmpfs = NODE-PATH [size=S] [mode=M] [uid=U] [gid=G], ...
 * files = DIR          shared = /tmp, /var/tmp, /run, /var/log | all | none
 *
 * A node's root is the host's root, so a mount target is a path that must
 * already exist on the host (netlab never creates directories there), in
 * one of the node's own private directories (netlab makes it in the
 * node's copy), or in the node's `files`.  Relative host paths are
 * relative to the topology file's directory.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "topology/load.h"
#include "base/text.h"
#include "base/util.h"

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

/* The new mount, or NULL (reported) when @target has one already. */
static struct nlab_mount *add_mount(struct loadctx *c, struct nlab_node *n,
				    const struct ini_key *k, char *source,
				    char *target)
{
	struct nlab_mount *m;

	for (size_t i = 0; i < n->n_mounts; i++)
		if (!strcmp(n->mounts[i].target, target)) {
			load_error(c, k->line, k->name,
				   "%s is mounted on twice (also at line %d)",
				   target, load_line(c, n->mounts[i].line));
			free(source);
			free(target);
			return NULL;
		}
	m = load_push(&n->mounts, n->n_mounts++, sizeof(*m));
	m->source = source;
	m->target = target;
	m->mode = -1;
	m->uid = m->gid = -1;
	m->line = k->line;
	return m;
}

static void bind_one(struct loadctx *c, struct nlab_node *n,
		     const struct ini_key *k, char *item)
{
	cleanup_free char *whole = xstrdup(item), *src = NULL, *dst = NULL;
	char *cur = item, *host = nlab_next_item(&cur, ':');
	char *node = nlab_next_item(&cur, ':');
	char *flag = nlab_next_item(&cur, ':');
	struct nlab_mount *m;
	struct stat s_st;

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
	if (!c->opts->skip_fs_checks && stat(src, &s_st)) {
		load_error(c, k->line, k->name, "source %s: %s", src,
			   strerror(errno));
		return;
	}
	/* The target is checked with the whole section read (files and
	 * shared may come later): load_check_mounts(). */
	m = add_mount(c, n, k, steal_ptr(src), steal_ptr(dst));
	if (m)
		m->readonly = flag && !strcmp(flag, "ro");
}

void load_binds(struct loadctx *c, void *node, const struct ini_key *k)
{
	load_each_item(c, node, k, bind_one);
}

/* uid=NAME|NUMBER, gid=NAME|NUMBER: resolved on the host now (the
 * node shares the host's user database); -1 and no error when @skip. */
static int owner_id(struct loadctx *c, const struct ini_key *k, bool group,
		    const char *v, bool skip, long long *out)
{
	uint64_t num;

	if (!nlab_parse_uint(v, UINT32_MAX - 1, &num)) {
		*out = (long long)num;
		return 0;
	}
	if (group) {
		struct group *g = getgrnam(v);

		if (g) {
			*out = g->gr_gid;
			return 0;
		}
	} else {
		struct passwd *p = getpwnam(v);

		if (p) {
			*out = p->pw_uid;
			return 0;
		}
	}
	*out = -1;
	if (skip)
		return 0;
	load_error(c, k->line, k->name, "no %s '%s' on this host",
		   group ? "group" : "user", v);
	return -1;
}

static const char *const tmpfs_opts[] = { "size", "mode", "uid", "gid" };

static int tmpfs_opt(struct loadctx *c, const struct ini_key *k,
		     struct nlab_mount *m, char *w, unsigned *seen)
{
	char *eq = strchr(w, '='), *v;
	size_t i;
	uint64_t num;

	if (eq)
		*eq = '\0';
	for (i = 0; i < ARRAY_SIZE(tmpfs_opts); i++)
		if (!strcmp(w, tmpfs_opts[i]))
			break;
	if (i == ARRAY_SIZE(tmpfs_opts) || !eq || !eq[1]) {
		load_error(c, k->line, k->name,
			   "'%s%s%s': a tmpfs option is size=SIZE, "
			   "mode=OCTAL, uid=USER or gid=GROUP",
			   w, eq ? "=" : "", eq ? eq + 1 : "");
		return -1;
	}
	if (*seen & (1u << i)) {
		load_error(c, k->line, k->name, "%s is given twice", w);
		return -1;
	}
	*seen |= 1u << i;
	v = eq + 1;
	switch (i) {
	case 0:
		if (nlab_parse_size(v, UINT64_MAX, &num) || !num) {
			load_error(c, k->line, k->name,
				   "size=%s: a size is bytes, or a number "
				   "with k, m or g (16m)",
				   v);
			return -1;
		}
		m->size = num;
		return 0;
	case 1:
		if (!v[strspn(v, "01234567")] && strlen(v) <= 5 &&
		    strtoul(v, NULL, 8) <= 07777) {
			m->mode = (int)strtoul(v, NULL, 8);
			return 0;
		}
		load_error(c, k->line, k->name,
			   "mode=%s: a mode is octal, up to 07777 (0750)", v);
		return -1;
	default:
		return owner_id(c, k, i == 3, v, c->opts->skip_fs_checks,
				i == 3 ? &m->gid : &m->uid);
	}
}

static void tmpfs_one(struct loadctx *c, struct nlab_node *n,
		      const struct ini_key *k, char *item)
{
	char *cur = item, *path = nlab_next_word(&cur), *w;
	struct nlab_mount *m;
	unsigned seen = 0;
	char *dst;

	dst = node_path(c, k, path);
	if (!dst)
		return;
	m = add_mount(c, n, k, NULL, dst);
	if (!m)
		return;
	while ((w = nlab_next_word(&cur)))
		if (tmpfs_opt(c, k, m, w, &seen))
			return;
}

void load_tmpfs(struct loadctx *c, void *node, const struct ini_key *k)
{
	load_each_item(c, node, k, tmpfs_one);
}

/* ---- files and shared ---------------------------------------------------- */

/* What netlab mounts itself in every node: not for `files` to bring. */
static const char *const node_own[] = { "proc", "sys" };

void load_files(struct loadctx *c, void *obj, const struct ini_key *k)
{
	struct nlab_node *n = obj;
	cleanup_free char *dir = NULL;
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (!*k->value || strchr(k->value, ',')) {
		load_error(c, k->line, k->name,
			   "'%s': files takes one directory (DIR/etc/x "
			   "appears at /etc/x in the node)",
			   k->value);
		return;
	}
	dir = host_path(c, k->value);
	if (!strcmp(dir, "/")) {
		load_error(c, k->line, k->name,
			   "'%s' is the host's root: files is a directory of "
			   "the node's own files",
			   k->value);
		return;
	}
	if (!c->opts->skip_fs_checks) {
		if (stat(dir, &st) < 0) {
			load_error(c, k->line, k->name, "%s: %s", dir,
				   strerror(errno));
			return;
		}
		if (!S_ISDIR(st.st_mode)) {
			load_error(c, k->line, k->name, "%s is not a directory",
				   dir);
			return;
		}
		d = opendir(dir);
		if (!d) {
			load_error(c, k->line, k->name, "%s: %s", dir,
				   strerror(errno));
			return;
		}
		while ((de = readdir(d)))
			for (size_t i = 0; i < ARRAY_SIZE(node_own); i++)
				if (!strcmp(de->d_name, node_own[i]))
					load_error(c, k->line, k->name,
						   "%s/%s: netlab mounts the "
						   "node's own /%s",
						   dir, de->d_name, de->d_name);
		closedir(d);
	}
	free(n->files);
	n->files = steal_ptr(dir);
}

/*
 * shared = /tmp, /var/log, ...: the private directories a node shares
 * with the host after all; "all" or "none" alone.
 */
void load_shared(struct loadctx *c, const struct ini_key *k, unsigned *out)
{
	cleanup_free char *list = xstrdup(k->value);
	char *cur = list, *item;
	unsigned bits = 0;
	size_t n_items = 0;

	while ((item = nlab_next_item(&cur, ','))) {
		cleanup_free char *p = xstrdup(item);
		size_t i;

		n_items++;
		if (!strcmp(item, "all") || !strcmp(item, "none")) {
			if (n_items > 1 || cur) {
				load_error(c, k->line, k->name,
					   "'%s' stands alone", item);
				return;
			}
			*out = !strcmp(item, "all") ? NLAB_PRIV_ALL : 0;
			return;
		}
		if (p[0] == '/')
			clean_path(p, true);
		for (i = 0; i < nlab_n_private_dirs; i++)
			if (!strcmp(p, nlab_private_dirs[i].path))
				break;
		if (i == nlab_n_private_dirs) {
			char list_s[128] = "";

			for (size_t j = 0; j < nlab_n_private_dirs; j++)
				snprintf(list_s + strlen(list_s),
					 sizeof(list_s) - strlen(list_s),
					 "%s%s", j ? ", " : "",
					 nlab_private_dirs[j].path);
			load_error(c, k->line, k->name,
				   "'%s' is not one of a node's private "
				   "directories (%s; or all, none)",
				   item, list_s);
			return;
		}
		bits |= nlab_private_dirs[i].bit;
	}
	*out = bits;
}

/* ---- targets, once the whole [node] section is read ---------------------- */

static void check_target(struct loadctx *c, const struct nlab_node *n,
			 const struct nlab_mount *m)
{
	const char *what = m->source ? "bind" : "tmpfs";
	cleanup_free char *in_files = NULL;
	struct stat s_st, d_st;

	/* In a private directory netlab makes it, in the node's copy. */
	if (nlab_node_private_of(c->t, n, m->target) >= 0)
		return;
	if (stat(m->target, &d_st) < 0 && errno == ENOENT && n->files) {
		in_files = nlab_strfmt("%s%s", n->files, m->target);
		if (lstat(in_files, &d_st) < 0) {
			free(in_files);
			in_files = NULL;
		} else if (S_ISLNK(d_st.st_mode)) {
			return; /* resolved in the node, not here */
		}
	}
	if (!in_files && stat(m->target, &d_st) < 0) {
		if (errno == ENOENT)
			load_error(c, m->line, what,
				   "%s does not exist on the host (netlab "
				   "makes a directory only in a node's own "
				   "/tmp, /var/tmp, /run or /var/log; "
				   "elsewhere bring it with files)",
				   m->target);
		else
			load_error(c, m->line, what, "%s: %s", m->target,
				   strerror(errno));
		return;
	}
	if (!m->source) {
		if (!S_ISDIR(d_st.st_mode))
			load_error(c, m->line, what, "%s is not a directory",
				   m->target);
		return;
	}
	if (stat(m->source, &s_st) == 0 &&
	    S_ISDIR(s_st.st_mode) != S_ISDIR(d_st.st_mode))
		load_error(c, m->line, what, "%s is %sa directory but %s is %s",
			   m->source, S_ISDIR(s_st.st_mode) ? "" : "not ",
			   m->target, S_ISDIR(d_st.st_mode) ? "one" : "not");
}

void load_check_mounts(struct loadctx *c, const struct nlab_node *n)
{
	if (c->opts->skip_fs_checks)
		return;
	for (size_t i = 0; i < n->n_mounts; i++)
		check_target(c, n, &n->mounts[i]);
}
