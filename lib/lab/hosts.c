// SPDX-License-Identifier: MIT
#include "lab/hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

#include "base/util.h"
#include "topology/nsname.h"
#include "base/testhook.h"

/* The same text for every node: localhost, then each node's addresses,
 * every node of the lab, on this host or another. */
static char *hosts_text(const struct nlab_topology *part, size_t *len)
{
	const struct nlab_topology *t = part->whole ? part->whole : part;
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	char buf[64];

	if (!f)
		return NULL;
	fprintf(f,
		"# written by netlab for lab %s\n"
		"127.0.0.1\tlocalhost\n"
		"::1\tlocalhost ip6-localhost ip6-loopback\n",
		t->name);
	for (size_t n = 0; n < t->n_nodes; n++) {
		const struct nlab_node *node = &t->nodes[n];

		for (size_t i = 0; i < node->n_ifaces; i++) {
			for (size_t a = 0; a < node->ifaces[i].n_addrs; a++) {
				const char *s = nlab_prefix_str(
					&node->ifaces[i].addrs[a], buf,
					sizeof(buf));

				fprintf(f, "%.*s\t%s\n", (int)strcspn(s, "/"),
					s, node->name);
			}
		}
	}
	fclose(f);
	return text;
}

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* /etc/netns, never through a symlink; -1 with errno. */
static int open_etc(void)
{
	return open(NLAB_ETC_NETNS, DIR_FLAGS);
}

static bool symlinkish(int err)
{
	return err == ELOOP || err == ENOTDIR;
}

int nlab_hosts_check(const char *ns, struct nlab_err *e)
{
	char path[PATH_MAX];
	struct stat sb;

	snprintf(path, sizeof(path), NLAB_ETC_NETNS "/%s", ns);
	if (lstat(NLAB_ETC_NETNS, &sb) == 0 && !S_ISDIR(sb.st_mode))
		return nlab_err_set(e, 0,
				    NLAB_ETC_NETNS
				    " is not a directory "
				    "(netlab never follows a "
				    "symlink there; not touched)");
	if (lstat(path, &sb) < 0)
		return 0;
	if (!S_ISDIR(sb.st_mode))
		return nlab_err_set(e, 0,
				    "%s exists and is not a directory "
				    "(netlab never follows a symlink there; "
				    "not touched)",
				    path);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/hosts");
	if (lstat(path, &sb) == 0)
		return nlab_err_set(e, 0,
				    "%s exists and is not netlab's "
				    "(not touched)",
				    path);
	return 0;
}

/* /etc/netns/NS: made (recorded before, identity after) or, if it is
 * the user's directory already, used as it is.  Returns an fd of it. */
static int make_dir(int etc, const char *ns, const char *dir,
		    struct nlab_state *st, struct nlab_err *e)
{
	cleanup_close int fd = -1;
	bool made = true;
	struct stat sb;

	if (nlab_state_rec(st, NLAB_REC_DIR, dir, e))
		return -1;
	if (mkdirat(etc, ns, 0755) < 0) {
		if (errno != EEXIST)
			return nlab_err_set(e, errno, "mkdir %s", dir);
		/* The user's directory: leave it when we go. */
		if (nlab_state_keep(st, NLAB_REC_DIR, dir, e))
			return -1;
		made = false;
	}
	fd = openat(etc, ns, DIR_FLAGS);
	if (fd < 0) {
		if (symlinkish(errno))
			return nlab_err_set(e, 0,
					    "%s is not a directory (netlab "
					    "never follows a symlink there; "
					    "not touched)",
					    dir);
		return nlab_err_set(e, errno, "open %s", dir);
	}
	if (made) {
		struct nlab_ident id;

		if (fstat(fd, &sb) < 0)
			return nlab_err_set(e, errno, "stat %s", dir);
		nlab_ident_of(&id, &sb);
		if (nlab_state_rec_id(st, NLAB_REC_DIR, dir, &id, e))
			return -1;
	}
	return steal_fd(fd);
}

/* The file every node of a shared (hosts = yes) lab links to: its fd
 * (-1 until the first node's is made) and its identity. */
struct hosts_src {
	int fd;
	struct nlab_ident id;
};

static void src_close(struct hosts_src *src)
{
	if (src->fd >= 0)
		close(src->fd);
}
#define cleanup_src __attribute__((cleanup(src_close)))

/* @file made in @dfd with @text; with @keep, its fd and identity are
 * kept there for the other nodes to link to. */
static int write_file(int dfd, const char *file, const char *text, size_t len,
		      struct hosts_src *keep, struct nlab_state *st,
		      struct nlab_err *e)
{
	cleanup_close int fd = -1;
	struct nlab_ident id;
	struct stat sb;

	if (nlab_state_rec(st, NLAB_REC_FILE, file, e))
		return -1;
	fd = openat(dfd, "hosts",
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		int err = errno;

		if (err == EEXIST)
			nlab_state_keep(st, NLAB_REC_FILE, file, NULL);
		return nlab_err_set(e, err, "create %s", file);
	}
	if (fstat(fd, &sb) < 0)
		return nlab_err_set(e, errno, "stat %s", file);
	nlab_ident_of(&id, &sb);
	if (nlab_state_rec_id(st, NLAB_REC_FILE, file, &id, e))
		return -1;
	if (write(fd, text, len) != (ssize_t)len)
		return nlab_err_set(e, errno, "write %s", file);
	if (keep) {
		keep->fd = steal_fd(fd);
		keep->id = id;
	}
	return 0;
}

/* @file made in @dfd as one more name of @src's inode (the open file
 * itself is linked: no path is followed to it), recorded as a file
 * netlab made, with that inode's identity. */
static int link_file(int dfd, const char *file, const struct hosts_src *src,
		     struct nlab_state *st, struct nlab_err *e)
{
	if (nlab_state_rec(st, NLAB_REC_FILE, file, e))
		return -1;
	if (linkat(src->fd, "", dfd, "hosts", AT_EMPTY_PATH) < 0) {
		int err = errno;

		if (err == EEXIST)
			nlab_state_keep(st, NLAB_REC_FILE, file, NULL);
		return nlab_err_set(e, err, "link %s", file);
	}
	return nlab_state_rec_id(st, NLAB_REC_FILE, file, &src->id, e);
}

/* /etc/netns/LAB.NODE/hosts of one node, made and recorded: a link to
 * @src if it has a file yet, else a new file (kept in @src, if given,
 * for the next nodes). */
static int write_one(int etc, const struct nlab_topology *t,
		     const struct nlab_node *node, const char *text, size_t len,
		     struct hosts_src *src, struct nlab_state *st,
		     struct nlab_err *e)
{
	char ns[NLAB_NAME_MAX * 2 + 2], dir[PATH_MAX], file[PATH_MAX];
	cleanup_close int dfd = -1;

	nlab_ns_name(ns, sizeof(ns), t->name, node->name);
	snprintf(dir, sizeof(dir), NLAB_ETC_NETNS "/%s", ns);
	snprintf(file, sizeof(file), "%s/hosts", dir);
	if (nlab_fault("hosts", e))
		return -1;
	dfd = make_dir(etc, ns, dir, st, e);
	if (dfd < 0)
		return -1;
	if (src && src->fd >= 0)
		return link_file(dfd, file, src, st, e);
	return write_file(dfd, file, text, len, src, st, e);
}

/* The hosts text of @t in *text (*len bytes), and /etc/netns, made if
 * need be, opened: its descriptor, or -1 with @e set (with @say_symlink,
 * saying so when /etc/netns is a symlink). */
static int prepare(const struct nlab_topology *t, char **text, size_t *len,
		   bool say_symlink, struct nlab_err *e)
{
	int etc;

	*text = hosts_text(t, len);
	if (!*text)
		return nlab_err_set(e, errno, "hosts file");
	if (mkdir(NLAB_ETC_NETNS, 0755) < 0 && errno != EEXIST)
		return nlab_err_set(e, errno, "mkdir " NLAB_ETC_NETNS);
	etc = open_etc();
	if (etc < 0 && say_symlink && symlinkish(errno))
		return nlab_err_set(e, 0,
				    NLAB_ETC_NETNS
				    " is not a directory (netlab "
				    "never follows a symlink there)");
	if (etc < 0)
		return nlab_err_set(e, errno, "open " NLAB_ETC_NETNS);
	return etc;
}

int nlab_hosts_write(const struct nlab_topology *t, struct nlab_state *st,
		     struct nlab_err *e)
{
	cleanup_src struct hosts_src src = { .fd = -1 };
	cleanup_free char *text = NULL;
	cleanup_close int etc = -1;
	bool shared = t->hosts == NLAB_HOSTS_SHARED;
	size_t len = 0;

	etc = prepare(t, &text, &len, true, e);
	if (etc < 0)
		return -1;
	for (size_t n = 0; n < t->n_nodes; n++)
		if (write_one(etc, t, &t->nodes[n], text, len,
			      shared ? &src : NULL, st, e))
			return -1;
	return 0;
}

/* /etc/netns/NS/hosts opened (@flags), no symlink followed on the way
 * (one call: a large lab has thousands of them). */
static int open_hosts(int etc, const char *ns, int flags)
{
	struct open_how how = {
		.flags = flags | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
			   RESOLVE_NO_MAGICLINKS,
	};
	char rel[NLAB_NAME_MAX * 2 + 16];

	snprintf(rel, sizeof(rel), "%s/hosts", ns);
	return (int)syscall(SYS_openat2, etc, rel, &how, sizeof(how));
}

/* The hosts file of a node of @t other than @node that @rec records and
 * that still is the file netlab made, opened in @src (its fd stays -1
 * if there is none). */
static void find_shared(int etc, const struct nlab_topology *t,
			const struct nlab_node *node,
			const struct nlab_record *rec, struct hosts_src *src)
{
	for (size_t n = 0; rec && n < t->n_nodes && src->fd < 0; n++) {
		char ns[NLAB_NAME_MAX * 2 + 2], file[PATH_MAX];
		const struct nlab_rec *r;
		struct stat sb;
		int fd;

		if (&t->nodes[n] == node)
			continue;
		nlab_ns_name(ns, sizeof(ns), t->name, t->nodes[n].name);
		snprintf(file, sizeof(file), NLAB_ETC_NETNS "/%s/hosts", ns);
		r = nlab_record_find(rec, NLAB_REC_FILE, file);
		if (!r || !r->id.set)
			continue;
		fd = open_hosts(etc, ns, O_PATH);
		if (fd < 0)
			continue;
		if (fstat(fd, &sb) == 0 && nlab_ident_is(&r->id, &sb)) {
			src->fd = fd;
			src->id = r->id;
		} else {
			close(fd);
		}
	}
}

int nlab_hosts_write_node(const struct nlab_topology *t,
			  const struct nlab_node *node,
			  const struct nlab_record *rec, struct nlab_state *st,
			  struct nlab_err *e)
{
	cleanup_src struct hosts_src src = { .fd = -1 };
	cleanup_free char *text = NULL;
	cleanup_close int etc = -1;
	size_t len = 0;

	etc = prepare(t, &text, &len, false, e);
	if (etc < 0)
		return -1;
	/* Shared: one more name of the lab's file, which the rewrite
	 * before has made this text already; else (or if there is none
	 * left) a copy of its own. */
	if (t->hosts == NLAB_HOSTS_SHARED)
		find_shared(etc, t, node, rec, &src);
	return write_one(etc, t, node, text, len, src.fd >= 0 ? &src : NULL, st,
			 e);
}

bool nlab_hosts_same(const struct nlab_topology *a,
		     const struct nlab_topology *b)
{
	cleanup_free char *ta = NULL, *tb = NULL;
	size_t la = 0, lb = 0;

	ta = hosts_text(a, &la);
	tb = hosts_text(b, &lb);
	/* The first line names the lab: the rest is what the nodes see. */
	return ta && tb && !strcmp(strchr(ta, '\n'), strchr(tb, '\n'));
}

/* Is @sb what @r made?  With an identity, exactly that inode; without
 * (a version 1 record), at least the right kind of thing. */
static bool still_ours(const struct nlab_rec *r, const struct stat *sb)
{
	if (r->id.set)
		return nlab_ident_is(&r->id, sb);
	return r->kind == NLAB_REC_DIR ? S_ISDIR(sb->st_mode)
				       : S_ISREG(sb->st_mode);
}

int nlab_hosts_undo(const struct nlab_rec *r, const struct nlab_warn *w,
		    struct nlab_err *e)
{
	char ns[NLAB_NAME_MAX * 2 + 2];
	cleanup_close int etc = -1, dfd = -1;
	const char *leaf;
	struct stat sb;
	int at;

	if (!r->name)
		return 0; /* in the state directory, removed with it */
	/* arg is /etc/netns/NS (a dir) or /etc/netns/NS/hosts (a file);
	 * the record reader has checked that. */
	snprintf(ns, sizeof(ns), "%.*s",
		 (int)strcspn(r->arg + strlen(NLAB_ETC_NETNS "/"), "/"),
		 r->arg + strlen(NLAB_ETC_NETNS "/"));
	etc = open_etc();
	if (etc < 0) {
		if (errno == ENOENT)
			return 0;
		if (!symlinkish(errno))
			return nlab_err_set(e, errno, "open " NLAB_ETC_NETNS);
		nlab_warn(w,
			  "%s: " NLAB_ETC_NETNS " is not a directory: left "
			  "alone",
			  r->arg);
		return 0;
	}
	if (r->kind == NLAB_REC_DIR) {
		dfd = steal_fd(etc);
		leaf = ns;
		at = AT_REMOVEDIR;
	} else {
		dfd = openat(etc, ns, DIR_FLAGS);
		if (dfd < 0 && errno == ENOENT)
			return 0;
		if (dfd < 0 && !symlinkish(errno))
			return nlab_err_set(e, errno, "open %s/%s",
					    NLAB_ETC_NETNS, ns);
		if (dfd < 0) {
			nlab_warn(w,
				  "%s: " NLAB_ETC_NETNS "/%s is not a "
				  "directory (a symlink?): left alone",
				  r->arg, ns);
			return 0;
		}
		leaf = "hosts";
		at = 0;
	}
	if (fstatat(dfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0
				       : nlab_err_set(e, errno, "%s", r->arg);
	if (!still_ours(r, &sb)) {
		nlab_warn(w,
			  "%s is not the %s netlab made (replaced since?): "
			  "left alone",
			  r->arg, at ? "directory" : "file");
		return 0;
	}
	if (unlinkat(dfd, leaf, at) == 0 || errno == ENOENT)
		return 0;
	if (at && (errno == ENOTEMPTY || errno == EEXIST)) {
		nlab_warn(w, "%s holds files netlab did not write: left alone",
			  r->arg);
		return 0;
	}
	return nlab_err_set(e, errno, "remove %s", r->arg);
}

/* Is @sb's inode one of the @n in *@seen?  If not, it is added.  The
 * last one is looked at first: a shared lab has one only. */
static bool seen_inode(struct nlab_ident **seen, size_t *n, size_t *cap,
		       const struct stat *sb)
{
	for (size_t i = *n; i-- > 0;)
		if (nlab_ident_is(&(*seen)[i], sb))
			return true;
	xgrow(seen, cap, *n + 1, sizeof(**seen));
	nlab_ident_of(&(*seen)[(*n)++], sb);
	return false;
}

int nlab_hosts_rewrite(const struct nlab_topology *t,
		       const struct nlab_topology *was,
		       const struct nlab_record *rec, struct nlab_err *e)
{
	cleanup_free char *text = NULL, *old = NULL;
	cleanup_close int etc = open_etc();
	size_t len = 0, old_len = 0, same = 0, n_done = 0, cap_done = 0;
	cleanup_free struct nlab_ident *done = NULL;

	text = hosts_text(t, &len);
	if (!text)
		return nlab_err_set(e, errno, "hosts file");
	/* A file that still is @was's text gets only what differs. */
	old = was ? hosts_text(was, &old_len) : NULL;
	while (old && same < len && same < old_len && old[same] == text[same])
		same++;
	if (etc < 0)
		return nlab_err_set(e, errno, "open " NLAB_ETC_NETNS);
	for (size_t n = 0; n < t->n_nodes; n++) {
		char ns[NLAB_NAME_MAX * 2 + 2], file[PATH_MAX];
		cleanup_close int fd = -1;
		const struct nlab_rec *r;
		struct stat sb;
		size_t from = 0;

		nlab_ns_name(ns, sizeof(ns), t->name, t->nodes[n].name);
		snprintf(file, sizeof(file), NLAB_ETC_NETNS "/%s/hosts", ns);
		r = nlab_record_find(rec, NLAB_REC_FILE, file);
		if (!r)
			continue; /* not netlab's (kept): not touched */
		fd = open_hosts(etc, ns, O_WRONLY);
		if (fd < 0)
			return nlab_err_set(e, errno, "open %s", file);
		if (fstat(fd, &sb) < 0 || !still_ours(r, &sb))
			return nlab_err_set(e, 0,
					    "%s is not the file netlab made "
					    "(replaced since?): not touched",
					    file);
		/* A name of a file written already (hosts = yes: one file,
		 * every node's a link to it). */
		if (seen_inode(&done, &n_done, &cap_done, &sb))
			continue;
		if (old && (size_t)sb.st_size == old_len)
			from = same;
		/* In place: each node sees it through a bind mount of this
		 * very inode. */
		if (pwrite(fd, text + from, len - from, (off_t)from) !=
			    (ssize_t)(len - from) ||
		    ((size_t)sb.st_size > len && ftruncate(fd, (off_t)len) < 0))
			return nlab_err_set(e, errno, "write %s", file);
	}
	return 0;
}
